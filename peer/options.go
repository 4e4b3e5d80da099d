package peer

import (
	"fmt"
	"time"

	"github.com/gridcast/gridcast/relay"
	"github.com/libp2p/go-libp2p"
	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	libp2ppeer "github.com/libp2p/go-libp2p/core/peer"
	relayv2 "github.com/libp2p/go-libp2p/p2p/protocol/circuitv2/relay"
	"github.com/prometheus/client_golang/prometheus"
)

// Defaults, in one place. A viewer runs on somebody's home PC next to
// their browser, so the connection limits are modest. The library's
// defaults are also safe for many nodes in one process (tests, simulated
// swarms): nothing multicasts, talks to the home router or joins the
// public DHT unless asked. A program for home users turns on
// [WithMDNS], [WithDHT]([DHTAuto]) and [WithNATPortMap].
//
// Defaults that are not single numbers live with their type: the
// resource limits are [HomeLimits], the relay service's resources
// [VolunteerRelay], and [Node.Rendezvous] keeps the node's Dhi + Dlazy
// found peers connected ([WithRendezvousPeers]). AutoNAT (v1 and v2) and
// the circuit relay client are always on in a host New builds;
// reachability is AutoNAT's to decide ([WithReachability]).
const (
	// DefaultConnLow is the connection manager's low watermark: trimming
	// stops once the node is down to this many connections.
	DefaultConnLow = 32
	// DefaultConnHigh is the high watermark: above it the connection
	// manager closes the least useful connections (those not in a mesh).
	DefaultConnHigh = 64
	// DefaultConnGrace protects new connections from trimming while the
	// mesh forms around them.
	DefaultConnGrace = 20 * time.Second
	// DefaultBitrate is the stream bitrate assumed when the caller names
	// none, in bytes per second (1 Mbit/s). Assuming a higher bitrate than
	// the real one only makes the node relay fewer copies than it could.
	DefaultBitrate = 1_000_000 / 8
	// DefaultBootstrapTimeout bounds the initial dial of bootstrap peers.
	DefaultBootstrapTimeout = 10 * time.Second
	// DefaultKeepBootstrap is on: the node keeps its bootstrap peers
	// connected for as long as it runs, so a viewer started with the
	// broadcaster's address finds it again after the broadcaster
	// restarts, without restarting itself (see [WithKeepBootstrap]).
	DefaultKeepBootstrap = true
	// DefaultBanGraylisted is on: a peer whose GossipSub score falls under
	// relay.GraylistThreshold (a forger, after three rejected chunks) is
	// disconnected, and again whenever it reconnects, while its score
	// stays there (see [WithBanGraylisted]).
	DefaultBanGraylisted = true
	// DefaultSkipHeld is on: a chunk waiting for upload is not sent to a
	// peer that has meanwhile shown it holds it (see [WithSkipHeld]).
	DefaultSkipHeld = true
	// DefaultLazyShare is one half: a viewer announces chunks by IHAVE,
	// instead of sending them, to a mesh peer that had half or more of its
	// recent offers from another peer first (see [WithLazyPush]). On the
	// swarm's quick preset, one run per seed 1 to 3, both 30% and 50% cut
	// duplicates by more than half; 50% kept more chunks on time and had
	// the lower p99 latency on each seed, for a download 0.02–0.09 copies
	// higher. Runs of one setting differ by about as much, so the choice
	// is the more cautious share rather than a measured optimum.
	DefaultLazyShare = 0.5
	// DefaultPullDelay is how long a viewer holds back an IWANT for a
	// chunk it heard of by IHAVE, so that the copy on its way from its
	// feeder can come first (see [WithPullDelay]; a stream whose pulls
	// mostly had to be sent asks at once). On the swarm's quick preset
	// (seed 2), 80 ms saved 37% of the pulls it held back, 150 ms 59%,
	// 250 ms 87% and 400 ms no more (84%) at a longer tail.
	DefaultPullDelay = 250 * time.Millisecond
	// DefaultFeederLead is how much sooner than a viewer's eager feeder
	// another mesh peer must announce most chunks before the viewer pulls
	// from it at once, making it the feeder (see [WithFeederLead]). It is
	// more than a cable or fibre relay's queue adds to one of its copies
	// (two 4 KiB copies at 810 kbit/s, eight at 2.7 Mbit/s: under 100 ms),
	// so a swap gains at least about one hop of the swarm's links.
	DefaultFeederLead = 150 * time.Millisecond
	// DefaultMeshSilence is how long a source's mesh peer may send it
	// nothing before the source pings it (see [WithMeshPing]): its few
	// mesh peers carry the whole swarm, and each one that dies unnoticed
	// wastes one of its copies for up to QUIC's 30 s idle timeout.
	DefaultMeshSilence = 2 * time.Second
	// DefaultViewerMeshSilence is the same for a viewer. A viewer whose
	// feeder left without a goodbye starves, with everyone below it, while
	// the dead peer fills a mesh slot, so it asks sooner. In the swarm's
	// seed preset (1000 viewers, 20% churn a minute, 60 s) continuity went
	// from 96.95% to 99.05% (seed 2) and stayed level (98.61% and 98.57%,
	// seed 3); in the quick preset (100 viewers, 60 s) it rose on every
	// seed tried, and latency p99 fell, for about 0.02 more duplicates a
	// chunk, the new mesh peers' first copies. Most of the gain comes
	// after QUIC's idle timeout would have ended the dead connections
	// anyway (20 s runs showed none).
	DefaultViewerMeshSilence = time.Second
	// MeshPingTimeout is how long a silent mesh peer has to answer the
	// ping before the node closes its connection. Two seconds is the
	// playout deadline: a peer that cannot answer a ping in that time
	// cannot deliver a chunk in it either. (At 1 s, viewers dropped 33
	// mesh peers in the seed preset's first second, before any had left.)
	MeshPingTimeout = 2 * time.Second
	// DefaultUplinkExchange is on: the node announces its relay capacity on
	// UplinkProtocol, and a source feeds the peers that can pass the
	// stream on (see [WithUplinkExchange]).
	DefaultUplinkExchange = true
	// DefaultFeedStrongest is on: a source feeds only the strongest peers
	// it knows (see [WithFeedStrongest]), because its D mesh peers carry
	// the whole swarm and the stronger they are, the fewer hops every
	// chunk needs. The measured figures, and why claims cannot abuse it,
	// are in the relay package documentation.
	DefaultFeedStrongest = true
	// DefaultForgetAfter is how long a peer stays disconnected before the
	// node removes its keys, protocols and metadata from the peerstore
	// (see [WithForgetAfter]).
	DefaultForgetAfter = 10 * time.Minute
	// KeepPingInterval is how often a kept peer is pinged while
	// connected. A ping over a connection whose far end was killed and
	// restarted draws a QUIC stateless reset (libp2p derives its key from
	// the identity), which ends the stale connection at once, so the
	// redial follows within this interval.
	KeepPingInterval = 2 * time.Second
	// KeepPingTimeout is how long a ping may go unanswered before the
	// connection to a kept peer is closed and redialled.
	KeepPingTimeout = 10 * time.Second
	// KeepRedialMin and KeepRedialMax bound the backoff between redials
	// of a kept peer that cannot be reached, for its first
	// [KeepRedialPatience] of absence: a restart is found within
	// KeepRedialMax. After that the backoff grows to KeepRedialSlow.
	KeepRedialMin      = 500 * time.Millisecond
	KeepRedialMax      = 2 * time.Second
	KeepRedialPatience = time.Minute
	KeepRedialSlow     = 30 * time.Second

	// DefaultDHTMode is [DHTOff]: a DHT node keeps a routing table of
	// strangers and answers their queries, which in-process swarms and
	// tests do not want. Home programs use [DHTAuto].
	DefaultDHTMode = DHTOff
	// DefaultDHTPrefix is the protocol prefix of the public Amino DHT
	// (/ipfs/kad/1.0.0), which is how gridcast nodes find each other at
	// internet scale without a tracker of their own. Tests and private
	// networks pass [WithDHTPrefix].
	DefaultDHTPrefix = "/ipfs"
	// DefaultMDNS is off: mDNS multicasts on every LAN interface, which a
	// library should not do unasked. Home programs turn it on.
	DefaultMDNS = false
	// MDNSServiceName is the DNS-SD service gridcast nodes announce on
	// the LAN. It is not libp2p's _p2p._udp, so a viewer does not connect
	// to every IPFS node in the house.
	MDNSServiceName = "_gridcast._udp"
	// MDNSDialDelay is how long the node with the larger peer ID waits
	// before dialing a peer found by mDNS, in case the other dials first
	// (see mdnsDialDelay).
	MDNSDialDelay = 2 * time.Second

	// DefaultAdvertiseTTL is how long a [Node.Rendezvous] advertisement is
	// taken to last; it is re-advertised after 7/8 of it. Three hours is
	// the most routing discovery accepts; the DHT itself keeps provider
	// records for 48 hours, so Rendezvous also finds viewers that have
	// left; each dial to one gives up after DefaultDialTimeout.
	DefaultAdvertiseTTL = 3 * time.Hour
	// DefaultRendezvousInterval is how often Rendezvous looks the key up
	// again once it holds enough peers, to replace those that left, and
	// the longest it backs off to while it holds too few. It starts
	// retrying after [RendezvousRetry], doubling each time.
	DefaultRendezvousInterval = time.Minute
	// RendezvousRetry is the first retry delay of a lookup or an
	// advertisement that failed or found too few peers.
	RendezvousRetry = time.Second
	// DefaultFindTimeout bounds one DHT lookup of a rendezvous key.
	DefaultFindTimeout = 30 * time.Second
	// DefaultDialTimeout bounds one dial to a peer found by Rendezvous or
	// mDNS; provider records outlive the viewers that wrote them.
	DefaultDialTimeout = 10 * time.Second

	// DefaultHolePunching is on: a viewer behind a NAT that is reached
	// through a relay upgrades to a direct connection (DCUtR), without
	// which GossipSub cannot use the connection (see [Node.ConnInfo]). It
	// costs nothing until the node has a public address.
	DefaultHolePunching = true
	// DefaultNATPortMap is off: UPnP and NAT-PMP talk to the home router,
	// which tests and in-process swarms must not do. Home programs turn
	// it on: behind a router that allows it, the viewer becomes directly
	// reachable and needs no relay.
	DefaultNATPortMap = false
	// DefaultRelayService is off. A program may turn it on for every
	// node: the service runs only while AutoNAT finds the node publicly
	// reachable, within [VolunteerRelay]'s limits.
	DefaultRelayService = false
)

// DefaultListenAddrs are all interfaces, random ports, TCP and QUIC.
var DefaultListenAddrs = []string{
	"/ip4/0.0.0.0/tcp/0",
	"/ip4/0.0.0.0/udp/0/quic-v1",
	"/ip6/::/tcp/0",
	"/ip6/::/udp/0/quic-v1",
}

type config struct {
	listenAddrs      []string
	key              crypto.PrivKey
	keyFile          string
	bootstrap        []libp2ppeer.AddrInfo
	bootstrapTimeout time.Duration
	keepBootstrap    bool
	banGraylisted    bool
	skipHeld         bool
	uploadBurst      int64
	lazyShare        float64
	pullDelay        time.Duration
	feederLead       time.Duration
	feedStrongest    bool
	meshSilence      time.Duration
	uplinkExchange   bool
	forgetAfter      time.Duration
	budget           relay.Budget
	bitrate          int64
	role             relay.Role
	connLow          int
	connHigh         int
	connGrace        time.Duration
	host             host.Host
	hostOptions      []libp2p.Option
	pubsubOptions    []pubsub.Option
	metrics          prometheus.Registerer

	// Discovery.
	dhtMode         DHTMode
	dhtPrefix       string
	mdns            bool
	mdnsService     string
	rendezvousPeers int // 0: from the degree, see rendezvousPeers

	// NAT traversal and limits.
	holePunching   bool
	natPortMap     bool
	relays         []libp2ppeer.AddrInfo
	relayService   bool
	relayResources relayv2.Resources
	reachability   network.Reachability
	limits         Limits

	// hostOnly names the options given that configure the host New
	// builds, so that New can refuse them alongside WithHost.
	hostOnly []string
}

func defaultConfig() config {
	return config{
		listenAddrs:      DefaultListenAddrs,
		bootstrapTimeout: DefaultBootstrapTimeout,
		keepBootstrap:    DefaultKeepBootstrap,
		banGraylisted:    DefaultBanGraylisted,
		skipHeld:         DefaultSkipHeld,
		lazyShare:        DefaultLazyShare,
		pullDelay:        DefaultPullDelay,
		feederLead:       DefaultFeederLead,
		meshSilence:      -1, // by role, see WithMeshPing
		uplinkExchange:   DefaultUplinkExchange,
		feedStrongest:    DefaultFeedStrongest,
		forgetAfter:      DefaultForgetAfter,
		bitrate:          DefaultBitrate,
		role:             relay.RoleViewer,
		connLow:          DefaultConnLow,
		connHigh:         DefaultConnHigh,
		connGrace:        DefaultConnGrace,
		dhtMode:          DefaultDHTMode,
		dhtPrefix:        DefaultDHTPrefix,
		mdns:             DefaultMDNS,
		mdnsService:      MDNSServiceName,
		holePunching:     DefaultHolePunching,
		natPortMap:       DefaultNATPortMap,
		relayService:     DefaultRelayService,
		relayResources:   VolunteerRelay(),
		reachability:     network.ReachabilityUnknown,
		limits:           HomeLimits(),
	}
}

// hostOption records that the option called name applies only to a host
// New builds.
func (c *config) hostOption(name string) { c.hostOnly = append(c.hostOnly, name) }

// Option configures [New]. A bad value makes New return an error wrapping
// [ErrBadOption] (or [ErrBadAddr], [ErrBadKey]).
type Option func(*config) error

// WithListenAddrs sets the multiaddrs to listen on, replacing
// [DefaultListenAddrs]; see [ParseListenAddrs].
func WithListenAddrs(addrs ...string) Option {
	return func(c *config) error {
		if len(addrs) == 0 {
			return fmt.Errorf("%w: no listen address", ErrBadOption)
		}
		if _, err := ParseListenAddrs(addrs...); err != nil {
			return err
		}
		c.listenAddrs = addrs
		return nil
	}
}

// WithIdentity sets the node's private key. Without it (and without
// [WithKeyFile]) the node has a fresh identity on every start.
func WithIdentity(key crypto.PrivKey) Option {
	return func(c *config) error {
		if key == nil {
			return fmt.Errorf("%w: nil identity", ErrBadOption)
		}
		c.key = key
		return nil
	}
}

// WithKeyFile loads the identity from path, creating it there if missing;
// see [LoadOrCreateKey].
func WithKeyFile(path string) Option {
	return func(c *config) error {
		c.keyFile = path
		return nil
	}
}

// WithBootstrap names peers to connect to at start, as multiaddrs ending in
// /p2p/<peer ID>. New fails if none of them can be reached.
func WithBootstrap(addrs ...string) Option {
	return func(c *config) error {
		infos, err := ParseAddrs(addrs...)
		if err != nil {
			return err
		}
		c.bootstrap = append(c.bootstrap, infos...)
		return nil
	}
}

// WithKeepBootstrap sets whether the node keeps its bootstrap peers
// connected after the start (default [DefaultKeepBootstrap]): it pings
// each every [KeepPingInterval], closes a connection that stops answering
// and redials a lost peer with backoff, and protects them from the
// connection manager's trimming.
func WithKeepBootstrap(on bool) Option {
	return func(c *config) error {
		c.keepBootstrap = on
		return nil
	}
}

// WithBanGraylisted sets whether the node disconnects peers whose score
// is under relay.GraylistThreshold, and refuses them while it stays there
// (default [DefaultBanGraylisted]). Without it they stay connected, their
// RPCs ignored.
func WithBanGraylisted(on bool) Option {
	return func(c *config) error {
		c.banGraylisted = on
		return nil
	}
}

// WithSkipHeld sets whether the node's upload limiter leaves out of each
// write the chunks the peer is known to hold already, from its IDONTWANTs,
// IHAVEs and copies (default [DefaultSkipHeld]; see relay.SkipHeld). Off,
// a chunk queued for a peer is sent however late, as pubsub alone does.
func WithSkipHeld(on bool) Option {
	return func(c *config) error {
		c.skipHeld = on
		return nil
	}
}

// WithLazyPush sets the share of a mesh peer's recent chunks that it must
// have had from another peer first before this viewer announces chunks to
// it by IHAVE instead of sending them (default [DefaultLazyShare]; see
// relay.LazyPush). 0 turns it off; it needs SkipHeld, and a source never
// uses it, since it answers no IWANT. A share outside [0, 1] is an error
// wrapping ErrBadOption.
func WithLazyPush(share float64) Option {
	return func(c *config) error {
		if share < 0 || share > 1 {
			return fmt.Errorf("%w: lazy push share %v outside [0, 1]", ErrBadOption, share)
		}
		c.lazyShare = share
		return nil
	}
}

// WithFeedStrongest has a source feed only the strongest peers it knows
// (relay.Uplinks.FeedStrongest): with D mesh peers, those announcing at
// least as many copies as the D-th strongest, or relay.FeedStrongCopies
// if that is fewer, raised only while 2·D peers clear it, so that claims
// cannot push out honest peers (default [DefaultFeedStrongest]). Off, it
// feeds any D peers announcing relay.FeedMinCopies or more. It needs the
// uplink exchange and does nothing on a viewer.
func WithFeedStrongest(on bool) Option {
	return func(c *config) error {
		c.feedStrongest = on
		return nil
	}
}

// WithPullDelay sets how long a viewer holds back an IWANT before asking
// for the chunks it names that have not come meanwhile (default
// [DefaultPullDelay]; see relay.DeferPulls). 0 asks at once; it needs
// SkipHeld, and a source never pulls. A delay outside [0,
// relay.MaxPullDelay] is an error wrapping ErrBadOption.
func WithPullDelay(d time.Duration) Option {
	return func(c *config) error {
		if d < 0 || d > relay.MaxPullDelay {
			return fmt.Errorf("%w: pull delay %v outside [0, %v]", ErrBadOption, d, relay.MaxPullDelay)
		}
		c.pullDelay = d
		return nil
	}
}

// WithFeederLead sets how much sooner than a viewer's eager feeder a mesh
// peer must announce most of its chunks before the viewer pulls from it
// at once, so that it becomes the viewer's feeder (default
// [DefaultFeederLead]; see relay.PreferFasterFeeders). 0 turns it off; it
// needs a pull delay. A negative lead is an error wrapping ErrBadOption.
func WithFeederLead(lead time.Duration) Option {
	return nonNegative("feeder lead", lead, func(c *config) *time.Duration { return &c.feederLead })
}

// WithMeshPing sets how long a mesh peer may send the node nothing before
// the node pings it, closing the connection if the ping goes unanswered
// for [MeshPingTimeout], so that a peer that left without a goodbye leaves
// the mesh within seconds rather than at QUIC's 30 s idle timeout. The
// default is [DefaultMeshSilence] for a source and
// [DefaultViewerMeshSilence] for a viewer. 0 turns it off; a negative
// silence is an error wrapping ErrBadOption.
func WithMeshPing(silence time.Duration) Option {
	return nonNegative("mesh ping silence", silence, func(c *config) *time.Duration { return &c.meshSilence })
}

// WithUploadBurst sets the upload limiter's burst to n bytes instead of
// relay's default, max(relay.MinBurst, relay.BurstWindow of the cap); 0
// keeps the default (see relay.Burst). An unlimited budget has no burst.
// It is there to measure the burst's effect; a negative n is an error
// wrapping ErrBadOption.
func WithUploadBurst(n int64) Option {
	return func(c *config) error {
		if n < 0 {
			return fmt.Errorf("%w: upload burst %d < 0", ErrBadOption, n)
		}
		c.uploadBurst = n
		return nil
	}
}

// WithUplinkExchange sets whether the node announces the copies of the
// stream its budget carries on [UplinkProtocol], and, for a source or a
// viewer whose budget carries no whole copy, asks each peer for its own
// (default [DefaultUplinkExchange]). A source that knows enough peers able
// to pass the stream on feeds only those (see relay.Uplinks.SourceScore),
// and such a viewer keeps the other weak ones out of its mesh
// (relay.Uplinks.WeakViewerScore). Off, both graft whichever peers come.
func WithUplinkExchange(on bool) Option {
	return func(c *config) error {
		c.uplinkExchange = on
		return nil
	}
}

// WithForgetAfter sets how long a peer must stay disconnected before the
// node removes its keys, protocols and metadata from the host's peerstore
// (default [DefaultForgetAfter]); 0 keeps them forever, as go-libp2p does
// by itself. On a long stream with churn a node meets thousands of peers,
// and the peerstore would otherwise keep every one. Addresses expire by
// their own TTLs, and peers protected from trimming (kept bootstrap peers)
// are never forgotten. A negative d is an error.
func WithForgetAfter(d time.Duration) Option {
	return nonNegative("WithForgetAfter", d, func(c *config) *time.Duration { return &c.forgetAfter })
}

// nonNegative is an Option that sets the duration field picks to d, and
// refuses a negative d with an error wrapping ErrBadOption that names what.
func nonNegative(what string, d time.Duration, field func(*config) *time.Duration) Option {
	return func(c *config) error {
		if d < 0 {
			return fmt.Errorf("%w: %s %v is negative", ErrBadOption, what, d)
		}
		*field(c) = d
		return nil
	}
}

// WithBootstrapTimeout bounds the initial dial of bootstrap peers
// (default [DefaultBootstrapTimeout]).
func WithBootstrapTimeout(d time.Duration) Option {
	return func(c *config) error {
		if d <= 0 {
			return fmt.Errorf("%w: bootstrap timeout %v", ErrBadOption, d)
		}
		c.bootstrapTimeout = d
		return nil
	}
}

// WithRelay sets the node's upload budget, the stream bitrate in bytes per
// second and its role; together they decide the GossipSub degree and the
// enforced upload cap (see package relay). The default is an unlimited
// budget, [DefaultBitrate] and [relay.RoleViewer].
func WithRelay(budget relay.Budget, bitrate int64, role relay.Role) Option {
	return func(c *config) error {
		if err := budget.Validate(); err != nil {
			return fmt.Errorf("%w: %w", ErrBadOption, err)
		}
		if bitrate <= 0 {
			return fmt.Errorf("%w: bitrate %d bytes/s must be positive", ErrBadOption, bitrate)
		}
		c.budget, c.bitrate, c.role = budget, bitrate, role
		return nil
	}
}

// WithConnLimits sets the connection manager's watermarks and grace period
// (defaults [DefaultConnLow], [DefaultConnHigh], [DefaultConnGrace]).
func WithConnLimits(low, high int, grace time.Duration) Option {
	return func(c *config) error {
		if low < 0 || high < 1 || low > high || grace < 0 {
			return fmt.Errorf("%w: connection limits low=%d high=%d grace=%v", ErrBadOption, low, high, grace)
		}
		c.connLow, c.connHigh, c.connGrace = low, high, grace
		return nil
	}
}

// WithHost runs the node on a host the caller built, for example on
// simulated links. Listen addresses, identity, connection and resource
// limits, metrics and NAT traversal are then the caller's business: New
// refuses the options that configure them ([WithMetrics],
// [WithResourceLimits], [WithNATPortMap], [WithHolePunching],
// [WithRelays], [WithRelayService], [WithRelayResources],
// [WithReachability]) rather than ignore them. The DHT, mDNS and
// [Node.Rendezvous] work on any host. The node owns the host and closes
// it.
func WithHost(h host.Host) Option {
	return func(c *config) error {
		if h == nil {
			return fmt.Errorf("%w: nil host", ErrBadOption)
		}
		c.host = h
		return nil
	}
}

// WithHostOptions appends libp2p options after gridcast's own.
func WithHostOptions(opts ...libp2p.Option) Option {
	return func(c *config) error {
		c.hostOptions = append(c.hostOptions, opts...)
		return nil
	}
}

// WithPubSubOptions appends GossipSub options after relay's policy, so
// they override it. Use with care: the relay policy's guarantees (the
// degree, the cap accounting) assume its parameters.
func WithPubSubOptions(opts ...pubsub.Option) Option {
	return func(c *config) error {
		c.pubsubOptions = append(c.pubsubOptions, opts...)
		return nil
	}
}

// WithMetrics registers go-libp2p's Prometheus metrics with reg: the
// swarm's connections and dials, the resource manager's scopes, memory and
// limits (libp2p_rcmgr_*), identify, QUIC, the event bus and the rest, all
// named libp2p_*. GossipSub v0.19 has no Prometheus metrics; its counts
// are in [Node.Monitor], and package metrics exports gridcast's own.
//
// Without this option libp2p's metrics are off, where go-libp2p alone
// would register them with prometheus.DefaultRegisterer: a library should
// not fill the process's global registry unasked, and a process running
// hundreds of nodes has no use for it. (go-libp2p v0.51 registers its
// event bus metrics with the global registry even when metrics are off.)
//
// go-libp2p's collectors are package variables shared by every node in the
// process. Two nodes given two registries both work, but each registry
// reports process-wide totals: those of every node with metrics on, and
// for the resource manager those of every node.
//
// Metrics belong to the host, so New rejects WithMetrics with [WithHost]:
// give that host libp2p.PrometheusRegisterer when building it. Do not pass
// libp2p.PrometheusRegisterer through [WithHostOptions] either: it
// conflicts with the default, which turns metrics off.
func WithMetrics(reg prometheus.Registerer) Option {
	return func(c *config) error {
		if reg == nil {
			return fmt.Errorf("%w: nil metrics registerer", ErrBadOption)
		}
		c.metrics = reg
		c.hostOption("WithMetrics")
		return nil
	}
}
