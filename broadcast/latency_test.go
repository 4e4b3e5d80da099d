package broadcast

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPercentile(t *testing.T) {
	hundred := make([]int, 100)
	for i := range hundred {
		hundred[i] = i + 1
	}
	for _, tc := range []struct {
		sorted []int
		q      float64
		want   int
	}{
		{nil, 0.5, 0},
		{[]int{7}, 0.99, 7},
		{[]int{1, 2, 3, 4}, 0.5, 2},
		{[]int{1, 2, 3, 4}, 0.75, 3},
		{[]int{1, 2, 3, 4}, 1, 4},
		{[]int{1, 2, 3, 4}, 0, 1},
		{hundred, 0.95, 95},
		{hundred, 0.99, 99},
		{hundred, 0.5, 50},
	} {
		assert.Equal(t, tc.want, Percentile(tc.sorted, tc.q), "q=%v of %d", tc.q, len(tc.sorted))
	}
}

func TestLatencyRingKeepsRecentSamples(t *testing.T) {
	var r latencyRing
	for i := range latencyWindow {
		r.add(time.Hour + time.Duration(i)) // old, slow samples
	}
	for range latencyWindow {
		r.add(time.Millisecond)
	}
	s := r.summary()
	assert.Equal(t, latencyWindow, s.Samples)
	assert.Equal(t, time.Millisecond, s.P99, "old samples are gone")
}

func TestLatencyHistogramBuckets(t *testing.T) {
	var h LatencyHistogram
	for _, d := range []time.Duration{0, 10 * time.Millisecond, 11 * time.Millisecond, time.Minute} {
		h.add(d)
	}
	got := h.clone()
	require.Len(t, got.Counts, len(LatencyBounds)+1)
	assert.Equal(t, uint64(2), got.Counts[0], "0 and the bound itself fall in the first bucket")
	assert.Equal(t, uint64(1), got.Counts[1])
	assert.Equal(t, uint64(1), got.Counts[len(LatencyBounds)], "above every bound")
	assert.Equal(t, uint64(4), got.Count)
	assert.Equal(t, time.Minute+21*time.Millisecond, got.Sum)

	h.add(time.Second)
	assert.Equal(t, uint64(4), got.Count, "a clone does not see later samples")
	assert.Len(t, (&LatencyHistogram{}).clone().Counts, len(LatencyBounds)+1)
}
