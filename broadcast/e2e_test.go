package broadcast_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"io"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/gridcast/gridcast/broadcast"
	"github.com/gridcast/gridcast/peer"
	"github.com/gridcast/gridcast/relay"
	"github.com/libp2p/go-libp2p"
	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	libp2ppeer "github.com/libp2p/go-libp2p/core/peer"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The end-to-end tests run real libp2p hosts over TCP on 127.0.0.1.

const (
	testBitrate = 4_000_000 / 8 // bytes/s the test streams are paced to
	streamSize  = 2 << 20
)

func newNode(t *testing.T, budget relay.Budget, role relay.Role) *peer.Node {
	t.Helper()
	n, err := peer.New(t.Context(),
		peer.WithListenAddrs("/ip4/127.0.0.1/tcp/0"),
		peer.WithRelay(budget, testBitrate, role))
	require.NoError(t, err)
	t.Cleanup(func() { n.Close() })
	return n
}

func connect(t *testing.T, from, to *peer.Node) {
	t.Helper()
	require.NoError(t, from.Connect(t.Context(), *host.InfoFromHost(to.Host())))
}

func knownBytes(n int) []byte {
	data := make([]byte, n)
	rng := rand.NewChaCha8([32]byte{'g', 'r', 'i', 'd'})
	rng.Read(data)
	return data
}

// waitForMesh waits until the channel's mesh links every node to the
// first (the source), so the stream's first chunk reaches all of them by
// push rather than by the slower gossip repair. A node pushes only to the
// peers in its own view of the mesh, and the two ends of a GRAFT see it at
// different times: a viewer that has grafted the source is not fed until
// the source has taken the GRAFT, so only the sender's view counts.
func waitForMesh(t *testing.T, ch broadcast.Channel, nodes ...*peer.Node) {
	t.Helper()
	require.Eventually(t, func() bool {
		edges := make(map[libp2ppeer.ID][]libp2ppeer.ID)
		for _, n := range nodes {
			edges[n.ID()] = n.Monitor().MeshPeers(ch.Topic())
		}
		reached := map[libp2ppeer.ID]bool{nodes[0].ID(): true}
		queue := []libp2ppeer.ID{nodes[0].ID()}
		for len(queue) > 0 {
			next := queue[0]
			queue = queue[1:]
			for _, p := range edges[next] {
				if !reached[p] {
					reached[p] = true
					queue = append(queue, p)
				}
			}
		}
		for _, n := range nodes {
			if !reached[n.ID()] {
				return false
			}
		}
		return true
	}, 20*time.Second, 50*time.Millisecond, "mesh did not connect every node to the source")
}

// chain starts a source node and two viewer nodes, near connected to the
// source and far only to near.
func chain(t *testing.T) (source, near, far *peer.Node) {
	t.Helper()
	source = newNode(t, relay.Budget{}, relay.RoleSource)
	near = newNode(t, relay.Budget{}, relay.RoleViewer)
	far = newNode(t, relay.Budget{}, relay.RoleViewer)
	connect(t, near, source)
	connect(t, far, near)
	return source, near, far
}

// pair starts a broadcaster of channel name and one viewer connected to
// it, and waits for their mesh.
func pair(t *testing.T, name string, opts ...broadcast.BroadcasterOption) (source *peer.Node, b *broadcast.Broadcaster, viewerNode *peer.Node, v *broadcast.Viewer) {
	t.Helper()
	source = newNode(t, relay.Budget{}, relay.RoleSource)
	viewerNode = newNode(t, relay.Budget{}, relay.RoleViewer)
	connect(t, viewerNode, source)
	b, err := broadcast.NewBroadcaster(source, name, opts...)
	require.NoError(t, err)
	v = watch(t, b.Channel(), viewerNode)[0]
	waitForMesh(t, b.Channel(), source, viewerNode)
	return source, b, viewerNode, v
}

// watch starts a viewer of ch on each node, closed when the test ends.
func watch(t *testing.T, ch broadcast.Channel, nodes ...*peer.Node) []*broadcast.Viewer {
	t.Helper()
	return watchWith(t, ch, nil, nodes...)
}

// patient is a viewer option for tests that compare every byte: a
// playout deadline of 30 s, so that a chunk delayed on a loaded machine is
// waited for rather than skipped.
func patient() []broadcast.ViewerOption {
	cfg := broadcast.DefaultPlayoutConfig()
	cfg.Deadline = 30 * time.Second
	return []broadcast.ViewerOption{broadcast.WithPlayout(cfg)}
}

// watchWith is watch with viewer options.
func watchWith(t *testing.T, ch broadcast.Channel, opts []broadcast.ViewerOption, nodes ...*peer.Node) []*broadcast.Viewer {
	t.Helper()
	viewers := make([]*broadcast.Viewer, len(nodes))
	for i, n := range nodes {
		v, err := broadcast.NewViewer(n, ch, opts...)
		require.NoError(t, err)
		t.Cleanup(func() { v.Close() })
		viewers[i] = v
	}
	return viewers
}

// broadcastBytes paces data into b at testBitrate and closes b, in a
// goroutine the test waits for before its nodes close: viewers can play
// the end of the stream before Close has returned.
func broadcastBytes(t *testing.T, b *broadcast.Broadcaster, data []byte) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, err := io.Copy(b, broadcast.NewPacedReader(t.Context(), bytes.NewReader(data), testBitrate))
		assert.NoError(t, err)
		assert.NoError(t, b.Close())
	}()
	t.Cleanup(func() { <-done })
}

// playAll reads each viewer's playout stream to EOF and returns the sha256
// of each. A viewer still reading after the timeout is closed, which makes
// its Read fail instead of hanging the test.
func playAll(t *testing.T, viewers []*broadcast.Viewer, timeout time.Duration) [][32]byte {
	t.Helper()
	sums := make([][32]byte, len(viewers))
	errs := make(chan error, len(viewers))
	for i, v := range viewers {
		go func() {
			h := sha256.New()
			_, err := io.Copy(h, v)
			copy(sums[i][:], h.Sum(nil))
			errs <- err
		}()
	}
	deadline := time.AfterFunc(timeout, func() {
		for _, v := range viewers {
			v.Close()
		}
	})
	defer deadline.Stop()
	for range viewers {
		require.NoError(t, <-errs)
	}
	return sums
}

func TestEveryViewerPlaysExactlyThePublishedBytes(t *testing.T) {
	source := newNode(t, relay.Multiple(testBitrate, 3), relay.RoleSource)
	rng := rand.New(rand.NewPCG(1, 2))
	var viewerNodes []*peer.Node
	for i := range 10 {
		n := newNode(t, relay.Multiple(testBitrate, 4), relay.RoleViewer)
		if i < 3 {
			connect(t, n, source)
		}
		// A few random earlier viewers: a sparse graph, not a full mesh.
		for _, j := range rng.Perm(i)[:min(i, 2)] {
			connect(t, n, viewerNodes[j])
		}
		viewerNodes = append(viewerNodes, n)
	}

	b, err := broadcast.NewBroadcaster(source, "e2e")
	require.NoError(t, err)
	// The test is about every byte arriving, not about when: at 30
	// chunks a second through ten nodes, the race detector on a busy
	// two-core machine makes chunks seconds late, and the default 2 s
	// deadline would skip them. A chunk that never comes is still skipped.
	viewers := watchWith(t, b.Channel(), patient(), viewerNodes...)
	waitForMesh(t, b.Channel(), append([]*peer.Node{source}, viewerNodes...)...)

	data := knownBytes(streamSize)
	broadcastBytes(t, b, data)
	sums := playAll(t, viewers, 60*time.Second)

	want := sha256.Sum256(data)
	for i, sum := range sums {
		assert.Equal(t, want, sum, "viewer %d", i)
		st := viewers[i].Stats()
		assert.Zero(t, st.Skipped, "viewer %d skipped chunks", i)
		assert.Zero(t, st.Playout.Discarded, "viewer %d started late", i)
		assert.Positive(t, st.Latency.Samples)
	}
	// The source sent fewer copies than it has mesh slots: viewers relayed.
	degree := source.Degree().D
	out := source.Limiter().Traffic().Out
	t.Logf("source degree %d, sent %d bytes = %.2f copies of the stream", degree, out, float64(out)/streamSize)
	assert.Less(t, out, uint64(degree+1)*streamSize)
	var relayed uint64
	for _, n := range viewerNodes {
		relayed += n.Limiter().Traffic().Out
	}
	assert.Greater(t, relayed, uint64(streamSize), "viewers relayed the stream")
}

func TestViewerBehindViewerGetsTheWholeStream(t *testing.T) {
	source, near, far := chain(t)

	b, err := broadcast.NewBroadcaster(source, "chain")
	require.NoError(t, err)
	viewers := watchWith(t, b.Channel(), patient(), near, far)
	waitForMesh(t, b.Channel(), source, near, far)
	require.Empty(t, far.Host().Network().ConnsToPeer(source.ID()), "far viewer must not reach the source directly")

	data := knownBytes(streamSize / 4)
	broadcastBytes(t, b, data)
	sums := playAll(t, viewers, 60*time.Second)
	assert.Equal(t, sha256.Sum256(data), sums[1])
	assert.Empty(t, far.Host().Network().ConnsToPeer(source.ID()))
}

func TestNonOwnerReachesNoViewer(t *testing.T) {
	source := newNode(t, relay.Budget{}, relay.RoleSource)
	v1 := newNode(t, relay.Budget{}, relay.RoleViewer)
	v2 := newNode(t, relay.Budget{}, relay.RoleViewer)
	connect(t, v1, source)
	connect(t, v2, v1)

	b, err := broadcast.NewBroadcaster(source, "owned")
	require.NoError(t, err)
	viewers := watch(t, b.Channel(), v1, v2)
	waitForMesh(t, b.Channel(), source, v1, v2)

	// The forger runs plain GossipSub with its own valid key, joins the
	// topic with no validator and floods every forgery to each peer in it,
	// as an attacker's own software would. A gridcast node would announce
	// its chunks by IHAVE to viewers its lazy push has marked as fed
	// elsewhere, and viewers stop asking a peer under GossipThreshold, so
	// how many forgeries arrived, and whether the forger reached the ban,
	// would be left to timing.
	forger, err := libp2p.New(libp2p.ListenAddrStrings("/ip4/127.0.0.1/tcp/0"))
	require.NoError(t, err)
	t.Cleanup(func() { forger.Close() })
	forgerPS, err := pubsub.NewGossipSub(t.Context(), forger, pubsub.WithFloodPublish(true))
	require.NoError(t, err)
	topic, err := forgerPS.Join(b.Channel().Topic())
	require.NoError(t, err)
	sub, err := topic.Subscribe()
	require.NoError(t, err)
	defer sub.Cancel()
	for _, n := range []*peer.Node{v1, v2} {
		require.NoError(t, forger.Connect(t.Context(), *host.InfoFromHost(n.Host())))
	}
	// Flood publishing sends to the peers the forger knows are subscribed.
	require.Eventually(t, func() bool { return len(topic.ListPeers()) == 2 }, 20*time.Second, 50*time.Millisecond)

	ctx, cancel := context.WithTimeout(t.Context(), 15*time.Second)
	defer cancel()
	for i := range 20 {
		// Well-formed chunks for the channel, in the owner's sequence
		// range, but signed by the forger.
		c := broadcast.Chunk{Channel: b.Channel(), Seq: uint64(time.Now().UnixMilli()) + uint64(i), Time: time.Now(),
			Flags: broadcast.FlagCleanStart, Payload: []byte("forged")}
		data, err := c.Encode()
		require.NoError(t, err)
		require.NoError(t, topic.Publish(ctx, data))
		require.NoError(t, b.WriteChunk(ctx, []byte("real"), broadcast.FlagCleanStart))
	}
	require.NoError(t, b.Close())

	// Read what each viewer gets until the end of stream (or a quiet
	// timeout): not one forged chunk may be among it. Whether every real
	// chunk arrives is the other tests' business.
	for i, v := range viewers {
		readCtx, stop := context.WithTimeout(t.Context(), 15*time.Second)
		real, ended := 0, false
		for real < 20 || !ended {
			c, err := v.Next(readCtx)
			if err != nil {
				break
			}
			assert.NotEqual(t, "forged", string(c.Payload), "viewer %d got a forged chunk", i)
			real += bytes.Count(c.Payload, []byte("real"))
			ended = ended || c.Flags&broadcast.FlagEndOfStream != 0
		}
		stop()
		t.Logf("viewer %d: %d of 20 real chunks, end of stream %v, no forged ones", i, real, ended)
		assert.Positive(t, real, "viewer %d", i)
	}
	// The forged chunks did reach the viewers, and were refused there.
	for _, n := range []*peer.Node{v1, v2} {
		assert.Eventually(t, func() bool { return n.Monitor().TopicStats(b.Channel().Topic()).Rejected > 0 },
			5*time.Second, 10*time.Millisecond)
	}
	// Each viewer the forger sent to now scores it negatively.
	for _, n := range []*peer.Node{v1, v2} {
		require.Eventually(t, func() bool {
			score, ok := n.Monitor().Score(forger.ID())
			return ok && score < 0
		}, 10*time.Second, 100*time.Millisecond, "forger not penalised")
	}
	// Past the graylist threshold, the viewers disconnect it and refuse it.
	for _, n := range []*peer.Node{v1, v2} {
		require.Eventually(t, func() bool {
			return n.Banned(forger.ID()) && n.Host().Network().Connectedness(forger.ID()) != network.Connected
		}, 10*time.Second, 100*time.Millisecond, "forger not disconnected")
		_ = forger.Connect(t.Context(), *host.InfoFromHost(n.Host()))
		assert.Eventually(t, func() bool {
			return n.Host().Network().Connectedness(forger.ID()) != network.Connected
		}, 5*time.Second, 50*time.Millisecond, "a banned forger's new connection is closed")
	}
}

func TestCancelledWriteLeavesBroadcasterUsable(t *testing.T) {
	_, b, _, v := pair(t, "cancel")

	cancelled, cancel := context.WithCancel(t.Context())
	cancel()
	err := b.WriteChunk(cancelled, []byte("never"), broadcast.FlagCleanStart)
	require.ErrorIs(t, err, context.Canceled)
	require.NoError(t, b.WriteChunk(t.Context(), []byte("after"), broadcast.FlagCleanStart))
	require.NoError(t, b.Close())
	assert.ErrorIs(t, b.WriteChunk(t.Context(), []byte("closed"), 0), broadcast.ErrClosed)

	ctx, stop := context.WithTimeout(t.Context(), 20*time.Second)
	defer stop()
	// Chunks can overtake each other (validation runs in parallel), so read
	// until both the chunk and the end of stream are in.
	var got []string
	for ended := false; !ended || len(got) == 0; {
		c, err := v.Next(ctx)
		require.NoError(t, err)
		if c.Flags&broadcast.FlagEndOfStream != 0 {
			ended = true
			continue
		}
		got = append(got, string(c.Payload))
	}
	assert.Equal(t, []string{"after"}, got, "the cancelled chunk was not sent; the broadcaster went on and ended cleanly")
}

func TestSlowStreamStillFlows(t *testing.T) {
	_, b, _, v := pair(t, "slow", broadcast.WithFlushInterval(50*time.Millisecond))
	defer b.Close()

	// Far less than a chunk, and no Flush: the flush interval sends it.
	_, err := b.Write([]byte("hello"))
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	c, err := v.Next(ctx)
	require.NoError(t, err)
	assert.Equal(t, "hello", string(c.Payload))
	assert.NotZero(t, c.Flags&broadcast.FlagCleanStart)
}

// TestStalledReaderDoesNotStopRelaying gives the near viewer a reader that
// never reads: nothing calls its Read or Next. The far viewer, reachable
// only through it, must still get every byte, and the near viewer's
// buffer must stay within its capacity, dropping what its reader missed.
func TestStalledReaderDoesNotStopRelaying(t *testing.T) {
	source, near, far := chain(t)

	b, err := broadcast.NewBroadcaster(source, "stalled")
	require.NoError(t, err)
	// A small buffer, so that the stream overflows it.
	playout := broadcast.DefaultPlayoutConfig()
	playout.Capacity = 32
	stalled, err := broadcast.NewViewer(near, b.Channel(), broadcast.WithPlayout(playout))
	require.NoError(t, err)
	defer stalled.Close()
	reading := watchWith(t, b.Channel(), patient(), far)
	waitForMesh(t, b.Channel(), source, near, far)
	require.Empty(t, far.Host().Network().ConnsToPeer(source.ID()))

	data := knownBytes(streamSize)
	broadcastBytes(t, b, data)
	sums := playAll(t, reading, 60*time.Second)
	assert.Equal(t, sha256.Sum256(data), sums[0], "the far viewer got the whole stream")

	st := stalled.Stats()
	capacity := playout.Capacity
	t.Logf("stalled viewer: %d received, %d buffered (capacity %d), %d overflowed; relayed %d bytes",
		st.Received, st.Playout.Buffered, capacity, st.Playout.Overflowed, near.Limiter().Traffic().Out)
	assert.LessOrEqual(t, st.Playout.Buffered, capacity)
	assert.Positive(t, st.Playout.Overflowed, "the stalled reader's chunks were dropped, not queued")
	assert.Greater(t, near.Limiter().Traffic().Out, uint64(streamSize), "the near viewer relayed the stream")
}
