package relay

import (
	"errors"
	"os"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sinkStream is a network.Stream that accepts every write at once and records
// when it happened, and reads an endless stream of zeros. Methods the limiter
// does not call are left to the nil embedded interface.
type sinkStream struct {
	network.Stream

	mu     sync.Mutex // guards sends
	sends  []send
	closed bool
}

func (s *sinkStream) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return 0, errors.New("sink closed")
	}
	s.sends = append(s.sends, send{time.Now(), int64(len(p))})
	return len(p), nil
}

func (s *sinkStream) Read(p []byte) (int, error) { clear(p); return len(p), nil }
func (s *sinkStream) Close() error               { s.mu.Lock(); s.closed = true; s.mu.Unlock(); return nil }
func (s *sinkStream) CloseWrite() error          { return s.Close() }
func (s *sinkStream) Reset() error               { return s.Close() }
func (s *sinkStream) ResetWithError(network.StreamErrorCode) error {
	return s.Close()
}
func (s *sinkStream) SetDeadline(time.Time) error      { return nil }
func (s *sinkStream) SetWriteDeadline(time.Time) error { return nil }

func (s *sinkStream) log() []send {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.sends)
}

// writeUntilError writes piece through s as fast as it is let, until a write
// fails, and returns that error.
func writeUntilError(s network.Stream, piece []byte) <-chan error {
	errc := make(chan error, 1)
	go func() {
		for {
			if _, err := s.Write(piece); err != nil {
				errc <- err
				return
			}
		}
	}()
	return errc
}

// checkCap checks sends (from start, over d) averaged within 5% of the cap
// and that no one-second window carried more than cap + burst.
func checkCap(t *testing.T, l *Limiter, sends []send, start time.Time, d time.Duration) {
	t.Helper()
	slices.SortFunc(sends, func(a, b send) int { return a.at.Compare(b.at) })
	var total int64
	var in []send
	for _, s := range sends {
		if s.at.Sub(start) < d {
			in = append(in, s)
			total += s.n
		}
	}
	busiest := maxInWindow(in, time.Second)
	t.Logf("over %v: average %.0f B/s against a cap of %d B/s; busiest second %d B against cap + burst %d B",
		d, float64(total)/d.Seconds(), l.Cap(), busiest, l.Cap()+l.Burst())
	assert.InEpsilon(t, float64(l.Cap()), float64(total)/d.Seconds(), 0.05, "average rate")
	assert.LessOrEqual(t, busiest, l.Cap()+l.Burst(), "busiest second")
}

func TestLimiterCap(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := NewLimiter(125_000) // 1 Mbit/s
		require.EqualValues(t, MinBurst, l.Burst())
		sink := &sinkStream{}
		start := time.Now()
		errc := writeUntilError(l.wrap(sink), make([]byte, 16<<10))

		time.Sleep(10 * time.Second)
		require.NoError(t, l.Close())
		assert.ErrorIs(t, <-errc, ErrClosed, "Close wakes the waiting writer")
		assert.Equal(t, start.Add(10*time.Second), time.Now(), "and at once")

		checkCap(t, l, sink.log(), start, 10*time.Second)
		var total int64
		for _, s := range sink.log() {
			total += s.n
		}
		assert.EqualValues(t, total, l.Traffic().Out)
	})
}

func TestLimiterSharedCap(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := NewLimiter(125_000)
		sinks := make([]*sinkStream, 4)
		errcs := make([]<-chan error, len(sinks))
		start := time.Now()
		for i := range sinks {
			sinks[i] = &sinkStream{}
			errcs[i] = writeUntilError(l.wrap(sinks[i]), make([]byte, 16<<10))
		}
		time.Sleep(10 * time.Second)
		require.NoError(t, l.Close())
		require.NoError(t, l.Close(), "twice")

		var all []send
		for i, s := range sinks {
			assert.ErrorIs(t, <-errcs[i], ErrClosed)
			log := s.log()
			all = append(all, log...)
			// Reservations queue in call order, so the streams share evenly:
			// 10 s of cap and the first burst, in burst-sized pieces.
			pieces := float64(10*l.Cap()+l.Burst()) / float64(l.Burst())
			assert.InDelta(t, pieces/4, len(log), 2, "stream %d", i)
		}
		checkCap(t, l, all, start, 10*time.Second)
	})
}

func TestLimiterSplitsWrites(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := NewLimiter(2_500_000) // burst is 20 ms: 50 kB
		require.EqualValues(t, 50_000, l.Burst())
		sink := &sinkStream{}
		start := time.Now()
		n, err := l.wrap(sink).Write(make([]byte, 120_000))
		require.NoError(t, err)
		assert.Equal(t, 120_000, n)
		log := sink.log()
		require.Len(t, log, 3)
		assert.Equal(t, []int64{50_000, 50_000, 20_000}, []int64{log[0].n, log[1].n, log[2].n})
		assert.Equal(t, start, log[0].at, "the first piece goes out of a full bucket")
		assert.Equal(t, 20*time.Millisecond, log[1].at.Sub(start))
		assert.Equal(t, 28*time.Millisecond, log[2].at.Sub(start))
	})
}

// stuckWriter starts a write that must wait (the bucket is drained first)
// and returns its result channel once the writer is blocked.
func stuckWriter(t *testing.T, l *Limiter, s network.Stream) <-chan error {
	t.Helper()
	_, err := s.Write(make([]byte, l.Burst()))
	require.NoError(t, err)
	errc := make(chan error, 1)
	go func() {
		_, err := s.Write(make([]byte, l.Burst()))
		errc <- err
	}()
	synctest.Wait()
	select {
	case err := <-errc:
		t.Fatalf("write did not wait: %v", err)
	default:
	}
	return errc
}

func TestPacedWriteStops(t *testing.T) {
	for _, tc := range []struct {
		name string
		stop func(network.Stream) error
		want error
	}{
		{"Reset", network.Stream.Reset, network.ErrReset},
		{"ResetWithError", func(s network.Stream) error { return s.ResetWithError(7) }, network.ErrReset},
		{"Close", network.Stream.Close, ErrStreamClosed},
		{"CloseWrite", network.Stream.CloseWrite, ErrStreamClosed},
		{"deadline", func(s network.Stream) error { return s.SetWriteDeadline(time.Now().Add(time.Millisecond)) }, os.ErrDeadlineExceeded},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				l := NewLimiter(1000)
				s := l.wrap(&sinkStream{})
				errc := stuckWriter(t, l, s)
				start := time.Now()
				require.NoError(t, tc.stop(s))
				assert.ErrorIs(t, <-errc, tc.want)
				assert.Less(t, time.Since(start), time.Second, "long before its tokens came")
			})
		})
	}
}

func TestPacedWriteDeadlinePassed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := NewLimiter(1000)
		s := l.wrap(&sinkStream{})
		require.NoError(t, s.SetDeadline(time.Now().Add(-time.Second)))
		_, err := s.Write([]byte("x"))
		assert.ErrorIs(t, err, os.ErrDeadlineExceeded)
		require.NoError(t, s.SetWriteDeadline(time.Time{}))
		_, err = s.Write([]byte("x"))
		assert.NoError(t, err, "zero deadline clears it")
	})
}

func TestLimiterCloseIsPermanent(t *testing.T) {
	for _, upload := range []int64{0, 1000} {
		l := NewLimiter(upload)
		s := l.wrap(&sinkStream{})
		require.NoError(t, l.Close())
		_, err := s.Write([]byte("late"))
		assert.ErrorIs(t, err, ErrClosed, "upload %d", upload)
		n, err := s.Read(make([]byte, 10))
		assert.NoError(t, err, "reads still pass")
		assert.Equal(t, Traffic{In: uint64(n)}, l.Traffic())
	}
}

func TestLimiterUnlimited(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := NewLimiter(0)
		assert.Zero(t, l.Cap())
		assert.Zero(t, l.Burst())
		sink := &sinkStream{}
		s := l.wrap(sink)
		start := time.Now()
		for range 100 {
			n, err := s.Write(make([]byte, 1<<20))
			require.NoError(t, err)
			require.Equal(t, 1<<20, n)
		}
		assert.Equal(t, start, time.Now(), "never waits")
		assert.Len(t, sink.log(), 100, "never splits")
		_, err := s.Read(make([]byte, 300))
		require.NoError(t, err)
		assert.Equal(t, Traffic{In: 300, Out: 100 << 20}, l.Traffic())
	})
}

func TestLimiterBurstOption(t *testing.T) {
	assert.EqualValues(t, 1000, NewLimiter(125_000, Burst(1000)).Burst())
	assert.EqualValues(t, MinBurst, NewLimiter(125_000, Burst(0)).Burst(), "0 keeps the default")
	assert.EqualValues(t, 50_000, NewLimiter(2_500_000, Burst(-1)).Burst(), "20 ms of a fast cap")
	assert.Zero(t, NewLimiter(0, Burst(1000)).Burst(), "unlimited has no bucket")
}

// stallingStream blocks every write for a while, as a transport with a
// shrunken window does.
type stallingStream struct {
	*sinkStream
	block time.Duration
}

func (s stallingStream) Write(p []byte) (int, error) {
	time.Sleep(s.block)
	return s.sinkStream.Write(p)
}

func TestLimiterCountsStalls(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := NewLimiter(125_000)
		_, err := l.wrap(stallingStream{&sinkStream{}, StallAfter - time.Millisecond}).Write(make([]byte, 100))
		require.NoError(t, err)
		assert.Zero(t, l.Stalls(), "a short block is not a stall")
		_, err = l.wrap(stallingStream{&sinkStream{}, StallAfter}).Write(make([]byte, 100))
		require.NoError(t, err)
		assert.EqualValues(t, 1, l.Stalls())

		// Waiting for tokens is pacing, not a stall.
		s := l.wrap(&sinkStream{})
		_, err = s.Write(make([]byte, 2*l.Burst()))
		require.NoError(t, err)
		_, err = s.Write(make([]byte, l.Burst()))
		require.NoError(t, err)
		assert.EqualValues(t, 1, l.Stalls())
	})
}
