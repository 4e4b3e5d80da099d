package relay

import (
	"sync"
	"testing"
	"testing/synctest"
	"time"

	pb "github.com/libp2p/go-libp2p-pubsub/pb"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// gossipSink is a peerStream speaking GossipSub that keeps what is written.
type gossipSink struct {
	peerStream
	mu     sync.Mutex
	frames [][]byte
}

func newGossipSink(p peer.ID) *gossipSink {
	return &gossipSink{peerStream: peerStream{&sinkStream{}, p}}
}

func (s *gossipSink) Protocol() protocol.ID { return "/meshsub/1.2.0" }

func (s *gossipSink) Write(p []byte) (int, error) {
	s.mu.Lock()
	s.frames = append(s.frames, append([]byte(nil), p...))
	s.mu.Unlock()
	return s.sinkStream.Write(p)
}

func (s *gossipSink) written() [][]byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.frames
}

// otherProtocol is a peerStream of a protocol other than GossipSub.
type otherProtocol struct{ peerStream }

func (otherProtocol) Protocol() protocol.ID { return "/ipfs/ping/1.0.0" }

// chunkFrame is an RPC carrying one chunk-sized message.
func chunkFrame(t *testing.T, data string, size int) ([]byte, *pb.Message) {
	m := testMessage("src", data+string(make([]byte, size)))
	return frameOf(t, &pb.RPC{Publish: []*pb.Message{m}}), m
}

func TestSkipHeldAtWrite(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const p = peer.ID("peer")
		held := NewHeld()
		l := NewLimiter(10_000, SkipHeld(held))
		sink := newGossipSink(p)
		s := l.wrap(sink)

		frame, m := chunkFrame(t, "a", 4000)
		held.Add(p, MessageID(m))
		n, err := s.Write(frame)
		require.NoError(t, err)
		assert.Equal(t, len(frame), n, "reported as written")
		assert.Zero(t, len(sink.written()), "a chunk the peer holds is not sent")
		assert.Equal(t, Spared{Copies: 1, Bytes: uint64(len(frame))}, l.Spared())
		assert.Zero(t, l.Traffic().Out)

		other, _ := chunkFrame(t, "b", 4000)
		_, err = s.Write(other)
		require.NoError(t, err)
		assert.Equal(t, 1, len(sink.written()), "others are")

		// Another peer's stream is not affected by what p holds.
		sink2 := newGossipSink("other")
		_, err = l.wrap(sink2).Write(frame)
		require.NoError(t, err)
		assert.Equal(t, 1, len(sink2.written()))

		// Nor is a stream of another protocol.
		plain := &sinkStream{}
		_, err = l.wrap(otherProtocol{peerStream{plain, p}}).Write(frame)
		require.NoError(t, err)
		assert.Len(t, plain.log(), 1)
	})
}

func TestSkipHeldAfterWaiting(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const p = peer.ID("peer")
		held := NewHeld()
		l := NewLimiter(10_000, SkipHeld(held)) // burst 4 KiB
		sink := newGossipSink(p)
		s := l.wrap(sink)

		// Drain the bucket (in one write); the next chunk, in one piece,
		// waits about 0.4 s for its tokens.
		first, _ := chunkFrame(t, "first", int(l.Burst())-100)
		_, err := s.Write(first)
		require.NoError(t, err)
		start := time.Now()
		queued, m := chunkFrame(t, "queued", int(l.Burst())-200)
		require.LessOrEqual(t, int64(len(queued)), l.Burst())
		done := make(chan error, 1)
		go func() {
			n, err := s.Write(queued)
			assert.Equal(t, len(queued), n)
			done <- err
		}()
		synctest.Wait()
		assert.Greater(t, l.Backlog(), 300*time.Millisecond, "it waits")

		// The peer gets the chunk elsewhere and says IDONTWANT.
		time.Sleep(200 * time.Millisecond)
		held.Add(p, MessageID(m))
		require.NoError(t, <-done)
		assert.Equal(t, 1, len(sink.written()), "the queued copy is left out when its turn comes")
		assert.EqualValues(t, 1, l.Spared().Copies)
		waited := time.Since(start)
		assert.Greater(t, waited, 300*time.Millisecond)

		// Its tokens come back: the next chunk goes out at once.
		next, _ := chunkFrame(t, "next", 3000) // smaller than the copy left out
		_, err = s.Write(next)
		require.NoError(t, err)
		assert.Equal(t, waited, time.Since(start), "no wait")
		assert.Equal(t, 2, len(sink.written()))
	})
}

func TestSkipHeldControlGoesFirst(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const p = peer.ID("peer")
		l := NewLimiter(10_000, SkipHeld(NewHeld()))
		sink := newGossipSink(p)
		s := l.wrap(sink)
		// A chunk to another peer puts the bucket 0.4 s into debt.
		_ = stuckWriter(t, l, l.wrap(newGossipSink("other")))
		backlog := l.Backlog()
		require.Greater(t, backlog, 300*time.Millisecond)

		idontwant := frameOf(t, &pb.RPC{Control: &pb.ControlMessage{
			Idontwant: []*pb.ControlIDontWant{{MessageIDs: []string{string(make([]byte, 32))}}}}})
		start := time.Now()
		n, err := s.Write(idontwant)
		require.NoError(t, err)
		assert.Equal(t, len(idontwant), n)
		assert.Equal(t, start, time.Now(), "a small control frame does not wait")
		assert.Equal(t, 1, len(sink.written()))
		assert.Greater(t, l.Backlog(), backlog, "but its bytes are charged")
		assert.EqualValues(t, 1, l.Spared().ControlBypass)
		require.NoError(t, l.Close())
	})
}

func TestWithoutSkipHeldEverythingWaits(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := NewLimiter(10_000)
		sink := newGossipSink("peer")
		_ = stuckWriter(t, l, l.wrap(newGossipSink("other")))
		idontwant := frameOf(t, &pb.RPC{Control: &pb.ControlMessage{
			Idontwant: []*pb.ControlIDontWant{{MessageIDs: []string{"x"}}}}})
		done := make(chan struct{})
		go func() {
			_, _ = l.wrap(sink).Write(idontwant)
			close(done)
		}()
		synctest.Wait()
		select {
		case <-done:
			t.Fatal("a control frame went ahead without SkipHeld")
		default:
		}
		require.NoError(t, l.Close())
		<-done
	})
}
