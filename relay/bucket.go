package relay

import (
	"math"
	"math/bits"
	"time"
)

// TokenBucket is a token bucket of burst bytes refilled at rate bytes per
// second, kept as the time at which it would be full again (the GCRA form),
// so refilling needs no arithmetic on elapsed time and cannot drift.
//
// It is pure: it has no goroutines and no clock of its own; every call is
// given the current time. It is not safe for concurrent use.
type TokenBucket struct {
	rate int64
	// tau is burst expressed as time at rate: how far ahead of now the
	// bucket's debt may run before a caller has to wait.
	tau time.Duration
	// full is when the bucket would hold burst tokens again if nothing more
	// were taken. Before now means the bucket is full.
	full time.Time
}

// NewTokenBucket returns a full bucket of burst bytes refilled at rate bytes
// per second, starting at now. A rate <= 0 means unlimited: Reserve always
// returns 0. A burst below 1 is raised to 1.
func NewTokenBucket(rate, burst int64, now time.Time) *TokenBucket {
	b := &TokenBucket{rate: rate, full: now}
	if rate > 0 {
		b.tau = bytesToDuration(max(burst, 1), rate)
	}
	return b
}

// Reserve takes n tokens at now and returns how long the caller must wait
// before sending those n bytes; 0 means send now.
//
// Tokens may go into debt: the reservation stands whether or not the caller
// waits, and later callers queue behind it in call order. If every caller
// sends its n bytes no earlier than the returned wait, then in any window
// the bytes sent come to at most rate × window + burst (or + the largest n,
// if that is larger), so over windows longer than burst/rate the average
// stays within rate. n larger than the burst is allowed; it only waits
// longer. n <= 0 takes nothing.
func (b *TokenBucket) Reserve(now time.Time, n int64) time.Duration {
	if b.rate <= 0 || n <= 0 {
		return 0
	}
	start := b.full
	if start.Before(now) {
		start = now
	}
	b.full = start.Add(bytesToDuration(n, b.rate))
	wait := b.full.Sub(now) - b.tau
	if wait < 0 {
		return 0
	}
	return wait
}

// TakeIfAvailable takes n tokens at now only if the bucket holds them
// without going into debt, and reports whether it did. If not, it takes
// nothing and returns how long until it would hold n tokens, were nothing
// else taken meanwhile. An n larger than the burst needs a full bucket and
// leaves it in debt. It suits traffic that should use only spare capacity:
// it never makes a later Reserve wait longer than the burst allows.
func (b *TokenBucket) TakeIfAvailable(now time.Time, n int64) (bool, time.Duration) {
	if b.rate <= 0 || n <= 0 {
		return true, 0
	}
	start := b.full
	if start.Before(now) {
		start = now
	}
	cost := bytesToDuration(n, b.rate)
	// The bucket holds (tau - (start - now)) worth of tokens; a piece larger
	// than the burst waits for a full bucket instead.
	need := start.Add(min(cost, b.tau)).Sub(now) - b.tau
	if need > 0 {
		return false, need
	}
	b.full = start.Add(cost)
	return true, 0
}

// Backlog returns how long a caller reserving one token at now would wait:
// the debt beyond the burst. It takes nothing.
func (b *TokenBucket) Backlog(now time.Time) time.Duration {
	if b.rate <= 0 {
		return 0
	}
	return max(0, b.full.Sub(now)-b.tau)
}

// Rate returns the refill rate in bytes per second; 0 or less is unlimited.
func (b *TokenBucket) Rate() int64 { return b.rate }

// bytesToDuration is how long n bytes take at rate bytes per second,
// rounded up to the nanosecond so a waiting caller is never early, and
// saturating at the largest Duration. n and rate must be positive.
func bytesToDuration(n, rate int64) time.Duration {
	sec, rem := n/rate, n%rate
	if sec >= math.MaxInt64/int64(time.Second) {
		return math.MaxInt64
	}
	// rem < rate, so rem×1e9 / rate fits in 64 bits: Div64 needs hi < rate.
	hi, lo := bits.Mul64(uint64(rem), uint64(time.Second))
	q, r := bits.Div64(hi, lo, uint64(rate))
	if r != 0 {
		q++
	}
	return time.Duration(sec)*time.Second + time.Duration(q)
}
