package broadcast

import (
	"context"
	"sync"
	"time"

	pubsub "github.com/libp2p/go-libp2p-pubsub"
	libp2ppeer "github.com/libp2p/go-libp2p/core/peer"
)

// DefaultReplayWindow is how far behind the newest accepted sequence number
// a chunk may be and still be accepted: 4096 chunks is minutes of video at
// any sane chunk rate, far more than any honest relay lags, while a replay
// of an old broadcast is rejected.
const DefaultReplayWindow = 4096

// replayAge is how much older than the newest accepted chunk, by the
// owner's own clock, a chunk may be. pubsub forgets a message ID after two
// minutes; without this a chunk recorded then could be replayed for as
// long as it stays within the sequence window.
const replayAge = time.Minute

// validator is the channel topic's gate. It runs inline in pubsub's
// validation workers, concurrently: mu guards newest.
type validator struct {
	owner   libp2ppeer.ID
	decoder *Decoder
	window  uint64

	mu         sync.Mutex
	newest     uint64
	newestTime time.Time
	seen       bool
}

func newValidator(ch Channel, maxPayload int, window uint64) (*validator, error) {
	d, err := NewDecoder(ch, maxPayload)
	if err != nil {
		return nil, err
	}
	return &validator{owner: ch.Owner, decoder: d, window: window}, nil
}

// validate accepts only well-formed chunks of this channel signed by its
// owner. pubsub has already checked the signature against the author
// (StrictSign) and checks the message ID's seen-cache; a Reject here makes
// pubsub count an invalid delivery against the peer that forwarded it,
// which relay's scoring turns into a penalty. The decoded chunk rides on
// ValidatorData so subscribers do not decode twice.
func (v *validator) validate(_ context.Context, _ libp2ppeer.ID, msg *pubsub.Message) pubsub.ValidationResult {
	if msg.GetFrom() != v.owner {
		return pubsub.ValidationReject
	}
	c, err := v.decoder.Decode(msg.GetData())
	if err != nil {
		return pubsub.ValidationReject
	}
	if !v.admit(c.Seq, c.Time) {
		return pubsub.ValidationReject
	}
	msg.ValidatorData = c
	return pubsub.ValidationAccept
}

// admit applies the replay window. Only chunks far behind the newest are
// refused, by sequence number or by the owner's timestamp: numbers ahead can
// only come from the owner (they are signed), and a restarted broadcaster
// legitimately jumps ahead.
func (v *validator) admit(seq uint64, at time.Time) bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.seen && (seq+v.window < v.newest || at.Before(v.newestTime.Add(-replayAge))) {
		return false
	}
	if !v.seen || seq > v.newest {
		v.newest, v.seen = seq, true
	}
	if at.After(v.newestTime) {
		v.newestTime = at
	}
	return true
}
