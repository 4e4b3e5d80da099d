package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/gridcast/gridcast/broadcast"
	"github.com/gridcast/gridcast/peer"
	"github.com/gridcast/gridcast/relay"
	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/host"
	libp2ppeer "github.com/libp2p/go-libp2p/core/peer"
)

// Modes, in the order they run by default.
const (
	ModeGridcast     = "gridcast"
	ModeDefault      = "gossipsub-default"
	ModeClientServer = "client-server"
)

var allModes = []string{ModeGridcast, ModeDefault, ModeClientServer}

// source is the broadcaster of one run, in whichever mode.
type source interface {
	publish(ctx context.Context, payload []byte) error
	sent() uint64
	host() host.Host
	// status is a few words on the source's state for the progress line.
	status() string
	Close()
}

// runner runs one mode of a workload.
type runner struct {
	w        Workload
	mode     string
	net      *simNetwork
	rng      *rand.Rand
	progress io.Writer

	src     source
	channel broadcast.Channel
	// hops records the sampled chunks' delivery trees (gossipsub modes).
	hops *hopTree

	// sample is the long-run sampling period (0: off); see longrun.go.
	sample time.Duration
	// heapProfiles is where each sample also writes a heap profile ("": off).
	heapProfiles string
	// starved is how many starved viewers the progress line describes
	// each second (see starvedLines; 0: off).
	starved int

	// mu guards members, gone, pubs, lags, folded, samples, classes.
	// folded holds the latencies folding took out of the records (each
	// viewer keeps its own continuity counts, recorder.folded); nil until
	// the first fold.
	mu       sync.Mutex
	folded   *durationHistogram
	classes  map[libp2ppeer.ID]string // uplink class of each present gridcast viewer
	hostiles []*hostilePeer
	samples  []Sample
	members  []member // present
	gone     []member // left
	pubs     []published
	lags     []time.Duration
	started  time.Time // stream start
	nextUser int
}

func newRunner(cfg config, mode string, progress io.Writer) *runner {
	w := cfg.workload
	return &runner{w: w, mode: mode, rng: rand.New(rand.NewPCG(w.Seed, 0x5eed)), progress: progress,
		sample: cfg.sample, heapProfiles: cfg.heapProfiles, starved: cfg.starved}
}

// uplinkOf draws a viewer's uplink class.
func (r *runner) uplinkOf() UplinkClass {
	x := r.rng.Float64()
	for _, c := range r.w.Uplinks {
		if x < c.Share {
			return c
		}
		x -= c.Share
	}
	return r.w.Uplinks[len(r.w.Uplinks)-1]
}

// newNode starts a gridcast node on a fresh simulated host with uplink x
// times the bitrate; the relay cap is CapShare of that uplink.
func (r *runner) newNode(ctx context.Context, class string, uplinkX float64, role relay.Role) (*peer.Node, error) {
	uplink := int64(uplinkX * float64(r.w.Bitrate))
	h, err := r.net.newHost(uplink, int64(r.w.Downlink*float64(r.w.Bitrate)))
	if err != nil {
		return nil, err
	}
	budget := relay.Budget{Upload: int64(float64(uplink) * r.w.CapShare)}
	opts := []peer.Option{peer.WithHost(h), peer.WithRelay(budget, r.w.Bitrate, role)}
	if r.hops != nil && role == relay.RoleViewer {
		opts = append(opts, peer.WithPubSubOptions(pubsub.WithRawTracer(r.hops.tracer(h.ID(), class))))
	}
	if r.mode == ModeDefault {
		// Only the router's parameters change: the same validator,
		// scoring, message IDs and caps apply.
		// Leaving out copies a peer holds, lazy push, held-back pulls,
		// a source choosing strong relays and pinging silent mesh peers
		// are gridcast's, not GossipSub's.
		opts = append(opts, peer.WithSkipHeld(false), peer.WithLazyPush(0), peer.WithPullDelay(0), peer.WithUplinkExchange(false), peer.WithMeshPing(0), peer.WithPubSubOptions(
			pubsub.WithGossipSubParams(pubsub.DefaultGossipSubParams()),
			pubsub.WithPeerOutboundQueueSize(32),
			pubsub.WithValidateQueueSize(32)))
	}
	if r.mode == ModeGridcast {
		scopes := []string{"all", role.String(), class}
		if p, ok := r.w.Tune.apply(budget.GossipSubParams(r.w.Bitrate, role), scopes...); ok {
			opts = append(opts, peer.WithPubSubOptions(pubsub.WithGossipSubParams(p)))
		}
		opts = append(opts, r.w.Tune.nodeOptions(scopes...)...)
	}
	return peer.New(ctx, opts...)
}

// startSource builds the broadcaster for the mode.
func (r *runner) startSource(ctx context.Context) error {
	if r.mode == ModeClientServer {
		uplink := int64(r.w.SourceUplink * float64(r.w.Bitrate))
		h, err := r.net.newHost(uplink, int64(r.w.Downlink*float64(r.w.Bitrate)))
		if err != nil {
			return err
		}
		queue := max(1, int(r.w.Deadline/r.w.ChunkEvery))
		r.src = &csSource{h: h, server: newCSServer(h, int64(float64(uplink)*r.w.CapShare), queue)}
		return nil
	}
	node, err := r.newNode(ctx, "", r.w.SourceUplink, relay.RoleSource)
	if err != nil {
		return err
	}
	b, err := broadcast.NewBroadcaster(node, "swarm", broadcast.WithChunkSize(r.w.ChunkSize()))
	if err != nil {
		node.Close()
		return err
	}
	r.channel = b.Channel()
	r.src = &pubsubSource{node: node, b: b}
	r.hops = newHopTree(node.ID(), r.net.linkLatency)
	return nil
}

// pendingJoin is a viewer whose host exists but who has not dialled yet.
// Preparing is sequential, so the seed decides who dials whom; the dials
// and the start of watching run concurrently.
type pendingJoin struct {
	class   UplinkClass
	node    *peer.Node // gossipsub modes
	cs      host.Host  // client-server mode
	targets []libp2ppeer.AddrInfo
	source  libp2ppeer.AddrInfo
}

// prepare picks the viewer's uplink class and the present viewers it will
// dial (plus the source when dialSource), and starts its host.
func (r *runner) prepare(ctx context.Context, dialSource bool) (*pendingJoin, error) {
	p := &pendingJoin{class: r.uplinkOf()}
	r.mu.Lock()
	pool := make([]libp2ppeer.AddrInfo, 0, len(r.members)+len(r.hostiles))
	for _, m := range r.members {
		if h := m.host(); h != nil {
			pool = append(pool, libp2ppeer.AddrInfo{ID: h.ID(), Addrs: h.Addrs()})
		}
	}
	pool = append(pool, r.hostileTargets()...)
	for _, i := range r.rng.Perm(len(pool))[:min(r.w.Dials, len(pool))] {
		p.targets = append(p.targets, pool[i])
	}
	r.mu.Unlock()
	p.source = libp2ppeer.AddrInfo{ID: r.src.host().ID(), Addrs: r.src.host().Addrs()}
	if dialSource || len(p.targets) == 0 {
		p.targets = append(p.targets, p.source)
	}
	var err error
	if r.mode == ModeClientServer {
		uplink := int64(p.class.Multiple * float64(r.w.Bitrate))
		p.cs, err = r.net.newHost(uplink, int64(r.w.Downlink*float64(r.w.Bitrate)))
	} else {
		p.node, err = r.newNode(ctx, p.class.Name, p.class.Multiple, relay.RoleViewer)
		if err == nil {
			r.mu.Lock()
			if r.classes == nil {
				r.classes = make(map[libp2ppeer.ID]string)
			}
			r.classes[p.node.ID()] = p.class.Name
			r.mu.Unlock()
		}
	}
	return p, err
}

// start dials and starts watching; joined is when the viewer arrived.
func (r *runner) start(ctx context.Context, p *pendingJoin, joined time.Time) (member, error) {
	if r.mode == ModeClientServer {
		m, err := startCSMember(ctx, p.cs, p.source, r.w.ChunkSize(), joined)
		if err != nil {
			p.cs.Close()
		}
		return m, err
	}
	connectTo(ctx, p.node.Host(), p.targets)
	m, err := startPubsubMember(p.node, r.channel, r.w, joined)
	if err != nil {
		p.node.Close()
	}
	return m, err
}

func (r *runner) add(m member) {
	r.mu.Lock()
	r.members = append(r.members, m)
	r.mu.Unlock()
}

// leaveRandom makes one random present viewer leave abruptly: cut off the
// network first, so that it says no goodbye.
func (r *runner) leaveRandom() {
	r.mu.Lock()
	var m member
	if len(r.members) > 0 {
		m = r.take(r.rng.IntN(len(r.members)))
	}
	r.mu.Unlock()
	if m != nil {
		r.depart(m)
	}
}

// leavePeer makes the present viewer id leave abruptly; false if there is
// none.
func (r *runner) leavePeer(id libp2ppeer.ID) bool {
	r.mu.Lock()
	var m member
	for i, present := range r.members {
		if h := present.host(); h != nil && h.ID() == id {
			m = r.take(i)
			break
		}
	}
	r.mu.Unlock()
	if m != nil {
		r.depart(m)
	}
	return m != nil
}

// take moves r.members[i] to the departed and returns it; r.mu is held.
func (r *runner) take(i int) member {
	m := r.members[i]
	r.members = append(r.members[:i], r.members[i+1:]...)
	r.gone = append(r.gone, m)
	if h := m.host(); h != nil {
		delete(r.classes, h.ID())
	}
	return m
}

// depart cuts m off the network and stops it.
func (r *runner) depart(m member) {
	if h := m.host(); h != nil {
		if s, ok := r.src.(*pubsubSource); ok && s.node.Monitor().InMesh(h.ID()) {
			fmt.Fprintf(r.progress, "%-18s %5.1fs: %s, in the source's mesh, leaves\n", r.mode, time.Since(r.started).Seconds(), shortID(h.ID()))
		}
		r.net.sever(h)
	}
	m.leave(time.Now())
}

// liveNodes returns the nodes of the gridcast viewers present now (none in
// client-server mode).
func (r *runner) liveNodes() []*peer.Node {
	r.mu.Lock()
	members := slices.Clone(r.members)
	r.mu.Unlock()
	var out []*peer.Node
	for _, m := range members {
		if pm, ok := m.(*pubsubMember); ok {
			if n := pm.peerNode(); n != nil {
				out = append(out, n)
			}
		}
	}
	return out
}

func (r *runner) viewerCount() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.members)
}

// results snapshots every viewer's record, and the latencies folded out
// of them (nil if none were).
func (r *runner) results(end time.Time) ([]viewerResult, []published, []time.Duration, *durationHistogram) {
	r.mu.Lock()
	all := append(append([]member(nil), r.gone...), r.members...)
	pubs := append([]published(nil), r.pubs...)
	lags := append([]time.Duration(nil), r.lags...)
	folded := r.folded
	r.mu.Unlock()
	out := make([]viewerResult, len(all))
	for i, m := range all {
		out[i] = m.recorder().snapshot(end)
	}
	return out, pubs, lags, folded
}

// pubsubSource is a gridcast broadcaster.
type pubsubSource struct {
	node *peer.Node
	b    *broadcast.Broadcaster
}

func (s *pubsubSource) publish(ctx context.Context, payload []byte) error {
	return s.b.WriteChunk(ctx, payload, broadcast.FlagCleanStart)
}
func (s *pubsubSource) sent() uint64 { return s.node.Limiter().Traffic().Out }
func (s *pubsubSource) status() string {
	mon := s.node.Monitor()
	rpc := mon.RPCStats()
	return fmt.Sprintf("source mesh %d, sent %d msgs, iwant %d, ihave %d, dropped %d", mon.TopicStats(s.b.Channel().Topic()).MeshPeers,
		rpc.MessagesSent, rpc.IWantReceived, rpc.IHaveSent, mon.DroppedRPCs())
}
func (s *pubsubSource) host() host.Host { return s.node.Host() }
func (s *pubsubSource) Close()          { s.b.Close(); s.node.Close() }

// csSource is the client-server mode's server.
type csSource struct {
	h      host.Host
	server *csServer
}

func (s *csSource) publish(_ context.Context, payload []byte) error {
	s.server.publish(payload)
	return nil
}
func (s *csSource) sent() uint64 { return s.server.sent() }
func (s *csSource) status() string {
	s.server.mu.Lock()
	defer s.server.mu.Unlock()
	return fmt.Sprintf("source serves %d", len(s.server.clients))
}
func (s *csSource) host() host.Host { return s.h }
func (s *csSource) Close()          { s.server.Close(); s.h.Close() }
