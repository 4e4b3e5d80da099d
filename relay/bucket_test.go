package relay

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var t0 = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

// send is one simulated write: n bytes leaving at at.
type send struct {
	at time.Time
	n  int64
}

// maxInWindow returns the most bytes sent in any half-open window of length
// w. sends must be in time order.
func maxInWindow(sends []send, w time.Duration) int64 {
	var best, sum int64
	j := 0
	for i := range sends {
		sum += sends[i].n
		for sends[j].at.Add(w).Compare(sends[i].at) <= 0 {
			sum -= sends[j].n
			j++
		}
		best = max(best, sum)
	}
	return best
}

func TestTokenBucketStartsFull(t *testing.T) {
	b := NewTokenBucket(1000, 4000, t0)
	assert.Zero(t, b.Reserve(t0, 4000), "a full bucket sends burst at once")
	assert.Equal(t, time.Second, b.Reserve(t0, 1000), "then waits for tokens")
	assert.Equal(t, 2*time.Second, b.Reserve(t0, 1000), "later callers queue behind the debt")
	// Idle for an hour: the bucket refills to burst, not beyond.
	later := t0.Add(time.Hour)
	assert.Zero(t, b.Reserve(later, 4000))
	assert.Equal(t, 500*time.Millisecond, b.Reserve(later, 500))
}

func TestTokenBucketLargeReservation(t *testing.T) {
	b := NewTokenBucket(1000, 100, t0)
	assert.Equal(t, 9900*time.Millisecond, b.Reserve(t0, 10_000), "n > burst waits for the excess")
	assert.Equal(t, 10*time.Second, b.Reserve(t0, 100))
}

func TestTokenBucketEdges(t *testing.T) {
	unlimited := NewTokenBucket(0, 0, t0)
	assert.Zero(t, unlimited.Reserve(t0, math.MaxInt64))
	assert.Zero(t, NewTokenBucket(-5, 10, t0).Reserve(t0, 1<<40))

	b := NewTokenBucket(1000, 0, t0) // burst raised to 1
	assert.Zero(t, b.Reserve(t0, 1))
	assert.Equal(t, time.Millisecond, b.Reserve(t0, 1))
	assert.Zero(t, b.Reserve(t0, 0), "n <= 0 takes nothing")
	assert.Zero(t, b.Reserve(t0, -10))
	assert.Equal(t, 1000, int(b.Rate()))

	huge := NewTokenBucket(1, 1, t0)
	assert.Greater(t, huge.Reserve(t0, math.MaxInt64), 290*365*24*time.Hour, "saturates instead of wrapping")
}

func TestBytesToDuration(t *testing.T) {
	assert.Equal(t, time.Second, bytesToDuration(125000, 125000))
	assert.Equal(t, 3*time.Nanosecond+time.Second, bytesToDuration(1_000_000_003, 1_000_000_000))
	assert.Equal(t, time.Duration(1), bytesToDuration(1, math.MaxInt64), "rounds up, never 0")
	assert.Equal(t, time.Duration(333_333_334), bytesToDuration(1, 3))
	assert.Equal(t, time.Duration(math.MaxInt64), bytesToDuration(math.MaxInt64, 1))
}

// TestTokenBucketSimulated steps ten simulated minutes of a greedy sender
// with random write sizes and idle gaps, without sleeping, and checks the
// rate and burst bounds.
func TestTokenBucketSimulated(t *testing.T) {
	const rate, burst = 125_000, 16 << 10
	rng := rand.New(rand.NewPCG(1, 2))
	b := NewTokenBucket(rate, burst, t0)
	now, end := t0, t0.Add(10*time.Minute)
	var sends []send
	var total int64
	busy := time.Duration(0)
	for now.Before(end) {
		if rng.IntN(50) == 0 {
			// Idle: the bucket refills, which must not let a later burst
			// exceed burst + rate × window.
			now = now.Add(time.Duration(rng.IntN(3000)) * time.Millisecond)
			continue
		}
		n := int64(1 + rng.IntN(burst))
		wait := b.Reserve(now, n)
		require.GreaterOrEqual(t, wait, time.Duration(0))
		start := now
		now = now.Add(wait)
		busy += now.Sub(start)
		sends = append(sends, send{now, n})
		total += n
	}
	for _, w := range []time.Duration{10 * time.Millisecond, 100 * time.Millisecond, time.Second, 10 * time.Second, time.Minute} {
		limit := burst + int64(rate*w.Seconds())
		assert.LessOrEqual(t, maxInWindow(sends, w), limit, "window %v", w)
	}
	// Idle gaps only lower the average.
	assert.LessOrEqual(t, float64(total)/now.Sub(t0).Seconds(), float64(rate)*1.01)
	assert.Greater(t, busy, 5*time.Minute, "the sender was mostly limited")
}

// TestTokenBucketGreedy checks a sender that never idles averages the rate
// over a simulated hour.
func TestTokenBucketGreedy(t *testing.T) {
	const rate, burst = 64_000, 16 << 10
	b := NewTokenBucket(rate, burst, t0)
	now := t0
	var total int64
	for now.Before(t0.Add(time.Hour)) {
		now = now.Add(b.Reserve(now, 1500))
		total += 1500
	}
	got := float64(total) / now.Sub(t0).Seconds()
	assert.InEpsilon(t, rate, got, 0.001)
}

func TestTokenBucketRefund(t *testing.T) {
	b := NewTokenBucket(1000, 1000, t0)
	assert.Zero(t, b.Reserve(t0, 1000), "the burst")
	assert.Equal(t, 2*time.Second, b.Reserve(t0, 2000), "2 s of debt")
	b.Refund(2000, 500) // only 500 of those 2000 were sent
	assert.Equal(t, 500*time.Millisecond, b.Backlog(t0), "as if 500 had been taken")
	b.Refund(500, 0)
	assert.Zero(t, b.Backlog(t0))
	assert.Equal(t, time.Millisecond, b.Reserve(t0, 1), "no debt, and the burst spent: one byte waits its own time")

	// Rounding: refunding part of an odd reservation never gives back more
	// than was taken.
	c := NewTokenBucket(3, 1, t0)
	c.Reserve(t0, 10)
	c.Refund(10, 4)
	d := NewTokenBucket(3, 1, t0)
	d.Reserve(t0, 4)
	assert.Equal(t, d.Backlog(t0), c.Backlog(t0))

	b.Refund(0, 0)
	b.Refund(-5, 0)
	NewTokenBucket(0, 0, t0).Refund(10, 0) // unlimited: nothing to refund
}
