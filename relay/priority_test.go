package relay

import (
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTokenBucketTakeIfAvailable(t *testing.T) {
	b := NewTokenBucket(1000, 4000, t0)
	ok, retry := b.TakeIfAvailable(t0, 3000)
	assert.True(t, ok)
	assert.Zero(t, retry)
	ok, retry = b.TakeIfAvailable(t0, 2000)
	assert.False(t, ok, "1000 tokens left")
	assert.Equal(t, time.Second, retry, "until 2000 are there")
	assert.Zero(t, b.Reserve(t0, 1000), "a refused take took nothing")

	// Debt from Reserve blocks TakeIfAvailable until it is paid off.
	assert.Equal(t, 500*time.Millisecond, b.Reserve(t0, 500))
	ok, retry = b.TakeIfAvailable(t0, 1)
	assert.False(t, ok)
	assert.Equal(t, 501*time.Millisecond, retry)

	// A take larger than the burst needs a full bucket and then goes into
	// debt like Reserve.
	later := t0.Add(10 * time.Second)
	ok, _ = b.TakeIfAvailable(later, 6000)
	assert.True(t, ok)
	assert.Equal(t, 2001*time.Millisecond, b.Reserve(later, 1))

	ok, _ = NewTokenBucket(0, 0, t0).TakeIfAvailable(t0, 1<<40)
	assert.True(t, ok, "unlimited")
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
		require.EqualValues(t, 16<<10, l.Burst())
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

func TestUnprioritizedWriteWaitsOutSaturatedMesh(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := saturate(t, func(p peer.ID) bool { return p == "mesh" })
		time.Sleep(5 * time.Second)
		assert.Empty(t, s.spare.log(), "no spare capacity, no write")

		require.NoError(t, s.stream.Reset())
		assert.ErrorIs(t, <-s.done, network.ErrReset, "a waiting write still ends with its stream")
		s.close(t)
	})
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
