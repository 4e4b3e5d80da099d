package player

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/gridcast/gridcast/internal/leaktest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCloseLeavesNoGoroutines plays to HTTP players and a Subscribe client
// as an application would, one player leaving early and one still
// connected, not reading, when the server closes: Close must end every
// goroutine the server and its handlers started.
func TestCloseLeavesNoGoroutines(t *testing.T) {
	leaktest.Check(t)

	src := newStepSource(t)
	// Room to queue the big chunks below whole: a cut would leave the
	// staying player's handler waiting for a chunk instead of writing.
	s, err := New(src, WithQueueLimit(64<<20, DefaultQueueChunks))
	require.NoError(t, err)
	// Also on a failed require, so the leak check reports the leak it was
	// written for and not the server the test abandoned.
	t.Cleanup(func() { _ = s.Close() })
	addr, err := s.Listen("127.0.0.1:0")
	require.NoError(t, err)
	base := "http://" + addr.String()
	// A Transport of the test's own: the pooled keep-alive connections of
	// /stats are the test's goroutines, not the server's, and must be gone
	// before the check runs (this cleanup runs before the check's).
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	hc := &http.Client{Transport: tr}
	// Bounds every request, so a response Close failed to end fails the
	// test instead of hanging it.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	fetch := func(path string) *http.Response {
		t.Helper()
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+path, nil)
		require.NoError(t, err)
		resp, err := hc.Do(req)
		require.NoError(t, err)
		t.Cleanup(func() { _ = resp.Body.Close() })
		require.Equal(t, http.StatusOK, resp.StatusCode, path)
		return resp
	}

	src.push(chunk(0, "K00"))
	leaving, staying := fetch("/stream"), fetch("/stream.webm")
	start := testHeader + "K00"
	assert.Equal(t, start, readN(t, leaving.Body, len(start)))
	assert.Equal(t, start, readN(t, staying.Body, len(start)))
	sub := s.Subscribe()
	t.Cleanup(func() { _ = sub.Close() })
	assert.Equal(t, start, readN(t, sub, len(start)))

	src.push(chunk(1, "P01"))
	assert.Equal(t, "P01", readN(t, leaving.Body, 3))
	assert.Equal(t, "P01", readN(t, sub, 3))

	stats := fetch("/stats")
	var ps pageStats
	require.NoError(t, json.NewDecoder(stats.Body).Decode(&ps))
	require.NoError(t, stats.Body.Close())
	assert.Equal(t, "webm", ps.Format)
	assert.Equal(t, 3, ps.Players, "two /stream players and a Subscribe client")

	// A player that goes away mid-stream ends its handler at once, not at
	// Close.
	require.NoError(t, leaving.Body.Close())
	require.NoError(t, sub.Close())
	require.Eventually(t, func() bool { return s.Stats().Players == 1 }, 10*time.Second, 10*time.Millisecond,
		"the player that left and the closed client are still counted")

	// The staying player stops reading while far more than the loopback
	// socket buffers hold arrives, so its handler is blocked writing when
	// the server closes.
	const bigChunks = 16
	big := bytes.Repeat([]byte("x"), 2<<20)
	for i := range uint64(bigChunks) {
		p := chunk(2+i, "P")
		p.Payload = big
		src.push(p)
	}
	require.NoError(t, s.Close())

	// Close returned, so it waited for the staying player's handler; the
	// response it was writing ends without the player closing it.
	n, _ := io.Copy(io.Discard, staying.Body)
	assert.Less(t, n, int64(bigChunks*len(big)), "the whole stream arrived: the handler was never blocked")
	require.NoError(t, staying.Body.Close())
	_, err = sub.Read(make([]byte, 1))
	assert.ErrorIs(t, err, ErrClosed)
	assert.Positive(t, s.Stats().BytesServed)
}
