package nattest_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/gridcast/gridcast/broadcast"
	"github.com/gridcast/gridcast/peer"
	"github.com/gridcast/gridcast/relay"
	"github.com/libp2p/go-libp2p"
	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/network"
	libp2ppeer "github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/p2p/protocol/circuitv2/proto"
	"github.com/libp2p/go-libp2p/p2p/protocol/holepunch"
	ma "github.com/multiformats/go-multiaddr"
	manet "github.com/multiformats/go-multiaddr/net"
	"github.com/stretchr/testify/require"
)

// TestNATHelper is one node of TestNATTraversal, which runs the test
// binary again inside a namespace with the node's helperConfig in the
// environment. It reports events on stdout and stops when its stdin
// closes; the broadcaster starts publishing when it reads "start".
func TestNATHelper(t *testing.T) {
	raw := os.Getenv(helperEnv)
	if raw == "" {
		t.Skip("a node of TestNATTraversal, which runs it inside a network namespace")
	}
	var cfg helperConfig
	require.NoError(t, json.Unmarshal([]byte(raw), &cfg))
	defer func() {
		if t.Failed() {
			emit(event{Kind: "fail", Error: cfg.Role + " helper failed; see its output"})
		}
	}()
	treatTestNetAsPublic(t)

	h := &helper{t: t, cfg: cfg, start: make(chan struct{}), stop: make(chan struct{})}
	var cancel context.CancelFunc
	h.ctx, cancel = context.WithCancel(t.Context())
	defer cancel()
	go h.readStdin(cancel)
	switch cfg.Role {
	case roleRelay:
		h.relay()
	case roleBroadcaster:
		h.broadcaster()
	case roleViewer:
		h.viewer()
	default:
		t.Fatalf("unknown role %q", cfg.Role)
	}
}

// treatTestNetAsPublic makes libp2p take the simulated internet for the
// real one. go-multiaddr files TEST-NET-3 among the unroutable ranges, so
// a viewer would find no public address of its own to hole punch from.
// Only helper processes change it, before their node starts.
func treatTestNetAsPublic(t *testing.T) {
	_, testNet, err := net.ParseCIDR(publicNet)
	require.NoError(t, err)
	manet.Unroutable4 = slices.DeleteFunc(slices.Clone(manet.Unroutable4), func(n *net.IPNet) bool {
		return n.String() == testNet.String()
	})
	require.True(t, manet.IsPublicAddr(ma.StringCast("/ip4/"+relayIP+"/udp/1/quic-v1")))
}

type helper struct {
	t   *testing.T
	cfg helperConfig
	ctx context.Context // ends when stdin closes
	// start closes when the test says "start"; stop when stdin closes.
	start, stop chan struct{}
}

func (h *helper) readStdin(cancel context.CancelFunc) {
	sc := bufio.NewScanner(os.Stdin)
	started := false
	for sc.Scan() {
		if sc.Text() == "start" && !started {
			started = true
			close(h.start)
		}
	}
	close(h.stop)
	cancel()
}

// emit reports an event to the test; only the test goroutine calls it.
func emit(e event) {
	b, err := json.Marshal(e)
	if err != nil {
		b, _ = json.Marshal(event{Kind: "fail", Error: err.Error()})
	}
	fmt.Printf("%s%s\n", eventPrefix, b)
}

func (h *helper) node(opts ...peer.Option) *peer.Node {
	h.t.Helper()
	key, err := crypto.UnmarshalPrivateKey(h.cfg.Key)
	require.NoError(h.t, err)
	opts = append([]peer.Option{peer.WithIdentity(key), peer.WithListenAddrs(h.cfg.Listen...)}, opts...)
	if len(h.cfg.Bootstrap) > 0 {
		opts = append(opts, peer.WithBootstrap(h.cfg.Bootstrap...))
	}
	n, err := peer.New(h.ctx, opts...)
	require.NoError(h.t, err)
	h.t.Cleanup(func() { n.Close() })
	return n
}

// relay is a relay the broadcaster runs: unlimited relayed connections,
// which GossipSub uses, so the stream reaches a viewer behind a NAT
// whether or not hole punching succeeds.
func (h *helper) relay() {
	n := h.node(peer.WithReachability(network.ReachabilityPublic), peer.WithRelayService(true),
		peer.WithRelayResources(peer.DedicatedRelay()), peer.WithResourceLimits(peer.ServerLimits()))
	require.Eventually(h.t, func() bool { return slices.Contains(n.Host().Mux().Protocols(), proto.ProtoIDv2Hop) },
		10*time.Second, 20*time.Millisecond, "relay service running")
	emit(event{Kind: "up"})
	<-h.stop
}

func (h *helper) broadcaster() {
	n := h.node(peer.WithReachability(network.ReachabilityPublic),
		peer.WithRelay(relay.Budget{}, h.cfg.Rate, relay.RoleSource))
	b, err := broadcast.NewBroadcaster(n, channelName)
	require.NoError(h.t, err)
	require.Equal(h.t, h.cfg.Channel, b.Channel().ID())
	emit(event{Kind: "up"})
	select {
	case <-h.start:
	case <-h.stop:
		return
	}
	_, err = io.Copy(b, broadcast.NewPacedReader(h.ctx, bytes.NewReader(knownBytes(h.cfg.Bytes)), h.cfg.Rate))
	require.NoError(h.t, err)
	require.NoError(h.t, b.Close())
	emit(event{Kind: "done", Bytes: b.Stats().Bytes})
	// The node stays up, relaying, until the test has what it needs.
	<-h.stop
}

// viewer is a viewer at home: behind its router's NAT, with a
// reservation on the relay and hole punching on.
func (h *helper) viewer() {
	trace := new(punchTrace)
	n := h.node(peer.WithRelays(h.cfg.Relays...), peer.WithReachability(network.ReachabilityPrivate),
		peer.WithHolePunching(true), peer.WithRelay(relay.Budget{}, h.cfg.Rate, relay.RoleViewer),
		// Its hole punching options replace peer's, which are none; the
		// tracer says why a punch failed.
		peer.WithHostOptions(libp2p.EnableHolePunching(holepunch.WithTracer(trace))))
	watched, err := libp2ppeer.Decode(h.cfg.Watch)
	require.NoError(h.t, err)
	conns := &connWatch{peer: watched}
	n.Host().Network().Notify(&network.NotifyBundle{ConnectedF: conns.connected})
	ch, err := broadcast.ParseChannel(h.cfg.Channel)
	require.NoError(h.t, err)
	v, err := broadcast.NewViewer(n, ch)
	require.NoError(h.t, err)
	h.t.Cleanup(func() { v.Close() })

	// The hole punching service starts once the node has seen its own
	// public address in identify; a relayed connection that comes before
	// is never punched.
	require.Eventually(h.t, func() bool {
		return slices.Contains(n.Host().Mux().Protocols(), holepunch.Protocol) &&
			slices.ContainsFunc(n.Host().Addrs(), isCircuit)
	}, 20*time.Second, 20*time.Millisecond, "relay reservation and hole punching service")
	emit(event{Kind: "up"})

	if h.cfg.Dial != "" {
		info, err := peer.ParseAddr(h.cfg.Dial)
		require.NoError(h.t, err)
		require.NoError(h.t, n.Connect(h.ctx, info))
		emit(event{Kind: "relayed", Watched: n.ConnInfo(watched), RelayedFirst: conns.relayedFirst()})
	}
	meshWith, err := libp2ppeer.Decode(h.cfg.MeshWith)
	require.NoError(h.t, err)
	require.Eventually(h.t, func() bool { return slices.Contains(n.Monitor().MeshPeers(ch.Topic()), meshWith) },
		20*time.Second, 20*time.Millisecond, "mesh with %s", meshWith)
	emit(event{Kind: "mesh"})

	sum := sha256.New()
	var played int64
	done := make(chan error, 1)
	go func() {
		var err error
		played, err = io.Copy(sum, v)
		done <- err
	}()
	select {
	case err = <-done:
	case <-h.stop:
		v.Close()
		err = <-done
	}
	e := event{Kind: "played", SHA256: hex.EncodeToString(sum.Sum(nil)), Bytes: uint64(played),
		Skipped: v.Stats().Skipped, Watched: n.ConnInfo(watched), HolePunch: trace.events()}
	if err != nil {
		e.Kind, e.Error = "fail", fmt.Sprintf("play: %v after %d bytes", err, played)
	}
	e.DirectAddrs, e.DirectAfter = conns.directConns(n)
	if h.cfg.Forbidden != "" {
		forbidden, err := libp2ppeer.Decode(h.cfg.Forbidden)
		require.NoError(h.t, err)
		e.Forbidden = n.ConnInfo(forbidden)
	}
	emit(e)
	<-h.stop
}

// connWatch notes when the first relayed and the first direct connection
// to peer opened.
type connWatch struct {
	peer libp2ppeer.ID
	// mu guards relayed and direct, set from the swarm's notifications.
	mu              sync.Mutex
	relayed, direct time.Time
}

func (w *connWatch) connected(_ network.Network, c network.Conn) {
	if c.RemotePeer() != w.peer {
		return
	}
	now := time.Now()
	w.mu.Lock()
	defer w.mu.Unlock()
	switch {
	case isCircuit(c.RemoteMultiaddr()) && w.relayed.IsZero():
		w.relayed = now
	case !isCircuit(c.RemoteMultiaddr()) && w.direct.IsZero():
		w.direct = now
	}
}

func (w *connWatch) relayedFirst() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return !w.relayed.IsZero() && (w.direct.IsZero() || w.direct.After(w.relayed))
}

// directConns returns the remote addresses of n's open direct connections to
// the peer, and how long after the first relayed connection the first
// direct one opened (0 if none did).
func (w *connWatch) directConns(n *peer.Node) ([]string, time.Duration) {
	var addrs []string
	for _, c := range n.Host().Network().ConnsToPeer(w.peer) {
		if !isCircuit(c.RemoteMultiaddr()) {
			addrs = append(addrs, c.RemoteMultiaddr().String())
		}
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.relayed.IsZero() || w.direct.Before(w.relayed) {
		return addrs, 0
	}
	return addrs, w.direct.Sub(w.relayed)
}

func isCircuit(a ma.Multiaddr) bool {
	_, err := a.ValueForProtocol(ma.P_CIRCUIT)
	return err == nil
}

// punchTrace keeps the hole punching service's events, which say why a
// punch failed.
type punchTrace struct {
	mu   sync.Mutex // guards list
	list []string
}

var _ holepunch.EventTracer = (*punchTrace)(nil)

func (tr *punchTrace) Trace(e *holepunch.Event) {
	evt, _ := json.Marshal(e.Evt)
	tr.mu.Lock()
	defer tr.mu.Unlock()
	tr.list = append(tr.list, fmt.Sprintf("%s %s", e.Type, evt))
}

func (tr *punchTrace) events() []string {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return slices.Clone(tr.list)
}
