package chat

import (
	"time"

	"github.com/gridcast/gridcast/internal/lru"
	"github.com/libp2p/go-libp2p/core/peer"
)

// bucket is a token bucket. It is pure: the caller passes the time and
// locks.
type bucket struct {
	tokens float64
	last   time.Time // zero until the first take
}

// take spends one token if there is one, after adding one per every since
// the last take, up to burst. A fresh bucket is full. A clock that went
// back adds nothing.
func (b *bucket) take(now time.Time, every time.Duration, burst int) bool {
	switch {
	case b.last.IsZero():
		b.tokens, b.last = float64(burst), now
	case now.After(b.last):
		b.tokens = min(float64(burst), b.tokens+float64(now.Sub(b.last))/float64(every))
		b.last = now
	}
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// senders holds a bucket per sender, at most max, forgetting the least
// recently seen sender first. A forgotten sender returns with a full
// bucket, so a flood of more than max identities can each send a burst;
// what bounds that is the cost of the identities' signatures and relay's
// scoring, not this table. Pure, like bucket.
type senders struct {
	every   time.Duration
	burst   int
	buckets *lru.Cache[peer.ID, *bucket]
}

func newSenders(max int, every time.Duration, burst int) *senders {
	return &senders{every: every, burst: burst, buckets: lru.New[peer.ID, *bucket](max)}
}

// take spends one of from's tokens at now, reporting whether it had one.
func (s *senders) take(from peer.ID, now time.Time) bool {
	b, ok := s.buckets.Get(from)
	if !ok {
		b = new(bucket)
		s.buckets.Put(from, b)
	}
	return b.take(now, s.every, s.burst)
}
