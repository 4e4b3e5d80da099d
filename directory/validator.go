package directory

import (
	"fmt"
	"sync"
	"time"

	"github.com/gridcast/gridcast/broadcast"
	"github.com/gridcast/gridcast/internal/lru"
	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/peer"
)

// The validators run inline in pubsub's validation workers, concurrently,
// on every node that joins the topic. pubsub has already checked the
// signature against the author (StrictSign). A Reject counts as an invalid
// delivery against the forwarder, which relay's scoring penalises; so
// Reject is kept for what no honest node would forward, and whatever
// depends on the receiver's clock or on what it saw before is Ignored.

// announceValidator guards Topic.
type announceValidator struct {
	now func() time.Time

	mu     sync.Mutex
	newest *lru.Cache[string, tracked] // guarded by mu; channel ID → last accepted
}

type tracked struct{ time, expires time.Time }

func newAnnounceValidator(now func() time.Time) *announceValidator {
	return &announceValidator{now: now, newest: lru.New[string, tracked](trackedChannels)}
}

// check decides on one announcement signed by author, and says why.
func (v *announceValidator) check(author peer.ID, data []byte) (Announcement, pubsub.ValidationResult, error) {
	a, err := Decode(data)
	if err != nil {
		return Announcement{}, wireErrors.Verdict(err), err
	}
	if author != a.Channel.Owner {
		return Announcement{}, pubsub.ValidationReject,
			fmt.Errorf("%w: %s announced %s", ErrNotOwner, author, a.Channel)
	}
	now := v.now()
	if err := checkClock(a.Time, a.Expires(), now); err != nil {
		return Announcement{}, pubsub.ValidationIgnore, err
	}
	id := a.Channel.ID()
	v.mu.Lock()
	defer v.mu.Unlock()
	// An entry past its expiry no longer blocks: a broadcaster whose
	// clock went back on restart is listed again once it lapses.
	if prev, ok := v.newest.Get(id); ok && prev.expires.After(now) && a.Time.Before(prev.time.Add(MinInterval/2)) {
		return Announcement{}, pubsub.ValidationIgnore,
			fmt.Errorf("%w: %s announced at %v, after one at %v", ErrStale, id, a.Time, prev.time)
	}
	v.newest.Put(id, tracked{time: a.Time, expires: a.Expires()})
	return a, pubsub.ValidationAccept, nil
}

// checkClock refuses a message sent at sent that lapses at expires, when
// either is out of line with the receiver's clock now.
func checkClock(sent, expires, now time.Time) error {
	if !expires.After(now) {
		return fmt.Errorf("%w: lapsed at %v, now %v", ErrExpired, expires, now)
	}
	if sent.After(now.Add(MaxClockSkew)) {
		return fmt.Errorf("%w: sent at %v, now %v", ErrFuture, sent, now)
	}
	return nil
}

// beatValidator guards one channel's presence topic.
type beatValidator struct {
	ch  broadcast.Channel
	id  string
	gap time.Duration // the least time between two beats of one author
	now func() time.Time

	mu   sync.Mutex
	last *lru.Cache[peer.ID, time.Time] // guarded by mu; author → last accepted beat's arrival
}

func newBeatValidator(ch broadcast.Channel, period time.Duration, now func() time.Time) *beatValidator {
	return &beatValidator{
		ch: ch, id: ch.ID(), gap: period / 2, now: now,
		last: lru.New[peer.ID, time.Time](trackedAuthors),
	}
}

// check decides on one beat signed by author, and says why. The gap is
// measured on the receiver's clock, at arrival: the beat's own time is the
// author's to choose.
func (v *beatValidator) check(author peer.ID, data []byte) (Beat, pubsub.ValidationResult, error) {
	b, err := decodeBeat(data, v.ch, v.id)
	if err != nil {
		return Beat{}, wireErrors.Verdict(err), err
	}
	if author == "" {
		return Beat{}, pubsub.ValidationReject, fmt.Errorf("%w: unsigned beat", ErrMalformed)
	}
	now := v.now()
	if err := checkClock(b.Time, b.Time.Add(MaxClockSkew), now); err != nil {
		return Beat{}, pubsub.ValidationIgnore, err
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if last, ok := v.last.Get(author); ok && now.Sub(last) < v.gap {
		return Beat{}, pubsub.ValidationIgnore,
			fmt.Errorf("%w: %s beat %v after its previous beat", ErrStale, author, now.Sub(last))
	}
	v.last.Put(author, now)
	return b, pubsub.ValidationAccept, nil
}
