package relay

import (
	"maps"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	pubsub "github.com/libp2p/go-libp2p-pubsub"
	pb "github.com/libp2p/go-libp2p-pubsub/pb"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
)

// Monitor records what a GossipSub router is doing, for stats: per-topic
// message counts and mesh membership, dropped RPCs, and peer scores.
// PubSubOptions installs it as a pubsub.RawTracer and score inspector.
//
// pubsub calls its tracer methods synchronously on the router's event loop,
// and the score inspector from the scoring goroutine. Each holds the mutex
// only to update a counter or a set, and DropRPC uses an atomic, so none
// blocks the router for long. Reading methods are safe for concurrent use
// and return copies. InMesh, as a Limiter's priority, is called by every
// paced write; it too holds the mutex only to look up a set.
//
// Counts cover messages received from other peers: pubsub does not trace
// the node's own publications to raw tracers.
type Monitor struct {
	mu     sync.Mutex // guards topics, scores and heard
	topics map[string]*topicMonitor
	scores map[peer.ID]float64
	// heard is when each peer last sent an RPC, or was grafted, once
	// watching (WatchSilence): until then no RPC pays for it.
	heard    map[peer.ID]time.Time
	watching atomic.Bool

	dropped atomic.Uint64
	rpc     rpcCounters
	dups    duplicateCounters
	asked   atomic.Pointer[func(id string) bool]

	held    Held
	seen    Seen
	offers  Offers
	uplinks Uplinks
}

// rpcCounters are updated from the event loop with atomics.
type rpcCounters struct {
	messagesSent, messagesReceived atomic.Uint64
	ihaveSent, iwantReceived       atomic.Uint64
	idontwantSent                  atomic.Uint64
	received                       receivedCounters
}

// receivedCounters are ReceivedBytes as atomics.
type receivedCounters struct {
	total, firstPayload, firstHeaders, duplicates atomic.Uint64
	ihave, iwant, idontwant                       atomic.Uint64
}

// RPCStats counts what the router sent and received, all topics.
type RPCStats struct {
	MessagesSent     uint64 // full messages queued to peers: copies pushed and IWANT answers
	MessagesReceived uint64 // full messages received, duplicates included
	IHaveSent        uint64 // message IDs advertised by gossip
	IWantReceived    uint64 // message IDs peers asked this node for
	IDontWantSent    uint64 // message IDs this node told peers not to send
	Received         ReceivedBytes
	Duplicates       DuplicateCauses // duplicates received, by cause
}

// ReceivedBytes splits the RPCs a node received, in encoded bytes, by what
// they carried: where a viewer's download goes. Every field counts
// protobuf encoding as it came off the stream, without the RPC's length
// prefix.
type ReceivedBytes struct {
	Total uint64 // every RPC received
	// FirstPayload and FirstHeaders are the messages delivered (new and
	// valid): their data, and the rest of each message (sender, sequence
	// number, signature, topic, field tags).
	FirstPayload, FirstHeaders uint64
	Duplicates                 uint64 // whole messages the router had already seen
	IHave, IWant, IDontWant    uint64 // each kind of control, with its framing
}

// Other is what Total holds beyond the parts counted on their own:
// subscriptions, GRAFT and PRUNE, RPC framing, and messages neither
// delivered nor duplicate (rejected, or dropped before validation).
func (r ReceivedBytes) Other() uint64 {
	parts := r.FirstPayload + r.FirstHeaders + r.Duplicates + r.IHave + r.IWant + r.IDontWant
	if parts > r.Total {
		return 0
	}
	return r.Total - parts
}

// RPCStats returns the router's message and gossip counts.
func (m *Monitor) RPCStats() RPCStats {
	return RPCStats{
		MessagesSent:     m.rpc.messagesSent.Load(),
		MessagesReceived: m.rpc.messagesReceived.Load(),
		IHaveSent:        m.rpc.ihaveSent.Load(),
		IWantReceived:    m.rpc.iwantReceived.Load(),
		IDontWantSent:    m.rpc.idontwantSent.Load(),
		Received: ReceivedBytes{
			Total:        m.rpc.received.total.Load(),
			FirstPayload: m.rpc.received.firstPayload.Load(),
			FirstHeaders: m.rpc.received.firstHeaders.Load(),
			Duplicates:   m.rpc.received.duplicates.Load(),
			IHave:        m.rpc.received.ihave.Load(),
			IWant:        m.rpc.received.iwant.Load(),
			IDontWant:    m.rpc.received.idontwant.Load(),
		},
		Duplicates: m.dups.load(),
	}
}

type topicMonitor struct {
	stats TopicStats // MeshPeers is filled in from mesh when read
	mesh  map[peer.ID]struct{}
}

var _ pubsub.RawTracer = (*Monitor)(nil)

// NewMonitor returns an empty Monitor. The zero Monitor is also ready to use.
func NewMonitor() *Monitor {
	return &Monitor{
		topics: make(map[string]*topicMonitor),
		scores: make(map[peer.ID]float64),
	}
}

// TopicStats counts one topic's traffic since the Monitor was created.
type TopicStats struct {
	Delivered     uint64 // messages delivered to subscribers: new and valid
	Duplicates    uint64 // copies of messages already seen
	Rejected      uint64 // messages rejected or ignored, for any reason (validation, signature, full queue...)
	Undeliverable uint64 // messages dropped because a subscriber did not keep up
	MeshPeers     int    // current mesh size
}

// TopicStats returns the counts for topic; zero for a topic never seen.
func (m *Monitor) TopicStats(topic string) TopicStats {
	m.mu.Lock()
	defer m.mu.Unlock()
	t, ok := m.topics[topic]
	if !ok {
		return TopicStats{}
	}
	s := t.stats
	s.MeshPeers = len(t.mesh)
	return s
}

// MeshPeers returns topic's current mesh peers, sorted.
func (m *Monitor) MeshPeers(topic string) []peer.ID {
	m.mu.Lock()
	defer m.mu.Unlock()
	t, ok := m.topics[topic]
	if !ok {
		return nil
	}
	return slices.Sorted(maps.Keys(t.mesh))
}

// InMesh reports whether p is in this node's mesh for any topic. It has
// the signature PrioritizePeers takes.
func (m *Monitor) InMesh(p peer.ID) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.inMesh(p)
}

// inMesh is InMesh with m.mu held.
func (m *Monitor) inMesh(p peer.ID) bool {
	for _, t := range m.topics {
		if _, ok := t.mesh[p]; ok {
			return true
		}
	}
	return false
}

// WatchSilence starts recording when each peer last sent this node an
// RPC, for SilentMeshPeers. The current mesh peers count as heard now.
func (m *Monitor) WatchSilence() {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := time.Now()
	for _, t := range m.topics {
		for p := range t.mesh {
			m.hear(p, now)
		}
	}
	m.watching.Store(true)
}

// SilentMeshPeers returns the peers in any of this node's meshes that have
// sent it nothing since before since, neither an RPC nor a GRAFT, sorted;
// nil until WatchSilence. A peer that left without a goodbye is one; so
// is a live peer that this node feeds and that has nothing to tell it. A
// caller tells them apart (peer.Node pings them) and calls Heard for those
// that answer.
func (m *Monitor) SilentMeshPeers(since time.Time) []peer.ID {
	if !m.watching.Load() {
		return nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	silent := make(map[peer.ID]struct{})
	for _, t := range m.topics {
		for p := range t.mesh {
			if at, ok := m.heard[p]; !ok || at.Before(since) {
				silent[p] = struct{}{}
			}
		}
	}
	return slices.Sorted(maps.Keys(silent))
}

// Heard records that p answered outside the router (a ping) at at, so
// that SilentMeshPeers leaves it out until it has been silent again.
func (m *Monitor) Heard(p peer.ID, at time.Time) {
	if !m.watching.Load() {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.inMesh(p) {
		m.hear(p, at)
	}
}

// hear moves p's last contact to at if later. m.mu must be held.
func (m *Monitor) hear(p peer.ID, at time.Time) {
	if m.heard == nil {
		m.heard = make(map[peer.ID]time.Time)
	}
	if at.After(m.heard[p]) {
		m.heard[p] = at
	}
}

// Held returns the record of which chunks each peer is known to hold,
// filled from IDONTWANTs, IHAVEs and copies received, for SkipHeld.
func (m *Monitor) Held() *Held { return &m.held }

// Seen returns the record of the chunks this node received lately, for
// DeferPulls.
func (m *Monitor) Seen() *Seen { return &m.seen }

// Offers returns the record of which chunks this node offered each peer
// and which the peer had had from another first, filled from IDONTWANTs
// and IWANTs, for LazyPush.
func (m *Monitor) Offers() *Offers { return &m.offers }

// Uplinks returns the relay capacities peers announced, for a source's
// choice of mesh peers (Uplinks.SourceScore).
func (m *Monitor) Uplinks() *Uplinks { return &m.uplinks }

// DroppedRPCs returns how many outbound RPCs pubsub dropped because a peer's
// queue was full: the visible sign that the upload cap, or the peer, cannot
// keep up.
func (m *Monitor) DroppedRPCs() uint64 { return m.dropped.Load() }

// Score returns the last score the inspector reported for p, and whether p
// was in that report.
func (m *Monitor) Score(p peer.ID) (float64, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.scores[p]
	return s, ok
}

// Scores returns a copy of the last score report.
func (m *Monitor) Scores() map[peer.ID]float64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return maps.Clone(m.scores)
}

// InspectScores records a score report. It has the pubsub.PeerScoreInspectFn
// signature, for pubsub.WithPeerScoreInspect. It copies scores.
func (m *Monitor) InspectScores(scores map[peer.ID]float64) {
	c := maps.Clone(scores)
	if c == nil {
		c = make(map[peer.ID]float64)
	}
	m.mu.Lock()
	m.scores = c
	m.mu.Unlock()
}

// topic returns topic's record, creating it. m.mu must be held.
func (m *Monitor) topic(topic string) *topicMonitor {
	if m.topics == nil {
		m.topics = make(map[string]*topicMonitor)
	}
	t, ok := m.topics[topic]
	if !ok {
		t = &topicMonitor{mesh: make(map[peer.ID]struct{})}
		m.topics[topic] = t
	}
	return t
}

func (m *Monitor) update(topic string, f func(*topicMonitor)) {
	m.mu.Lock()
	f(m.topic(topic))
	m.mu.Unlock()
}

// Join is a pubsub.RawTracer hook.
func (m *Monitor) Join(topic string) { m.update(topic, func(*topicMonitor) {}) }

// Leave is a pubsub.RawTracer hook. The router prunes the whole mesh.
func (m *Monitor) Leave(topic string) {
	m.update(topic, func(t *topicMonitor) { clear(t.mesh) })
}

// Graft is a pubsub.RawTracer hook. A new mesh peer counts as heard.
func (m *Monitor) Graft(p peer.ID, topic string) {
	m.update(topic, func(t *topicMonitor) {
		t.mesh[p] = struct{}{}
		if m.watching.Load() {
			m.hear(p, time.Now())
		}
	})
}

// Prune is a pubsub.RawTracer hook.
func (m *Monitor) Prune(p peer.ID, topic string) {
	m.update(topic, func(t *topicMonitor) { delete(t.mesh, p) })
}

// OnClosedOutboundStream is a pubsub.RawTracer hook. When a peer's stream
// closes the router drops it from every mesh without tracing a Prune, and
// RawTracer has no RemovePeer, so this is where departed peers leave.
func (m *Monitor) OnClosedOutboundStream(p peer.ID) {
	m.mu.Lock()
	for _, t := range m.topics {
		delete(t.mesh, p)
	}
	delete(m.heard, p)
	m.mu.Unlock()
	m.held.Forget(p)
	m.offers.Forget(p)
}

// DeliverMessage is a pubsub.RawTracer hook.
func (m *Monitor) DeliverMessage(msg *pubsub.Message) {
	m.update(msg.GetTopic(), func(t *topicMonitor) { t.stats.Delivered++ })
	if msg.Message != nil {
		data := uint64(len(msg.GetData()))
		m.rpc.received.firstPayload.Add(data)
		m.rpc.received.firstHeaders.Add(uint64(proto.Size(msg.Message)) - data)
	}
}

// DuplicateMessage is a pubsub.RawTracer hook. The sender holds the chunk;
// the copy is counted by cause (DuplicateCauses).
func (m *Monitor) DuplicateMessage(msg *pubsub.Message) {
	var inMesh bool
	m.update(msg.GetTopic(), func(t *topicMonitor) {
		t.stats.Duplicates++
		_, inMesh = t.mesh[msg.ReceivedFrom]
	})
	m.countDuplicate(msg.ID, inMesh)
	m.held.Add(msg.ReceivedFrom, msg.ID)
	if msg.Message != nil {
		m.rpc.received.duplicates.Add(uint64(proto.Size(msg.Message)))
	}
}

// RejectMessage is a pubsub.RawTracer hook. Every reason counts.
func (m *Monitor) RejectMessage(msg *pubsub.Message, _ string) {
	m.update(msg.GetTopic(), func(t *topicMonitor) { t.stats.Rejected++ })
}

// UndeliverableMessage is a pubsub.RawTracer hook.
func (m *Monitor) UndeliverableMessage(msg *pubsub.Message) {
	m.update(msg.GetTopic(), func(t *topicMonitor) { t.stats.Undeliverable++ })
}

// DropRPC is a pubsub.RawTracer hook.
func (m *Monitor) DropRPC(*pubsub.RPC, peer.ID) { m.dropped.Add(1) }

// OnNewOutboundStream is a pubsub.RawTracer hook; unused.
func (m *Monitor) OnNewOutboundStream(peer.ID, protocol.ID) {}

// ValidateMessage is a pubsub.RawTracer hook, called as a chunk first
// seen enters validation. Its sender holds it, and so does this node.
func (m *Monitor) ValidateMessage(msg *pubsub.Message) {
	m.held.Add(msg.ReceivedFrom, msg.ID)
	m.seen.Add(msg.ID)
}

// ThrottlePeer is a pubsub.RawTracer hook; unused.
func (m *Monitor) ThrottlePeer(peer.ID) {}

// RecvRPC is a pubsub.RawTracer hook. A peer that says IDONTWANT or IHAVE
// for a chunk holds it; its IDONTWANTs and IWANTs also go to Offers. It
// runs before the router handles the RPC, so an IWANT is recorded before
// its answer is written. pubsub reads at most MaxIHaveLength IDs of a
// peer's IHAVEs per heartbeat; Held bounds what is recorded the same way.
func (m *Monitor) RecvRPC(rpc *pubsub.RPC) {
	m.rpc.messagesReceived.Add(uint64(len(rpc.GetPublish())))
	m.rpc.received.total.Add(uint64(proto.Size(&rpc.RPC)))
	ctl := rpc.GetControl()
	m.countControl(ctl)
	from := rpc.From()
	if m.watching.Load() {
		m.mu.Lock()
		m.hear(from, time.Now())
		m.mu.Unlock()
	}
	for _, w := range ctl.GetIwant() {
		m.rpc.iwantReceived.Add(uint64(len(w.GetMessageIDs())))
		m.offers.Want(from, w.GetMessageIDs())
	}
	for _, d := range ctl.GetIdontwant() {
		for _, id := range d.GetMessageIDs() {
			m.held.Add(from, id)
		}
		m.offers.DontWant(from, d.GetMessageIDs())
	}
	ihaves := 0
	for _, h := range ctl.GetIhave() {
		for _, id := range h.GetMessageIDs() {
			if ihaves++; ihaves > MaxIHaveLength {
				return
			}
			m.held.Add(from, id)
		}
	}
}

// countControl adds ctl's IHAVE, IWANT and IDONTWANT bytes, each entry
// with the tag and length that frame it in the ControlMessage.
func (m *Monitor) countControl(ctl *pb.ControlMessage) {
	var ihave, iwant, idontwant int
	for _, h := range ctl.GetIhave() {
		ihave += framed(proto.Size(h))
	}
	for _, w := range ctl.GetIwant() {
		iwant += framed(proto.Size(w))
	}
	for _, d := range ctl.GetIdontwant() {
		idontwant += framed(proto.Size(d))
	}
	m.rpc.received.ihave.Add(uint64(ihave))
	m.rpc.received.iwant.Add(uint64(iwant))
	m.rpc.received.idontwant.Add(uint64(idontwant))
}

// framed is the encoded size of a length-delimited field whose value is
// size bytes, with a one-byte tag (field numbers below 16).
func framed(size int) int { return 1 + protowire.SizeBytes(size) }

// SendRPC is a pubsub.RawTracer hook.
func (m *Monitor) SendRPC(rpc *pubsub.RPC, _ peer.ID) {
	m.rpc.messagesSent.Add(uint64(len(rpc.GetPublish())))
	ctl := rpc.GetControl()
	for _, h := range ctl.GetIhave() {
		m.rpc.ihaveSent.Add(uint64(len(h.GetMessageIDs())))
	}
	for _, d := range ctl.GetIdontwant() {
		m.rpc.idontwantSent.Add(uint64(len(d.GetMessageIDs())))
	}
}

// SendRPCCompleted is a pubsub.RawTracer hook, called from per-peer writer
// goroutines; unused, so it touches no state.
func (m *Monitor) SendRPCCompleted(*pubsub.RPC, peer.ID, time.Duration) {}
