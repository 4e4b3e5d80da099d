package player

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gridcast/gridcast/broadcast"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRateMeterOverSimulatedMinutes(t *testing.T) {
	var m rateMeter
	t0 := time.Unix(1_700_000_000, 0)
	in, out := m.update(t0, 0, 0)
	assert.Zero(t, in, "no earlier sample")
	assert.Zero(t, out)

	// 125,000 bytes/s in and 250,000 out, read every 300 ms for two
	// minutes: samples are kept at most every 500 ms, and the rate stays
	// exact whichever sample it is measured from.
	for step := 1; step <= 400; step++ {
		d := time.Duration(step) * 300 * time.Millisecond
		in, out = m.update(t0.Add(d), uint64(d.Seconds()*125_000), uint64(d.Seconds()*250_000))
		require.InDelta(t, 125_000, in, 1, "step %d", step)
		require.InDelta(t, 250_000, out, 1, "step %d", step)
	}
	// A rate change shows within the window, and a reset counter reads 0.
	now := t0.Add(120 * time.Second)
	base := uint64(120 * 125_000)
	for range 20 {
		now = now.Add(500 * time.Millisecond)
		base += 500_000 // 1 MB/s
		in, _ = m.update(now, base, 0)
	}
	assert.InDelta(t, 1_000_000, in, 1)
	in, _ = m.update(now.Add(time.Second), 10, 0)
	assert.Zero(t, in)
	// Polled after a long silence, the rate restarts from zero.
	in, _ = m.update(now.Add(time.Minute), 20, 0)
	assert.Zero(t, in)
}

func TestTimeRingInterval(t *testing.T) {
	var r timeRing
	t0 := time.Unix(1_700_000_000, 0)
	assert.Zero(t, r.interval())
	for i := range 100 {
		r.add(t0.Add(time.Duration(i) * 40 * time.Millisecond))
	}
	assert.Equal(t, 40*time.Millisecond, r.interval())
	r.add(t0) // a restart with an earlier clock
	assert.Zero(t, r.interval())
}

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func TestStatsAndPage(t *testing.T) {
	src := newStepSource(t)
	clk := &clock{t: time.Unix(1_700_000_000, 0)}
	s, err := New(src, WithNow(clk.now), WithViewers(func() int { return 42 }))
	require.NoError(t, err)
	defer s.Close()
	h := s.Handler()
	stats := func() pageStats {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/stats", nil))
		require.Equal(t, http.StatusOK, rec.Code)
		assert.Equal(t, "application/json", rec.Header().Get("Content-Type"))
		var ps pageStats
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &ps))
		return ps
	}
	page := func() string {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
		require.Equal(t, http.StatusOK, rec.Code)
		return rec.Body.String()
	}

	src.setStats(broadcast.ViewerStats{
		BytesIn: 1_000_000, BytesOut: 2_000_000, UploadCap: 250_000,
		Received: 10, Skipped: 2, MeshPeers: 4,
		Latency: broadcast.Latency{P50: 120 * time.Millisecond, P95: 480 * time.Millisecond},
		Playout: broadcast.PlayoutStats{Buffered: 5},
	})
	ps := stats() // the first sample for the rates
	assert.Equal(t, testChannelID, ps.Channel)
	assert.Empty(t, ps.Format, "unknown before the first clean start")
	assert.Contains(t, page(), `data-format=""`)

	for i := range 4 { // chunks 100 ms apart: 5 buffered are 0.5 s
		src.push(chunk(uint64(i), map[bool]string{true: "K", false: "P"}[i == 0]+"xx"))
	}
	clk.advance(2 * time.Second)
	src.setStats(broadcast.ViewerStats{
		BytesIn: 1_250_000, BytesOut: 2_500_000, UploadCap: 250_000,
		Received: 30, Skipped: 2, MeshPeers: 4,
		Latency: broadcast.Latency{P50: 120 * time.Millisecond, P95: 480 * time.Millisecond},
		Playout: broadcast.PlayoutStats{Buffered: 5},
	})
	ps = stats()
	assert.Equal(t, "webm", ps.Format)
	assert.Equal(t, "video/webm", ps.ContentType)
	assert.InDelta(t, 1000, ps.DownloadKbps, 0.1, "250 kB in 2 s")
	assert.InDelta(t, 2000, ps.UploadKbps, 0.1)
	assert.InDelta(t, 2000, ps.UploadCapKbps, 0.1)
	assert.InDelta(t, 0.5, ps.BufferSeconds, 0.01)
	assert.EqualValues(t, 30, ps.ChunksReceived)
	assert.EqualValues(t, 2, ps.ChunksSkipped)
	assert.InDelta(t, 120, ps.LatencyP50Ms, 0.1)
	assert.InDelta(t, 480, ps.LatencyP95Ms, 0.1)
	assert.Equal(t, 4, ps.MeshPeers)
	require.NotNil(t, ps.Viewers)
	assert.Equal(t, 42, *ps.Viewers)

	body := page()
	assert.Contains(t, body, testChannelID)
	assert.Contains(t, body, `data-format="webm"`)
	assert.Contains(t, body, `<video id="video" autoplay muted playsinline controls`)
	assert.Contains(t, body, "relays the stream to other viewers")
	assert.NotContains(t, body, "http://", "self-contained: no external scripts, fonts or styles")
	assert.NotContains(t, body, "https://")
	assert.True(t, strings.HasPrefix(body, "<!DOCTYPE html>"))
}
