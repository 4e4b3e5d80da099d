package player

import (
	"io"
	"net/http"
	"runtime"
	"runtime/pprof"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// newTestServer starts a server on a loopback port and returns it with its
// base URL and an HTTP client of its own.
func newTestServer(t *testing.T, src Source, opts ...Option) (*Server, string, *http.Client) {
	t.Helper()
	s, err := New(src, opts...)
	require.NoError(t, err)
	addr, err := s.Listen("127.0.0.1:0")
	require.NoError(t, err)
	tr := &http.Transport{}
	t.Cleanup(func() {
		assert.NoError(t, s.Close())
		tr.CloseIdleConnections()
	})
	return s, "http://" + addr.String(), &http.Client{Transport: tr}
}

func get(t *testing.T, hc *http.Client, url string) *http.Response {
	t.Helper()
	resp, err := hc.Get(url)
	require.NoError(t, err)
	t.Cleanup(func() { _ = resp.Body.Close() })
	return resp
}

func readN(t *testing.T, r io.Reader, n int) string {
	t.Helper()
	buf := make([]byte, n)
	_, err := io.ReadFull(r, buf)
	require.NoError(t, err)
	return string(buf)
}

func readAll(t *testing.T, r io.Reader) string {
	t.Helper()
	b, err := io.ReadAll(r)
	require.NoError(t, err)
	return string(b)
}

func TestTwoPlayersStartWithHeaderAndCleanStart(t *testing.T) {
	src := newStepSource(t)
	_, base, hc := newTestServer(t, src)

	src.push(chunk(0, "P00")) // no player can start here
	first := make(chan *http.Response, 1)
	go func() {
		resp, err := hc.Get(base + "/stream")
		if err != nil {
			close(first)
			return
		}
		first <- resp
	}()
	src.push(chunk(1, "K01"))
	a, ok := <-first
	require.True(t, ok, "first player's request failed")
	defer a.Body.Close()
	b := get(t, hc, base+"/stream.webm")
	src.push(chunk(2, "P02"), chunk(3, "P03"), chunk(4, "K04"), chunk(5, "P05"))
	src.end()

	for _, resp := range []*http.Response{a, b} {
		assert.Equal(t, http.StatusOK, resp.StatusCode)
		assert.Equal(t, "video/webm", resp.Header.Get("Content-Type"))
		assert.Equal(t, "no-store", resp.Header.Get("Cache-Control"))
		assert.EqualValues(t, -1, resp.ContentLength, "a live stream has no length")
		assert.Equal(t, testHeader+"K01P02P03K04P05", readAll(t, resp.Body), "ends at the end of the stream")
	}
}

func TestLateJoinerStartsAtCachedCleanStart(t *testing.T) {
	src := newStepSource(t)
	s, base, hc := newTestServer(t, src)

	src.push(chunk(0, "K00"), chunk(1, "P01"), chunk(2, "K02"), chunk(3, "P03"), chunk(4, "P04"))
	resp := get(t, hc, base+"/stream")
	sub := s.Subscribe()
	defer sub.Close()
	src.push(chunk(5, "P05"))
	src.end()

	want := testHeader + "K02P03P04P05"
	assert.Equal(t, want, readAll(t, resp.Body))
	assert.Equal(t, want, readAll(t, sub))
	assert.EqualValues(t, 2*len(want), s.Stats().BytesServed)
}

func TestRunLongerThanCacheWaitsForNextCleanStart(t *testing.T) {
	src := newStepSource(t)
	s, base, hc := newTestServer(t, src, WithCacheLimit(1<<10, 3))

	src.push(chunk(0, "K00"), chunk(1, "P01"), chunk(2, "P02"), chunk(3, "P03")) // 4 chunks: not cached
	resp := get(t, hc, base+"/stream")
	src.push(chunk(4, "P04"), chunk(5, "K05"), chunk(6, "P06"))
	src.end()

	assert.Equal(t, testHeader+"K05P06", readAll(t, resp.Body))
	assert.Zero(t, s.Stats().Drops, "waiting for a first clean start is not a drop")
}

func TestSlowPlayerDoesNotStallOthersAndResyncs(t *testing.T) {
	src := newStepSource(t)
	s, base, hc := newTestServer(t, src, WithCacheLimit(1<<10, 10), WithQueueLimit(1<<20, 10))

	slow := s.Subscribe()
	defer slow.Close()
	src.push(chunk(0, "K00"))
	assert.Equal(t, testHeader+"K00", readN(t, slow, len(testHeader)+3))
	fast := get(t, hc, base+"/stream")
	assert.Equal(t, testHeader+"K00", readN(t, fast.Body, len(testHeader)+3))

	// The slow player stops reading: its queue of 10 is full at K10, so
	// P11 cuts it back to P01..P09, the rest of the run it is in, and it
	// waits for the next clean start. K20 fits, but P21 cuts again.
	ps, _ := run(1, 29, func(i uint64) bool { return i%10 == 0 })
	for _, p := range ps {
		src.push(p)
		assert.Equal(t, string(p.Payload), readN(t, fast.Body, len(p.Payload)), "fast player, chunk %d", p.Seq)
	}
	assert.EqualValues(t, 1+9+1+9, s.Stats().Drops, "K10, P11..P19, K20, P21..P29")

	// It reads again: the end of its run, then the next clean start, with
	// no second header and nothing cut inside a run.
	_, rest := run(1, 9, func(uint64) bool { return false })
	assert.Equal(t, rest, readN(t, slow, len(rest)))
	src.push(chunk(30, "K30"), chunk(31, "P31"))
	assert.Equal(t, "K30P31", readN(t, fast.Body, 6))
	src.end()
	assert.Empty(t, readAll(t, fast.Body))
	assert.Equal(t, "K30P31", readAll(t, slow))
}

func TestSlowPlayerInsideLongRunLosesItsQueue(t *testing.T) {
	src := newStepSource(t)
	s, err := New(src, WithCacheLimit(1<<10, 10), WithQueueLimit(1<<20, 10))
	require.NoError(t, err)
	defer s.Close()
	slow := s.Subscribe()
	defer slow.Close()

	ps, _ := run(0, 15, func(i uint64) bool { return i == 0 })
	src.push(ps...)
	src.push(chunk(16, "K16"), chunk(17, "P17"))
	src.end()
	assert.Equal(t, testHeader+"K16P17", readAll(t, slow), "no clean start queued: the whole queue goes")
	assert.EqualValues(t, 10+6, s.Stats().Drops, "K00..P09 queued, P10..P15")
}

func TestCloseEndsPlayersAndGoroutines(t *testing.T) {
	baseline := runtime.NumGoroutine()
	src := newStepSource(t)
	s, err := New(src)
	require.NoError(t, err)
	addr, err := s.Listen("127.0.0.1:0")
	require.NoError(t, err)
	tr := &http.Transport{}
	hc := &http.Client{Transport: tr}

	src.push(chunk(0, "K00"))
	resp, err := hc.Get("http://" + addr.String() + "/stream")
	require.NoError(t, err)
	assert.Equal(t, testHeader+"K00", readN(t, resp.Body, len(testHeader)+3))
	sub := s.Subscribe()
	readErr := make(chan error, 1)
	go func() {
		_, err := io.Copy(io.Discard, sub)
		readErr <- err
	}()
	src.push(chunk(1, "P01"))

	require.NoError(t, s.Close())
	require.NoError(t, s.Close(), "a second Close")
	assert.ErrorIs(t, <-readErr, ErrClosed)
	_, _ = io.Copy(io.Discard, resp.Body) // returns: the response ended
	require.NoError(t, resp.Body.Close())
	tr.CloseIdleConnections()

	_, err = s.Subscribe().Read(make([]byte, 1))
	assert.ErrorIs(t, err, ErrClosed)
	_, err = s.Listen("127.0.0.1:0")
	assert.ErrorIs(t, err, ErrClosed)
	// +1: Eventually calls the condition on a goroutine of its own.
	if !assert.Eventually(t, func() bool { return runtime.NumGoroutine() <= baseline+1 },
		5*time.Second, 10*time.Millisecond, "goroutines before: %d", baseline) {
		var b strings.Builder
		_ = pprof.Lookup("goroutine").WriteTo(&b, 1)
		t.Log(b.String())
	}
}

func TestStreamAnswersWithoutStream(t *testing.T) {
	t.Run("no clean start within the timeout", func(t *testing.T) {
		src := newStepSource(t)
		_, base, hc := newTestServer(t, src, WithStartTimeout(50*time.Millisecond))
		src.push(chunk(0, "P00"))
		resp := get(t, hc, base+"/stream")
		assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
		assert.Contains(t, resp.Header.Get("Content-Type"), "text/plain")
		assert.Contains(t, readAll(t, resp.Body), "no clean start point")
	})
	t.Run("ended before a clean start", func(t *testing.T) {
		src := newStepSource(t)
		_, base, hc := newTestServer(t, src)
		src.push(chunk(0, "P00"))
		src.end()
		resp := get(t, hc, base+"/stream")
		assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
		assert.Contains(t, readAll(t, resp.Body), "ended")
	})
	t.Run("ended", func(t *testing.T) {
		src := newStepSource(t)
		s, base, hc := newTestServer(t, src)
		src.push(chunk(0, "K00"))
		src.end()
		require.Eventually(t, func() bool { return s.Stats().Ended }, 5*time.Second, time.Millisecond)
		assert.Equal(t, http.StatusGone, get(t, hc, base+"/stream").StatusCode)
	})
	t.Run("wrong extension and too many players", func(t *testing.T) {
		src := newStepSource(t)
		_, base, hc := newTestServer(t, src, WithMaxPlayers(1))
		src.push(chunk(0, "K00"))
		resp := get(t, hc, base+"/stream.ts")
		assert.Equal(t, http.StatusNotFound, resp.StatusCode)
		assert.Contains(t, readAll(t, resp.Body), "/stream.webm")
		assert.Equal(t, http.StatusOK, get(t, hc, base+"/stream.webm").StatusCode)
		assert.Equal(t, http.StatusServiceUnavailable, get(t, hc, base+"/stream").StatusCode)
	})
}

func TestOptionsRejectBadValues(t *testing.T) {
	src := newStepSource(t)
	for name, opt := range map[string]Option{
		"cache above queue": WithCacheLimit(DefaultQueueBytes+1, 1),
		"negative cache":    WithCacheLimit(-1, 0),
		"zero queue":        WithQueueLimit(0, 1),
		"zero timeout":      WithStartTimeout(0),
		"zero players":      WithMaxPlayers(0),
		"nil clock":         WithNow(nil),
	} {
		_, err := New(src, opt)
		assert.Error(t, err, name)
	}
	_, err := New(nil)
	assert.Error(t, err)
}
