package chat

import (
	"fmt"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/stretchr/testify/assert"
)

// TestBucketOverTenMinutes steps simulated time: a sender that tries a
// line every 100 ms for ten minutes gets its burst, then one per second.
func TestBucketOverTenMinutes(t *testing.T) {
	var b bucket
	sent := 0
	now := epoch
	for range 6000 {
		if b.take(now, LineEvery, Burst) {
			sent++
		}
		now = now.Add(100 * time.Millisecond)
	}
	assert.InDelta(t, Burst+600, sent, 1)
}

func TestBucketRefillsToBurstOnly(t *testing.T) {
	var b bucket
	for range Burst {
		assert.True(t, b.take(epoch, LineEvery, Burst))
	}
	assert.False(t, b.take(epoch, LineEvery, Burst), "burst spent")
	assert.False(t, b.take(epoch.Add(999*time.Millisecond), LineEvery, Burst))
	assert.True(t, b.take(epoch.Add(time.Second), LineEvery, Burst), "one token a second")

	later := epoch.Add(time.Hour)
	n := 0
	for b.take(later, LineEvery, Burst) {
		n++
	}
	assert.Equal(t, Burst, n, "an idle hour buys a burst, no more")
	assert.False(t, b.take(later.Add(-time.Minute), LineEvery, Burst), "a clock going back adds nothing")
}

func TestSendersTableIsBounded(t *testing.T) {
	s := newSenders(3, LineEvery, 1)
	for i := range 10 {
		assert.True(t, s.take(peer.ID(fmt.Sprint("p", i)), epoch))
	}
	assert.Equal(t, 3, s.buckets.Len())
	assert.False(t, s.take("p9", epoch), "a remembered sender keeps its empty bucket")
	assert.True(t, s.take("p0", epoch), "a forgotten sender starts afresh")
}
