package relay

import (
	"bytes"
	"context"
	"slices"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p"
	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// relayNode is one real host on loopback with the relay policy.
type relayNode struct {
	h   host.Host
	l   *Limiter
	m   *Monitor
	ps  *pubsub.PubSub
	top *pubsub.Topic
}

const testTopic = "gridcast/test"

// newRelayNode starts a node; opts, given its Monitor, configure its
// Limiter.
func newRelayNode(t *testing.T, b Budget, role Role, opts ...func(*Monitor) LimiterOption) *relayNode {
	t.Helper()
	h := newTestHost(t, libp2p.ListenAddrStrings("/ip4/127.0.0.1/tcp/0"))
	m := NewMonitor()
	var limitOpts []LimiterOption
	for _, opt := range opts {
		limitOpts = append(limitOpts, opt(m))
	}
	n := &relayNode{h: h, l: NewLimiter(b.Upload, limitOpts...), m: m}
	t.Cleanup(func() { n.l.Close() })
	var err error
	n.ps, err = pubsub.NewGossipSub(t.Context(), n.l.WrapHost(h), b.PubSubOptions(testBitrate, role, n.m)...)
	require.NoError(t, err)
	n.top, err = n.ps.Join(testTopic)
	require.NoError(t, err)
	require.NoError(t, n.top.SetScoreParams(TopicScoreParams()))
	return n
}

func connect(t *testing.T, a, b *relayNode) {
	t.Helper()
	require.NoError(t, a.h.Connect(t.Context(), peer.AddrInfo{ID: b.h.ID(), Addrs: b.h.Addrs()}))
}

// waitMesh waits until a has b in its mesh: the heartbeat grafts within a
// second or so of the subscriptions being exchanged.
func waitMesh(t *testing.T, a, b *relayNode) {
	t.Helper()
	require.Eventually(t, func() bool {
		return slices.Contains(a.m.MeshPeers(testTopic), b.h.ID())
	}, 10*time.Second, 20*time.Millisecond, "mesh never formed")
}

// TestRelayThroughLimiter runs a source and a viewer on loopback and checks
// that chunks pass through the wrapped hosts, are counted and traced, and
// that a stream published at its bitrate loses nothing to the queue.
func TestRelayThroughLimiter(t *testing.T) {
	src := newRelayNode(t, Multiple(testBitrate, 3), RoleSource)
	view := newRelayNode(t, ADSL(), RoleViewer)
	sub, err := view.top.Subscribe(pubsub.WithBufferSize(SubscriptionBuffer))
	require.NoError(t, err)
	cancel, err := src.top.Relay()
	require.NoError(t, err)
	defer cancel()
	connect(t, src, view)
	waitMesh(t, src, view)

	// Publish at the stream's bitrate, as a live source does: a burst of
	// all ten (2.2 s of stream) would overflow the source's one-second
	// outbound queue (OutboundQueueLen) and pubsub would drop chunks.
	const chunks, size = 10, 8 << 10
	tick := time.NewTicker(time.Second * size / testBitrate)
	defer tick.Stop()
	for i := range chunks {
		if i > 0 {
			<-tick.C
		}
		require.NoError(t, src.top.Publish(t.Context(), bytes.Repeat([]byte{byte(i)}, size)))
	}
	ctx, done := context.WithTimeout(t.Context(), 10*time.Second)
	defer done()
	var got []byte
	for range chunks {
		msg, err := sub.Next(ctx)
		require.NoError(t, err)
		got = append(got, msg.Data[0])
		assert.Equal(t, src.h.ID(), msg.ReceivedFrom)
	}
	// Validation runs in parallel, so chunks may arrive out of order.
	slices.Sort(got)
	assert.Equal(t, []byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, got)

	// The source counts a write once it returns, which may be after the
	// viewer has read it.
	assert.Eventually(t, func() bool { return src.l.Traffic().Out >= chunks*size }, 5*time.Second, 10*time.Millisecond,
		"source writes are paced and counted")
	assert.GreaterOrEqual(t, view.l.Traffic().In, uint64(chunks*size), "viewer reads are counted")
	st := view.m.TopicStats(testTopic)
	assert.EqualValues(t, chunks, st.Delivered)
	assert.Zero(t, st.Rejected)
	assert.Zero(t, src.m.DroppedRPCs(), "a stream at its bitrate fits the queue")
	assert.Equal(t, 1, st.MeshPeers)
	assert.Equal(t, []peer.ID{src.h.ID()}, view.m.MeshPeers(testTopic))
	assert.Equal(t, 37500*3, int(src.l.Cap()))
}

// TestForgedMessageScore checks the score policy on a real router: one
// message the viewer's validator rejects drops its forwarder's score below
// GossipThreshold.
func TestForgedMessageScore(t *testing.T) {
	forger := newRelayNode(t, Budget{}, RoleViewer)
	view := newRelayNode(t, Budget{}, RoleViewer)
	require.NoError(t, view.ps.RegisterTopicValidator(testTopic, func(_ context.Context, _ peer.ID, m *pubsub.Message) pubsub.ValidationResult {
		if bytes.Equal(m.Data, []byte("forged")) {
			return pubsub.ValidationReject
		}
		return pubsub.ValidationAccept
	}))
	_, err := view.top.Subscribe()
	require.NoError(t, err)
	_, err = forger.top.Subscribe()
	require.NoError(t, err)
	connect(t, forger, view)
	waitMesh(t, forger, view)

	require.NoError(t, forger.top.Publish(t.Context(), []byte("forged")))
	require.Eventually(t, func() bool {
		s, ok := view.m.Score(forger.h.ID())
		return ok && s < GossipThreshold
	}, 10*time.Second, 20*time.Millisecond, "score never fell")
	s, _ := view.m.Score(forger.h.ID())
	assert.Greater(t, s, float64(GraylistThreshold), "one message is not enough to graylist")
	assert.EqualValues(t, 1, view.m.TopicStats(testTopic).Rejected)
}
