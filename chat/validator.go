package chat

import (
	"fmt"
	"sync"
	"time"

	"github.com/gridcast/gridcast/broadcast"
	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/peer"
)

// validator guards one channel's chat topic. It runs inline in pubsub's
// validation workers, concurrently, after pubsub checked the signature
// against the signer (StrictSign). A Reject counts as an invalid delivery
// against the forwarder, which relay's scoring penalises, so it is kept
// for lines no honest node would forward; what depends on the receiver's
// clock or on what it saw before (a line's age, a sender's rate) is
// Ignored, since an honest forwarder with another clock or another view
// may have passed it on in good faith.
type validator struct {
	ch  broadcast.Channel
	id  string
	now func() time.Time

	mu      sync.Mutex
	senders *senders // guarded by mu
}

func newValidator(ch broadcast.Channel, maxSenders int, now func() time.Time) *validator {
	return &validator{ch: ch, id: ch.ID(), now: now, senders: newSenders(maxSenders, LineEvery, RelayBurst)}
}

// check decides on one line signed by signer, and says why. Registered
// through wire.Validator, which hands an accepted line over on
// ValidatorData.
func (v *validator) check(signer peer.ID, data []byte) (Line, pubsub.ValidationResult, error) {
	l, err := decode(data, v.ch, v.id)
	if err != nil {
		return Line{}, wireErrors.Verdict(err), err
	}
	if l.From != signer {
		return Line{}, pubsub.ValidationReject, fmt.Errorf("%w: line from %s signed by %s", ErrForged, l.From, signer)
	}
	now := v.now()
	if d := l.Time.Sub(now); d > MaxClockSkew || d < -MaxClockSkew {
		return Line{}, pubsub.ValidationIgnore, fmt.Errorf("%w: sent at %v, now %v", ErrStale, l.Time, now)
	}
	v.mu.Lock()
	ok := v.senders.take(signer, now)
	v.mu.Unlock()
	if !ok {
		return Line{}, pubsub.ValidationIgnore, fmt.Errorf("%w: %s", ErrRateLimited, signer)
	}
	return l, pubsub.ValidationAccept, nil
}
