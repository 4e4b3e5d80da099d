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

// LatencyBounds are the upper bounds of the latency histogram's buckets: a
// live stream's publish→receive delay from a LAN's few milliseconds to the
// tens of seconds of a saturated mesh.
var LatencyBounds = []time.Duration{
	10 * time.Millisecond, 25 * time.Millisecond, 50 * time.Millisecond,
	100 * time.Millisecond, 250 * time.Millisecond, 500 * time.Millisecond,
	time.Second, 2 * time.Second, 5 * time.Second, 10 * time.Second, 30 * time.Second,
}

// LatencyHistogram counts every publish→receive delay since the viewer
// started, in the buckets of LatencyBounds: Counts[i] is how many were at
// most LatencyBounds[i] and above the bound before it; the last entry counts
// those above every bound. Sum and Count cover every sample, so a
// Prometheus histogram can be built from it.
type LatencyHistogram struct {
	Counts []uint64 // len(LatencyBounds)+1, not cumulative
	Sum    time.Duration
	Count  uint64
}

func (h *LatencyHistogram) add(d time.Duration) {
	if h.Counts == nil {
		h.Counts = make([]uint64, len(LatencyBounds)+1)
	}
	i, _ := slices.BinarySearch(LatencyBounds, d)
	h.Counts[i]++
	h.Sum += d
	h.Count++
}

func (h *LatencyHistogram) clone() LatencyHistogram {
	c := *h
	c.Counts = slices.Clone(h.Counts)
	if c.Counts == nil {
		c.Counts = make([]uint64, len(LatencyBounds)+1)
	}
	return c
}
