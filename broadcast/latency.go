package broadcast

import (
	"slices"
	"time"
)

// latencyWindow is how many recent publish→receive samples a viewer keeps
// for its percentiles: enough for stable p99s, small enough to sort on
// every Stats call.
const latencyWindow = 1024

// Latency summarises recent publish→receive delays. They compare the
// broadcaster's clock with the viewer's, so they are exact on one machine
// and include clock skew across machines.
type Latency struct {
	P50, P95, P99 time.Duration
	Samples       int // how many recent chunks the percentiles cover
}

// latencyRing keeps the last latencyWindow samples. Not safe for
// concurrent use.
type latencyRing struct {
	samples []time.Duration
	next    int
}

func (r *latencyRing) add(d time.Duration) {
	if len(r.samples) < latencyWindow {
		r.samples = append(r.samples, d)
		return
	}
	r.samples[r.next] = d
	r.next = (r.next + 1) % latencyWindow
}

func (r *latencyRing) summary() Latency {
	sorted := slices.Clone(r.samples)
	slices.Sort(sorted)
	return Latency{
		P50:     Percentile(sorted, 0.50),
		P95:     Percentile(sorted, 0.95),
		P99:     Percentile(sorted, 0.99),
		Samples: len(sorted),
	}
}

// Percentile returns the q-quantile (0 ≤ q ≤ 1) of sorted by the
// nearest-rank method: the smallest sample with at least q of the samples
// at or below it. It returns 0 for no samples.
func Percentile[T any](sorted []T, q float64) T {
	var zero T
	if len(sorted) == 0 {
		return zero
	}
	rank := int(q*float64(len(sorted)) + 0.9999999)
	rank = min(max(rank, 1), len(sorted))
	return sorted[rank-1]
}
