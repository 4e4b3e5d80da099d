package main

import (
	"testing"
	"time"

	"github.com/gridcast/gridcast/broadcast"
	pubsub "github.com/libp2p/go-libp2p-pubsub"
	pb "github.com/libp2p/go-libp2p-pubsub/pb"
	libp2ppeer "github.com/libp2p/go-libp2p/core/peer"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestHopTree(t *testing.T) {
	src, a, b, c, d, x := libp2ppeer.ID("src"), libp2ppeer.ID("a"), libp2ppeer.ID("b"), libp2ppeer.ID("c"), libp2ppeer.ID("d"), libp2ppeer.ID("x")
	// Every link is 10 ms long, but x's, which is unknown.
	tree := newHopTree(src, func(a, b libp2ppeer.ID) (time.Duration, bool) {
		return 10 * time.Millisecond, a != x && b != x
	})
	after := func(n int) time.Time { return t0.Add(time.Duration(n) * time.Millisecond) }

	// Chunk 0: src → a (50 ms) → b (+70) → c (+30); d got it from x, who
	// recorded nothing. Arrivals come in any order.
	tree.arrive(0, t0, c, b, "adsl", false, after(150))
	tree.arrive(0, t0, a, src, "fibre", false, after(50))
	tree.arrive(0, t0, b, a, "cable", false, after(120))
	tree.arrive(0, t0, d, x, "cable", false, after(400))
	tree.arrive(0, t0, a, b, "fibre", false, after(500)) // not a's first arrival
	// Chunk 10: src → b (80 ms) → a (+20), which a pulled.
	tree.arrive(10, after(1000), b, src, "cable", false, after(1080))
	tree.arrive(10, after(1000), a, b, "fibre", true, after(1100))

	assert.Equal(t, "chunk 0 reached 4, 3 late; under the source's children: 3 fibre("+shortID(a)+") 1 no path", tree.describe(0, 100*time.Millisecond))
	assert.Empty(t, tree.describe(20, time.Second))
	tree.fold(0)
	assert.Empty(t, tree.describe(0, time.Second))
	tree.arrive(0, t0, x, a, "cable", false, after(1900)) // after the fold: not recorded
	rep := tree.report()

	assert.Equal(t, 2, rep.Chunks)
	assert.Equal(t, 6, rep.Arrivals)
	assert.Equal(t, 1, rep.Unlinked)
	// Depths 1, 2, 3, 1, 2.
	assert.Equal(t, Quantiles{P50: 2, P95: 3, P99: 3}, rep.Depth)
	require.Len(t, rep.ByForwarder, 3)
	assert.Equal(t, uint64(2), rep.ByForwarder["source"].Hops)
	assert.Equal(t, uint64(1), rep.ByForwarder["fibre"].Hops)
	assert.Equal(t, uint64(2), rep.ByForwarder["cable"].Hops)
	// Within the histogram's 1%.
	assert.InDelta(t, 70, rep.ByForwarder["fibre"].DelayMs.P50, 1)
	assert.InDelta(t, 80, rep.ByForwarder["source"].DelayMs.P99, 1)
	assert.InDelta(t, 50, rep.ByForwarder["source"].DelayMs.P50, 1)
	assert.InDelta(t, 20, rep.ByForwarder["cable"].DelayMs.P50, 1)
	assert.InDelta(t, 30, rep.ByForwarder["cable"].DelayMs.P99, 1)
	assert.Equal(t, uint64(1), rep.ByForwarder["cable"].Pulled)
	assert.InDelta(t, 20, rep.ByForwarder["cable"].PulledDelayMs.P99, 1)
	assert.Zero(t, rep.ByForwarder["source"].Pulled)
	assert.InDelta(t, 50, rep.DelayMs.P50, 1) // of 20, 30, 50, 70, 80
	assert.InDelta(t, 40, rep.HeldMs.P50, 1)
	assert.InDelta(t, 60, rep.ByForwarder["fibre"].HeldMs.P50, 1)
}

func TestHopTreeLoop(t *testing.T) {
	// Records a hostile peer could make up: a and b each from the other.
	tree := newHopTree("src", noLinks)
	tree.arrive(0, t0, "a", "b", "cable", false, t0.Add(time.Second))
	tree.arrive(0, t0, "b", "a", "cable", false, t0.Add(time.Second))
	rep := tree.report()
	assert.Equal(t, 2, rep.Unlinked)
	assert.Equal(t, Quantiles{}, rep.Depth)
}

func TestHopTracerTellsPulls(t *testing.T) {
	tree := newHopTree("src", noLinks)
	tr := tree.tracer("v", "cable")
	chunk := func(idx uint64) broadcast.Chunk {
		payload := make([]byte, minRecord+macSize)
		putRecord(payload, idx, t0)
		seal(payload)
		return broadcast.Chunk{Payload: payload}
	}
	deliver := func(id string, from libp2ppeer.ID, c broadcast.Chunk) {
		tr.DeliverMessage(&pubsub.Message{Message: &pb.Message{}, ID: id, ReceivedFrom: from, ValidatorData: c})
	}
	tr.SendRPC(&pubsub.RPC{RPC: pb.RPC{Control: &pb.ControlMessage{Iwant: []*pb.ControlIWant{{MessageIDs: []string{"m0", "m10"}}}}}}, "b")

	deliver("m0", "b", chunk(0))     // asked of b, came from b: a pull
	deliver("m10", "src", chunk(10)) // asked of b, pushed by the source
	deliver("m20", "b", chunk(20))   // never asked
	deliver("m5", "b", chunk(5))     // not sampled
	forged := chunk(30)
	forged.Payload[len(forged.Payload)-1] ^= 1
	deliver("m30", "b", forged)
	tree.arrive(0, t0, "b", "src", "fibre", false, t0)
	tree.arrive(20, t0, "b", "src", "fibre", false, t0)

	rep := tree.report()
	assert.Equal(t, 3, rep.Chunks)
	assert.Equal(t, 5, rep.Arrivals)
	assert.Equal(t, uint64(2), rep.ByForwarder["fibre"].Hops)
	assert.Equal(t, uint64(1), rep.ByForwarder["fibre"].Pulled)
	assert.Zero(t, rep.ByForwarder["source"].Pulled)
}

func noLinks(_, _ libp2ppeer.ID) (time.Duration, bool) { return 0, false }

func TestLargestFeeder(t *testing.T) {
	tree := newHopTree("src", noLinks)
	_, _, _, ok := tree.largestFeeder()
	assert.False(t, ok)
	// Chunk 0: src → a → b → c, a → d. Chunk 10, the newest: src → b → a, b → c.
	for _, arr := range []struct {
		idx      uint64
		to, from libp2ppeer.ID
	}{{0, "a", "src"}, {0, "b", "a"}, {0, "c", "b"}, {0, "d", "a"}, {10, "b", "src"}, {10, "a", "b"}, {10, "c", "b"}} {
		tree.arrive(arr.idx, t0, arr.to, arr.from, "cable", false, t0)
	}
	id, class, below, ok := tree.largestFeeder()
	require.True(t, ok)
	assert.Equal(t, libp2ppeer.ID("b"), id)
	assert.Equal(t, "cable", class)
	assert.Equal(t, 2, below)
}
