package peer

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gridcast/gridcast/relay"
	"github.com/libp2p/go-libp2p"
	dht "github.com/libp2p/go-libp2p-kad-dht"
	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/host"
	libp2ppeer "github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/p2p/discovery/mdns"
	drouting "github.com/libp2p/go-libp2p/p2p/discovery/routing"
	"github.com/libp2p/go-libp2p/p2p/muxer/yamux"
	"github.com/libp2p/go-libp2p/p2p/net/connmgr"
	"github.com/libp2p/go-libp2p/p2p/security/noise"
	libp2ptls "github.com/libp2p/go-libp2p/p2p/security/tls"
	quic "github.com/libp2p/go-libp2p/p2p/transport/quic"
	"github.com/libp2p/go-libp2p/p2p/transport/tcp"
	ma "github.com/multiformats/go-multiaddr"
)

// Node is a running gridcast peer: a libp2p host, the GossipSub router on
// it and, if configured, the DHT and mDNS. Its methods are safe for
// concurrent use.
type Node struct {
	host            host.Host
	pubsub          *pubsub.PubSub
	limiter         *relay.Limiter
	monitor         *relay.Monitor
	budget          relay.Budget
	bitrate         int64
	role            relay.Role
	dht             *dht.IpfsDHT // nil under DHTOff
	discovery       *drouting.RoutingDiscovery
	mdns            mdns.Service // nil without WithMDNS
	rendezvousPeers int
	reachability    atomic.Int32  // a network.Reachability, see watchReachability
	deadMeshPeers   atomic.Uint64 // see watchMesh
	meshSilence     time.Duration // 0: no watchMesh

	banMu  sync.Mutex
	banned map[libp2ppeer.ID]struct{} // see banGraylisted

	// ctx lives until Close; the router and every goroutine the node
	// starts end with it.
	ctx    context.Context
	cancel context.CancelFunc
	// wg counts the node's goroutines and running Rendezvous calls;
	// Close waits for them.
	wg sync.WaitGroup
	// mu guards closed, so that no wg.Add follows Close's wg.Wait.
	mu        sync.Mutex
	closed    bool
	closeOnce sync.Once
	closeErr  error
}

// New starts a node. With no options it listens on every interface on
// random TCP and QUIC ports with a fresh Ed25519 identity, keeps between
// [DefaultConnLow] and [DefaultConnHigh] connections within [HomeLimits],
// relays with an unlimited budget sized for [DefaultBitrate], registers no
// metrics (see [WithMetrics]), and runs AutoNAT (v1 and v2), the circuit
// relay client and hole punching, but no DHT, no mDNS, no UPnP and no
// relay service (see the defaults in options.go). It dials the bootstrap
// peers before it returns and fails, closing everything, if none answers.
//
// ctx bounds only the start; the node runs until [Node.Close].
func New(ctx context.Context, opts ...Option) (*Node, error) {
	cfg := defaultConfig()
	for _, opt := range opts {
		if err := opt(&cfg); err != nil {
			return nil, err
		}
	}
	if cfg.host != nil && len(cfg.hostOnly) > 0 {
		return nil, fmt.Errorf("%w: %s apply to the host New builds, not one from WithHost: configure that host when building it",
			ErrBadOption, strings.Join(cfg.hostOnly, ", "))
	}
	if cfg.host == nil && cfg.connHigh > cfg.limits.Conns {
		return nil, fmt.Errorf("%w: WithConnLimits high watermark %d exceeds WithResourceLimits Conns %d",
			ErrBadOption, cfg.connHigh, cfg.limits.Conns)
	}
	relays := new(relaySource)
	h := cfg.host
	if h == nil {
		var err error
		if h, err = newHost(&cfg, relays); err != nil {
			return nil, err
		}
	}

	monitor := relay.NewMonitor()
	// Repair and control traffic to peers outside the mesh must not delay
	// the mesh: when it did, the delayed chunks drew IWANTs from their
	// late receivers, which delayed more chunks, until the swarm collapsed.
	limitOpts := []relay.LimiterOption{relay.PrioritizePeers(monitor.InMesh), relay.Burst(cfg.uploadBurst)}
	if cfg.skipHeld {
		// A copy that waited for upload while its peer got the chunk
		// elsewhere is upload spent for nothing.
		limitOpts = append(limitOpts, relay.SkipHeld(monitor.Held()))
		if cfg.role != relay.RoleSource {
			limitOpts = append(limitOpts, relay.LazyPush(monitor.Offers(), cfg.lazyShare),
				relay.DeferPulls(monitor.Seen(), cfg.pullDelay), relay.PreferFasterFeeders(cfg.feederLead))
		}
	}
	limiter := relay.NewLimiter(cfg.budget.Upload, limitOpts...)
	monitor.SetAsked(limiter.Asked)
	monitor.Uplinks().FeedStrongest(cfg.feedStrongest)
	psOpts := append(cfg.budget.PubSubOptions(cfg.bitrate, cfg.role, monitor), cfg.pubsubOptions...)
	// The node outlives ctx, which only bounds the start.
	runCtx, cancel := context.WithCancel(context.Background())
	ps, err := pubsub.NewGossipSub(runCtx, limiter.WrapHost(h), psOpts...)
	if err != nil {
		cancel()
		h.Close()
		return nil, fmt.Errorf("peer: start gossipsub: %w", err)
	}
	n := &Node{
		host: h, pubsub: ps, limiter: limiter, monitor: monitor,
		budget: cfg.budget, bitrate: cfg.bitrate, role: cfg.role,
		rendezvousPeers: cfg.rendezvousPeers,
		ctx:             runCtx, cancel: cancel,
	}
	if n.rendezvousPeers == 0 {
		n.rendezvousPeers = rendezvousPeers(n.Degree())
	}
	if err := n.start(ctx, &cfg, relays); err != nil {
		n.Close()
		return nil, err
	}
	return n, nil
}

// start runs what comes after the router: the DHT before the bootstrap
// dial, so that the bootstrap peers enter its routing table as they
// connect, and mDNS after it.
func (n *Node) start(ctx context.Context, cfg *config, relays *relaySource) error {
	if err := n.watchReachability(); err != nil {
		return err
	}
	if cfg.banGraylisted {
		n.banGraylisted()
	}
	n.meshSilence = cfg.meshSilence
	if n.meshSilence < 0 {
		n.meshSilence = DefaultViewerMeshSilence
		if n.role == relay.RoleSource {
			n.meshSilence = DefaultMeshSilence
		}
	}
	if n.meshSilence > 0 {
		n.monitor.WatchSilence()
		n.wg.Go(func() { n.watchMesh(n.meshSilence) })
	}
	if cfg.forgetAfter > 0 {
		if err := n.forgetDeparted(cfg.forgetAfter); err != nil {
			return err
		}
	}
	if cfg.uplinkExchange {
		n.serveUplink()
		// A source feeds the strong (relay.Uplinks.SourceScore); a viewer
		// that can pass on no whole copy keeps to those that can
		// (relay.Uplinks.WeakViewerScore).
		if n.role == relay.RoleSource || n.budget.Weak(n.bitrate) {
			if err := n.askUplinks(); err != nil {
				return err
			}
		}
	}
	if cfg.dhtMode != DHTOff {
		if err := n.startDHT(cfg); err != nil {
			return err
		}
		relays.dht.Store(n.dht)
	}
	if len(cfg.bootstrap) > 0 {
		bctx, bcancel := context.WithTimeout(ctx, cfg.bootstrapTimeout)
		err := n.Connect(bctx, cfg.bootstrap...)
		bcancel()
		if err != nil {
			return err
		}
		if cfg.keepBootstrap {
			n.keep(cfg.bootstrap)
		}
	}
	if n.dht != nil {
		if err := n.dht.Bootstrap(ctx); err != nil {
			return fmt.Errorf("peer: bootstrap DHT: %w", err)
		}
	}
	if cfg.mdns {
		return n.startMDNS(cfg)
	}
	return nil
}

func newHost(cfg *config, relays *relaySource) (host.Host, error) {
	key := cfg.key
	if key == nil && cfg.keyFile != "" {
		var err error
		if key, err = LoadOrCreateKey(cfg.keyFile); err != nil {
			return nil, err
		}
	}
	cm, err := connmgr.NewConnManager(cfg.connLow, cfg.connHigh, connmgr.WithGracePeriod(cfg.connGrace))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadOption, err)
	}
	rm, err := cfg.limits.resourceManager(cfg.metrics != nil)
	if err != nil {
		cm.Close()
		return nil, err
	}
	opts := []libp2p.Option{
		libp2p.ListenAddrStrings(cfg.listenAddrs...),
		libp2p.Transport(tcp.NewTCPTransport),
		libp2p.Transport(quic.NewTransport),
		libp2p.Security(noise.ID, noise.New),
		libp2p.Security(libp2ptls.ID, libp2ptls.New),
		libp2p.Muxer(yamux.ID, yamux.DefaultTransport),
		libp2p.ConnectionManager(cm),
		libp2p.ResourceManager(rm),
	}
	opts = append(opts, natOptions(cfg, relays)...)
	if key != nil {
		opts = append(opts, libp2p.Identity(key))
	}
	if cfg.metrics != nil {
		opts = append(opts, libp2p.PrometheusRegisterer(cfg.metrics))
	} else {
		opts = append(opts, libp2p.DisableMetrics())
	}
	h, err := libp2p.New(append(opts, cfg.hostOptions...)...)
	if err != nil {
		return nil, fmt.Errorf("peer: start host: %w", err)
	}
	return h, nil
}

// Connect dials the given peers concurrently. It succeeds if at least one
// connection stands; otherwise the error wraps [ErrNoBootstrap] and every
// dial's reason.
func (n *Node) Connect(ctx context.Context, peers ...libp2ppeer.AddrInfo) error {
	if len(peers) == 0 {
		return nil
	}
	errs := make([]error, len(peers))
	var wg sync.WaitGroup
	for i, info := range peers {
		wg.Go(func() {
			if err := n.host.Connect(ctx, info); err != nil {
				errs[i] = fmt.Errorf("%s: %w", info.ID, err)
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err == nil {
			return nil
		}
	}
	return fmt.Errorf("%w: %w", ErrNoBootstrap, errors.Join(errs...))
}

// Host returns the libp2p host. It belongs to the node: do not close it.
func (n *Node) Host() host.Host { return n.host }

// PubSub returns the GossipSub router the stream is relayed by.
func (n *Node) PubSub() *pubsub.PubSub { return n.pubsub }

// Monitor returns what the router is doing: mesh peers, duplicates, scores.
func (n *Node) Monitor() *relay.Monitor { return n.monitor }

// Limiter returns the enforced upload cap and the relay traffic counters.
func (n *Node) Limiter() *relay.Limiter { return n.limiter }

// ID returns the node's peer ID.
func (n *Node) ID() libp2ppeer.ID { return n.host.ID() }

// Budget returns the upload budget the node relays within.
func (n *Node) Budget() relay.Budget { return n.budget }

// Degree returns the GossipSub mesh degree the budget gave this node.
func (n *Node) Degree() relay.Degree { return n.budget.Degree(n.bitrate, n.role) }

// Addrs returns the node's dialable addresses, each ending in /p2p/<id>,
// ready for a viewer's -peer flag.
func (n *Node) Addrs() []ma.Multiaddr {
	addrs, err := libp2ppeer.AddrInfoToP2pAddrs(&libp2ppeer.AddrInfo{ID: n.host.ID(), Addrs: n.host.Addrs()})
	if err != nil {
		return nil
	}
	return addrs
}

// track counts a caller in wg unless the node is closed.
func (n *Node) track() bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed {
		return false
	}
	n.wg.Add(1)
	return true
}

// Close stops the node: it ends running [Node.Rendezvous] calls, mDNS and
// the node's goroutines and waits for them, closes the DHT, wakes writers
// waiting on the upload cap and closes the host with all its connections
// and the services on it (AutoNAT, AutoRelay, hole punching, the relay
// service). It is safe to call twice. go-libp2p-pubsub has no Close to
// wait on: its goroutines end on their own once their context is
// cancelled and their streams are closed, a moment after Close returns
// (broadcast's TestCloseLeavesNoGoroutines checks that every goroutine is
// gone).
func (n *Node) Close() error {
	n.closeOnce.Do(func() {
		n.mu.Lock()
		n.closed = true
		n.mu.Unlock()
		n.cancel()
		var errs []error
		if n.mdns != nil {
			errs = append(errs, n.mdns.Close())
		}
		n.wg.Wait()
		if n.dht != nil {
			errs = append(errs, n.dht.Close())
		}
		errs = append(errs, n.limiter.Close(), n.host.Close())
		n.closeErr = errors.Join(errs...)
	})
	return n.closeErr
}
