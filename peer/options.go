package peer

import (
	"fmt"
	"time"

	"github.com/gridcast/gridcast/relay"
	"github.com/libp2p/go-libp2p"
	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/host"
	libp2ppeer "github.com/libp2p/go-libp2p/core/peer"
	"github.com/prometheus/client_golang/prometheus"
)

// Defaults, in one place. A viewer runs on somebody's home PC next to
// their browser, so the connection limits are modest.
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
}

func defaultConfig() config {
	return config{
		listenAddrs:      DefaultListenAddrs,
		bootstrapTimeout: DefaultBootstrapTimeout,
		bitrate:          DefaultBitrate,
		role:             relay.RoleViewer,
		connLow:          DefaultConnLow,
		connHigh:         DefaultConnHigh,
		connGrace:        DefaultConnGrace,
	}
}

// Option configures [New]. A bad value makes New return an error wrapping
// [ErrBadOption] (or [ErrBadAddr], [ErrBadKey]).
type Option func(*config) error

// WithListenAddrs sets the multiaddrs to listen on, replacing
// [DefaultListenAddrs].
func WithListenAddrs(addrs ...string) Option {
	return func(c *config) error {
		if len(addrs) == 0 {
			return fmt.Errorf("%w: no listen address", ErrBadOption)
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
// simulated links. Listen addresses, identity and connection limits are
// then the caller's business; the node still owns the host and closes it.
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
		return nil
	}
}
