package metrics

import (
	"context"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/gridcast/gridcast/internal/leaktest"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCloseLeavesNoGoroutines scrapes a served registry once, as
// Prometheus would, and closes the server with the scrape's connection
// still open: Close must end every goroutine Serve started.
func TestCloseLeavesNoGoroutines(t *testing.T) {
	leaktest.Check(t)

	reg := prometheus.NewRegistry()
	reg.MustRegister(NewViewerCollector(&fakeViewer{ch: channelForTest(t, 1, "news"), stats: viewerStatsForTest()}))
	s, err := Serve("127.0.0.1:0", reg)
	require.NoError(t, err)
	// Also on a failed require, so the leak check reports the leak it was
	// written for and not the server the test abandoned.
	t.Cleanup(func() { _ = s.Close() })
	// A Transport of the test's own, keeping its connection alive like a
	// scraper's: that connection's goroutines are the test's, and must be
	// gone before the check runs (this cleanup runs before the check's).
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	hc := &http.Client{Transport: tr}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)

	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+s.Addr().String()+"/metrics", nil)
	require.NoError(t, err)
	resp, err := hc.Do(req)
	require.NoError(t, err)
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, string(body), `gridcast_chunks_received_total{channel="12D3KooWK99VoVxNE7XzyBwXEzW7xhK7Gpv85r9F3V3fyKSUKPH5/news"} 10`)

	// Close before the client drops its idle connection: Shutdown must
	// close it, not wait for the idle timeout.
	start := time.Now()
	require.NoError(t, s.Close())
	assert.Less(t, time.Since(start), shutdownTimeout, "Close waited for the idle connection")
}
