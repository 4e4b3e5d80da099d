package broadcast

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
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
