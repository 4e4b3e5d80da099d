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

// TakeUpTo takes as many tokens as the bucket holds at now, up to most,
// without going into debt, and returns how many it took. If it holds fewer
// than least it takes nothing and returns 0 and how long until it would
// hold least, were nothing else taken meanwhile. least is raised to 1 and
// lowered to most; a least larger than the burst can never be met.
//
// It suits traffic that should use only spare capacity: it never puts the
// bucket into debt, so it never makes a later Reserve wait longer than the
// burst allows.
func (b *TokenBucket) TakeUpTo(now time.Time, most, least int64) (int64, time.Duration) {
	if most <= 0 {
		return 0, 0
	}
	if b.rate <= 0 {
		return most, 0
	}
	least = min(max(least, 1), most)
	start := b.full
	if start.Before(now) {
		start = now
	}
	// The bucket holds tau - (start - now) worth of tokens.
	held := b.tau - start.Sub(now)
	n := durationToBytes(held, b.rate)
	if n < least {
		return 0, bytesToDuration(least, b.rate) - held
	}
	n = min(n, most)
	b.full = start.Add(bytesToDuration(n, b.rate))
	return n, 0
}

// Refund gives back tokens of a Reserve or TakeUpTo of taken bytes of
// which only kept were sent (0 <= kept <= taken), as if only kept had
// been taken. Later reservations already made keep their waits, which errs
// on the safe side; new ones use the tokens given back.
func (b *TokenBucket) Refund(taken, kept int64) {
	if b.rate <= 0 || taken <= 0 {
		return
	}
	kept = min(max(kept, 0), taken)
	back := bytesToDuration(taken, b.rate)
	if kept > 0 {
		back -= bytesToDuration(kept, b.rate)
	}
	b.full = b.full.Add(-back)
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

// durationToBytes is how many whole bytes d carries at rate bytes per
// second, rounded down so that bytesToDuration of the result is at most d;
// 0 for d <= 0.
func durationToBytes(d time.Duration, rate int64) int64 {
	if d <= 0 {
		return 0
	}
	hi, lo := bits.Mul64(uint64(d), uint64(rate))
	if hi >= uint64(time.Second) {
		return math.MaxInt64
	}
	q, _ := bits.Div64(hi, lo, uint64(time.Second))
	return int64(min(q, math.MaxInt64))
}

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
