package directory

import (
	"math"
	"time"

	"github.com/gridcast/gridcast/internal/lru"
	"github.com/libp2p/go-libp2p/core/peer"
)

// maxMarks bounds the announced scales an Estimator remembers. The scale
// changes rarely (it follows the audience in steps of BeatTarget), so 64
// changes cover far more than the mark horizon.
const maxMarks = 64

// ScaleFor returns the sampling scale S for an audience of viewers:
// ceil(viewers / BeatTarget), at least 1 and at most MaxScale, so that
// about BeatTarget viewers beat per period.
func ScaleFor(viewers int) int {
	if viewers <= BeatTarget {
		return 1
	}
	return min((viewers+BeatTarget-1)/BeatTarget, MaxScale)
}

// Estimator turns presence beats into an audience estimate. It is pure:
// every call takes the time, nothing sleeps and nothing is sent. It is not
// safe for concurrent use.
//
// Each viewer beats once per period with probability 1/S. The estimate is
// the Horvitz–Thompson sum over the distinct authors whose latest beat
// arrived within the last window of the S each beat was sent with: a beat
// sent with probability 1/S stands for S viewers. Weighing each beat by
// its own S, rather than by the current one, keeps the estimate unbiased
// while S changes and viewers learn of it at different times; with the
// current S instead, the estimate overshoots when S rises, S rises
// further, and it oscillates.
//
// Error: with N viewers, the count of beats is binomial(N, 1/S), so the
// estimate has relative standard error sqrt((S-1)/N). With S = ScaleFor(N)
// that is below 1/sqrt(BeatTarget) = 12.5%; at S = 1 (up to BeatTarget
// viewers) every viewer beats every period and the count is exact. On top
// of that: beats lost in transit count as absent viewers; a viewer whose
// timer drifts across the window edge counts 0 or (deduplicated) 1 time;
// and a dishonest viewer that beats every period counts S times, bounded
// by the weight cap below. It is an estimate for sorting listings, not a
// count to pay by.
type Estimator struct {
	window time.Duration
	// authors holds each author's latest beat, the oldest at the back;
	// at most maxAuthors, the oldest evicted first.
	authors *lru.Cache[peer.ID, sample]
	// marks holds the scales announced recently, oldest first, at most
	// maxMarks; consecutive equal scales share one mark.
	marks []scaleMark
}

type sample struct {
	at    time.Time
	scale int
}

type scaleMark struct {
	at    time.Time
	scale int
}

// NewEstimator returns an estimator that counts the beats of the last
// window (the presence period) from at most maxAuthors distinct authors.
// A window under 1 ns is taken as 1 ns and maxAuthors under 1 as 1.
func NewEstimator(window time.Duration, maxAuthors int) *Estimator {
	return &Estimator{window: max(window, 1), authors: lru.New[peer.ID, sample](max(maxAuthors, 1))}
}

// markHorizon is how long an announced scale may still be in use: a viewer
// beats with the scale of the latest announcement in its table, which
// stands for up to MaxTTL, and the beat then counts for a window.
func (e *Estimator) markHorizon() time.Duration { return MaxTTL + e.window }

// Announced records that scale was announced at at. Beats claim their
// scale themselves; Estimate weighs none more than the largest scale
// announced within the mark horizon, so a viewer cannot make its beat
// count for more than an honest one could.
func (e *Estimator) Announced(scale int, at time.Time) {
	scale = min(max(scale, 1), MaxScale)
	if n := len(e.marks); n > 0 && e.marks[n-1].scale == scale {
		e.marks[n-1].at = at
	} else {
		if len(e.marks) == maxMarks {
			e.marks = append(e.marks[:0], e.marks[1:]...)
		}
		e.marks = append(e.marks, scaleMark{at: at, scale: scale})
	}
	horizon := at.Add(-e.markHorizon())
	for len(e.marks) > 1 && e.marks[0].at.Before(horizon) {
		e.marks = e.marks[1:]
	}
}

// Add records a beat from author, sent with scale and received at at.
// A later beat of the same author replaces the earlier one. Beats are
// expected in arrival order; when the table is full the author whose
// latest beat is oldest is forgotten.
func (e *Estimator) Add(author peer.ID, scale int, at time.Time) {
	e.authors.Put(author, sample{at: at, scale: min(max(scale, 1), MaxScale)})
}

// Estimate returns the estimated audience at now: the sum, over the
// authors whose latest beat arrived in (now-window, now], of the scale it
// was sent with, each capped at the largest scale announced within the
// mark horizon (at MaxScale if none was). Older beats are forgotten.
func (e *Estimator) Estimate(now time.Time) int {
	from := now.Add(-e.window)
	for {
		_, s, ok := e.authors.Oldest()
		if !ok || s.at.After(from) {
			break
		}
		e.authors.RemoveOldest()
	}
	limit := e.weightCap(now)
	total := 0
	for _, s := range e.authors.All() {
		if s.at.After(from) && !s.at.After(now) {
			total += min(s.scale, limit)
		}
	}
	return min(total, math.MaxInt32)
}

func (e *Estimator) weightCap(now time.Time) int {
	horizon := now.Add(-e.markHorizon())
	limit := 0
	for _, m := range e.marks {
		if m.at.After(horizon) && !m.at.After(now) {
			limit = max(limit, m.scale)
		}
	}
	if limit == 0 {
		return MaxScale
	}
	return limit
}
