package relay

import (
	"sync"
	"testing"
	"testing/synctest"
	"time"

	pubsub "github.com/libp2p/go-libp2p-pubsub"
	pb "github.com/libp2p/go-libp2p-pubsub/pb"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"
)

func msgOn(topic string) *pubsub.Message {
	return &pubsub.Message{Message: &pb.Message{Topic: &topic}}
}

func TestMonitorMesh(t *testing.T) {
	m := NewMonitor()
	a, b, c := peer.ID("a"), peer.ID("b"), peer.ID("c")
	m.Join("t")
	m.Graft(c, "t")
	m.Graft(a, "t")
	m.Graft(b, "t")
	m.Graft(a, "u")
	assert.Equal(t, []peer.ID{a, b, c}, m.MeshPeers("t"), "sorted")
	assert.Equal(t, 3, m.TopicStats("t").MeshPeers)
	assert.True(t, m.InMesh(b))

	m.Prune(b, "t")
	assert.Equal(t, []peer.ID{a, c}, m.MeshPeers("t"))
	assert.False(t, m.InMesh(b))
	m.Prune(a, "t")
	assert.True(t, m.InMesh(a), "still in u's mesh")
	m.Graft(a, "t")

	// A disconnected peer leaves every mesh without a Prune.
	m.OnClosedOutboundStream(a)
	assert.Equal(t, []peer.ID{c}, m.MeshPeers("t"))
	assert.Empty(t, m.MeshPeers("u"))
	assert.False(t, m.InMesh(a))

	m.Leave("t")
	assert.Empty(t, m.MeshPeers("t"))
	assert.Nil(t, m.MeshPeers("never"))
	assert.Equal(t, TopicStats{}, m.TopicStats("never"))
}

func TestMonitorCounts(t *testing.T) {
	m := &Monitor{} // the zero Monitor works too
	for range 3 {
		m.DeliverMessage(msgOn("t"))
	}
	m.DuplicateMessage(msgOn("t"))
	m.DuplicateMessage(msgOn("t"))
	m.RejectMessage(msgOn("t"), pubsub.RejectValidationFailed)
	m.RejectMessage(msgOn("t"), pubsub.RejectValidationIgnored)
	m.RejectMessage(msgOn("t"), pubsub.RejectInvalidSignature)
	m.UndeliverableMessage(msgOn("t"))
	m.DeliverMessage(msgOn("u"))
	m.DropRPC(nil, "a")
	m.DropRPC(nil, "b")
	m.Graft("a", "t")

	assert.Equal(t, TopicStats{Delivered: 3, Duplicates: 2, Rejected: 3, Undeliverable: 1, MeshPeers: 1}, m.TopicStats("t"))
	assert.Equal(t, TopicStats{Delivered: 1}, m.TopicStats("u"))
	assert.EqualValues(t, 2, m.DroppedRPCs())
}

func TestMonitorScores(t *testing.T) {
	m := NewMonitor()
	_, ok := m.Score("a")
	assert.False(t, ok)

	in := map[peer.ID]float64{"a": 1.5, "b": -70}
	m.InspectScores(in)
	in["a"] = 99 // pubsub may reuse its map
	s, ok := m.Score("a")
	assert.True(t, ok)
	assert.Equal(t, 1.5, s)

	out := m.Scores()
	out["b"] = 0
	assert.Equal(t, map[peer.ID]float64{"a": 1.5, "b": -70}, m.Scores(), "Scores returns a copy")

	m.InspectScores(nil)
	assert.Empty(t, m.Scores(), "each report replaces the last")
}

// TestMonitorConcurrent exercises the hooks from several goroutines, as
// pubsub's event loop, scoring goroutine and per-peer writers do, for the
// race detector.
func TestMonitorConcurrent(t *testing.T) {
	m := NewMonitor()
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			p := peer.ID(rune('a' + i))
			for range 200 {
				m.Graft(p, "t")
				m.DeliverMessage(msgOn("t"))
				m.DropRPC(nil, p)
				m.SendRPCCompleted(nil, p, 0)
				m.InspectScores(map[peer.ID]float64{p: 1})
				_ = m.TopicStats("t")
				_ = m.MeshPeers("t")
				_ = m.Scores()
				m.OnClosedOutboundStream(p)
			}
		})
	}
	wg.Wait()
	assert.EqualValues(t, 800, m.TopicStats("t").Delivered)
	assert.EqualValues(t, 800, m.DroppedRPCs())
	assert.Empty(t, m.MeshPeers("t"))
}

func TestMonitorReceivedBytes(t *testing.T) {
	m := NewMonitor()
	topic, sub := "t", true
	first := &pb.Message{Data: make([]byte, 100), Topic: &topic, From: []byte("source"), Seqno: []byte{1}, Signature: make([]byte, 64)}
	dup := &pb.Message{Data: make([]byte, 40), Topic: &topic}
	ctl := &pb.ControlMessage{
		Ihave:     []*pb.ControlIHave{{TopicID: &topic, MessageIDs: []string{"aaaa", "bbbb"}}},
		Iwant:     []*pb.ControlIWant{{MessageIDs: []string{"cccc"}}},
		Idontwant: []*pb.ControlIDontWant{{MessageIDs: []string{"dddd", "eeee", "ffff"}}},
		Graft:     []*pb.ControlGraft{{TopicID: &topic}},
	}
	rpc := &pubsub.RPC{RPC: pb.RPC{
		Subscriptions: []*pb.RPC_SubOpts{{Subscribe: &sub, Topicid: &topic}},
		Publish:       []*pb.Message{first, dup},
		Control:       ctl,
	}}
	wire, err := proto.Marshal(&rpc.RPC)
	require.NoError(t, err)

	m.RecvRPC(rpc)
	m.DeliverMessage(&pubsub.Message{Message: first})
	m.DuplicateMessage(&pubsub.Message{Message: dup})

	// Each control kind costs what a ControlMessage holding only it does.
	only := func(c *pb.ControlMessage) uint64 { return uint64(proto.Size(c)) }
	got := m.RPCStats().Received
	assert.Equal(t, ReceivedBytes{
		Total:        uint64(len(wire)),
		FirstPayload: 100,
		FirstHeaders: uint64(proto.Size(first)) - 100,
		Duplicates:   uint64(proto.Size(dup)),
		IHave:        only(&pb.ControlMessage{Ihave: ctl.Ihave}),
		IWant:        only(&pb.ControlMessage{Iwant: ctl.Iwant}),
		IDontWant:    only(&pb.ControlMessage{Idontwant: ctl.Idontwant}),
	}, got)
	// Other is the subscription, the GRAFT and the framing of the two
	// messages and of the control field.
	rest := proto.Size(&pb.RPC{Subscriptions: rpc.Subscriptions}) + proto.Size(&pb.ControlMessage{Graft: ctl.Graft}) +
		framed(proto.Size(first)) - proto.Size(first) + framed(proto.Size(dup)) - proto.Size(dup) +
		framed(proto.Size(ctl)) - proto.Size(ctl)
	assert.EqualValues(t, rest, got.Other())
	assert.Zero(t, ReceivedBytes{Total: 1, IHave: 5}.Other(), "never negative")
}

func TestMonitorSilentMeshPeers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m := NewMonitor()
		m.WatchSilence()
		m.Join("t")
		m.Graft("a", "t")
		m.Graft("b", "u")
		start := time.Now()
		assert.Empty(t, m.SilentMeshPeers(start), "a graft counts as heard")

		time.Sleep(2 * time.Second)
		assert.Equal(t, []peer.ID{"a", "b"}, m.SilentMeshPeers(time.Now().Add(-time.Second)), "sorted, every topic")
		m.Heard("a", time.Now())
		assert.Equal(t, []peer.ID{"b"}, m.SilentMeshPeers(time.Now().Add(-time.Second)))
		m.Heard("a", start) // an older answer does not undo a newer one
		assert.Equal(t, []peer.ID{"b"}, m.SilentMeshPeers(time.Now().Add(-time.Second)))

		m.Prune("b", "u")
		m.OnClosedOutboundStream("a")
		assert.Empty(t, m.SilentMeshPeers(time.Now()), "only mesh peers")
		m.Heard("a", time.Now()) // outside every mesh: not recorded
		time.Sleep(time.Second)
		m.Graft("a", "t")
		assert.Empty(t, m.SilentMeshPeers(time.Now().Add(-time.Millisecond)))
	})
}
