package relay

import (
	"os"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTokenBucketTakeUpTo(t *testing.T) {
	b := NewTokenBucket(1000, 4000, t0)
	n, retry := b.TakeUpTo(t0, 3000, 3000)
	assert.EqualValues(t, 3000, n)
	assert.Zero(t, retry)
	n, retry = b.TakeUpTo(t0, 2000, 2000)
	assert.Zero(t, n, "1000 tokens left, 2000 needed")
	assert.Equal(t, time.Second, retry, "until 2000 are there")
	n, _ = b.TakeUpTo(t0, 2000, 500)
	assert.EqualValues(t, 1000, n, "all there is, which is at least 500")
	n, retry = b.TakeUpTo(t0, 2000, 0)
	assert.Zero(t, n, "empty")
	assert.Equal(t, time.Millisecond, retry, "least is at least one byte")
	assert.Zero(t, b.Backlog(t0), "spare takes never go into debt")

	// Debt from Reserve blocks TakeUpTo until it is paid off.
	assert.Equal(t, time.Second, b.Reserve(t0, 1000))
	assert.Equal(t, time.Second, b.Backlog(t0))
	n, retry = b.TakeUpTo(t0, 1, 1)
	assert.Zero(t, n)
	assert.Equal(t, 1001*time.Millisecond, retry)

	later := t0.Add(time.Hour)
	n, _ = b.TakeUpTo(later, 6000, 1000)
	assert.EqualValues(t, 4000, n, "at most the burst")
	n, _ = NewTokenBucket(0, 0, t0).TakeUpTo(t0, 1<<40, 1)
	assert.EqualValues(t, 1<<40, n, "unlimited")
	n, retry = b.TakeUpTo(later, 0, 0)
	assert.Zero(t, n)
	assert.Zero(t, retry)
}

// fakeConn is the network.Conn of a peerStream: only RemotePeer is used.
type fakeConn struct {
	network.Conn
	p peer.ID
}

func (c fakeConn) RemotePeer() peer.ID { return c.p }

// peerStream is a sinkStream to a given peer.
type peerStream struct {
	*sinkStream
	p peer.ID
}

func (s peerStream) Conn() network.Conn { return fakeConn{p: s.p} }

func TestPrioritizedPeersComeFirst(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const mesh, other = peer.ID("mesh"), peer.ID("other")
		l := NewLimiter(100_000, PrioritizePeers(func(p peer.ID) bool { return p == mesh }))
		require.EqualValues(t, MinBurst, l.Burst())
		urgent, spare := &sinkStream{}, &sinkStream{}
		us := l.wrap(peerStream{urgent, mesh})
		start := time.Now()

		// The peer outside the mesh asks for far more than the cap: a flood
		// of IWANT answers.
		errc := writeUntilError(l.wrap(peerStream{spare, other}), make([]byte, 4<<10))

		// The mesh gets 5 kB every 100 ms, half the cap. Spare writes take
		// only tokens that are there, so a mesh write waits at most for its
		// own 5 kB (50 ms), never behind the flood.
		var worst time.Duration
		for k := range 100 {
			due := start.Add(time.Duration(k) * 100 * time.Millisecond)
			time.Sleep(time.Until(due))
			_, err := us.Write(make([]byte, 5000))
			require.NoError(t, err)
			worst = max(worst, time.Since(due))
		}
		t.Logf("mesh writes waited at most %v", worst)
		assert.LessOrEqual(t, worst, 50*time.Millisecond+time.Microsecond)

		// With the mesh quiet, the spare writer gets the whole cap.
		time.Sleep(10 * time.Second)
		require.NoError(t, l.Close())
		assert.ErrorIs(t, <-errc, ErrClosed)

		all := append(urgent.log(), spare.log()...)
		checkCap(t, l, all, start, 20*time.Second)
		var spareFirst, spareLast int64
		for _, s := range spare.log() {
			if s.at.Sub(start) < 10*time.Second {
				spareFirst += s.n
			} else {
				spareLast += s.n
			}
		}
		assert.InEpsilon(t, 500_000, spareFirst, 0.1, "the spare half of the cap while the mesh was busy")
		assert.InEpsilon(t, 1_000_000, spareLast, 0.1, "the whole cap after")
	})
}

// saturated is a limiter whose cap a writer to peer "mesh" uses whole, and
// a 1000-byte write to peer "other" waiting for spare tokens.
type saturated struct {
	l       *Limiter
	meshErr <-chan error // the mesh writer's end
	spare   *sinkStream  // what reached "other"
	stream  network.Stream
	done    chan error // the waiting write's result
}

func saturate(t *testing.T, urgent func(peer.ID) bool) *saturated {
	t.Helper()
	s := &saturated{l: NewLimiter(100_000, PrioritizePeers(urgent)), spare: &sinkStream{}, done: make(chan error, 1)}
	s.meshErr = writeUntilError(s.l.wrap(peerStream{&sinkStream{}, "mesh"}), make([]byte, 16<<10))
	synctest.Wait() // the mesh writer has drained the bucket and waits in debt
	s.stream = s.l.wrap(peerStream{s.spare, "other"})
	go func() {
		_, err := s.stream.Write(make([]byte, 1000))
		s.done <- err
	}()
	return s
}

func (s *saturated) close(t *testing.T) {
	require.NoError(t, s.l.Close())
	assert.ErrorIs(t, <-s.meshErr, ErrClosed)
}

func TestSpareWriteQueuesAfterSpareWait(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := saturate(t, func(p peer.ID) bool { return p == "mesh" })
		start := time.Now()
		time.Sleep(SpareWait - time.Millisecond)
		assert.Empty(t, s.spare.log(), "no spare capacity, no write")
		require.NoError(t, <-s.done, "then it queues like a mesh write")
		waited := time.Since(start)
		t.Logf("the spare write went out after %v", waited)
		assert.GreaterOrEqual(t, waited, SpareWait)
		assert.Less(t, waited, SpareWait+time.Second, "behind one mesh piece at most")
		s.close(t)
	})
}

func TestWaitingSpareWriteEnds(t *testing.T) {
	for _, tc := range []struct {
		name string
		stop func(*saturated) error
		want error
	}{
		{"Reset", func(s *saturated) error { return s.stream.Reset() }, network.ErrReset},
		{"deadline", func(s *saturated) error { return s.stream.SetWriteDeadline(time.Now().Add(time.Second)) }, os.ErrDeadlineExceeded},
		{"Close limiter", func(s *saturated) error { return s.l.Close() }, ErrClosed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				s := saturate(t, func(p peer.ID) bool { return p == "mesh" })
				time.Sleep(time.Second)
				start := time.Now()
				require.NoError(t, tc.stop(s))
				assert.ErrorIs(t, <-s.done, tc.want)
				assert.LessOrEqual(t, time.Since(start), time.Second)
				assert.Empty(t, s.spare.log())
				s.close(t)
			})
		})
	}
}

func TestPriorityIsAskedAgainWhileWaiting(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var grafted atomic.Bool
		s := saturate(t, func(p peer.ID) bool { return p == "mesh" || (p == "other" && grafted.Load()) })
		time.Sleep(time.Second)
		require.Empty(t, s.spare.log())
		grafted.Store(true)
		select {
		case err := <-s.done:
			require.NoError(t, err)
		case <-time.After(time.Second):
			t.Fatal("a write to a newly grafted peer still waits")
		}
		s.close(t)
	})
}

// Spare writes are not served in order among themselves: small ones can
// take every token as it comes. A large one beside them still goes out
// within SpareWait, when it queues like a mesh write.
func TestLargeSpareWriteIsServedWithinSpareWait(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := NewLimiter(100_000, PrioritizePeers(func(p peer.ID) bool { return p == "mesh" }))
		ms := l.wrap(peerStream{&sinkStream{}, "mesh"})
		meshDone := make(chan struct{})
		begin := time.Now()
		go func() {
			defer close(meshDone)
			for k := 0; ; k++ {
				// Half the cap, as chunks of 5 kB every 100 ms.
				time.Sleep(time.Until(begin.Add(time.Duration(k) * 100 * time.Millisecond)))
				if _, err := ms.Write(make([]byte, 5000)); err != nil {
					return
				}
			}
		}()
		floodErr := writeUntilError(l.wrap(peerStream{&sinkStream{}, "a"}), make([]byte, 500))
		time.Sleep(2 * time.Second) // the flood takes every spare token as it comes
		big := &sinkStream{}
		start := time.Now()
		_, err := l.wrap(peerStream{big, "b"}).Write(make([]byte, 16<<10))
		require.NoError(t, err)
		took := time.Since(start)
		t.Logf("16 KiB beside a flood of 500-byte writes took %v in %d pieces", took, len(big.log()))
		assert.Less(t, took, SpareWait+time.Second)
		var total int64
		for _, piece := range big.log() {
			total += piece.n
		}
		assert.EqualValues(t, 16<<10, total)
		require.NoError(t, l.Close())
		assert.ErrorIs(t, <-floodErr, ErrClosed)
		<-meshDone
	})
}

func TestLimiterBacklog(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := NewLimiter(100_000)
		assert.Zero(t, l.Backlog())
		s := l.wrap(&sinkStream{})
		_, err := s.Write(make([]byte, l.Burst()))
		require.NoError(t, err)
		assert.Zero(t, l.Backlog(), "the burst leaves at once and owes nothing")
		done := make(chan struct{})
		go func() {
			defer close(done)
			_, _ = s.Write(make([]byte, 4000))
		}()
		synctest.Wait()
		assert.Equal(t, 40*time.Millisecond, l.Backlog(), "4 kB queued at 100 kB/s")
		<-done
		assert.Zero(t, NewLimiter(0).Backlog(), "unlimited")
	})
}
