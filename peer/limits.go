package peer

import (
	"fmt"

	"github.com/libp2p/go-libp2p"
	"github.com/libp2p/go-libp2p/core/network"
	rcmgr "github.com/libp2p/go-libp2p/p2p/host/resource-manager"
)

// Limits caps what libp2p may hold on this node, enforced by go-libp2p's
// resource manager: past a limit a new connection or stream is refused.
// They sit above the connection manager's watermarks ([WithConnLimits]),
// which trim the node back to its low watermark well before the resource
// manager refuses anything; the limits are for bursts (DHT lookups dial
// dozens of peers for a moment) and for a node flooded with inbound
// connections.
//
// Every field must be positive. The finer limits (per peer, per protocol,
// per service) are go-libp2p's defaults scaled to Memory and FD, and the
// per-address limit of 8 connections per IPv4 address (or IPv6 /56)
// stays in force, except on loopback.
type Limits struct {
	// Memory is the most memory, in bytes, connections and streams may
	// reserve (stream windows, QUIC buffers). Stream windows that cannot
	// grow make transfers slower, not fail: a 2 Mbit/s stream needs a
	// window of tens of kilobytes.
	Memory int64
	// FD is the most file descriptors connections may hold (one per TCP
	// connection; QUIC shares one socket). Go raises the process's soft
	// limit to the hard limit at start, so 512 fits macOS's defaults too;
	// Windows has no such limit and ignores it.
	FD int
	// Conns is the most open connections, inbound and outbound. It must
	// be at least the connection manager's high watermark.
	Conns int
	// ConnsInbound is the most inbound connections; at most Conns.
	ConnsInbound int
	// Streams is the most open streams, inbound and outbound. GossipSub
	// holds two per peer; DHT queries, identify and pings come and go.
	Streams int
	// StreamsInbound is the most inbound streams; at most Streams.
	StreamsInbound int
}

// HomeLimits are the default: a viewer on a home PC next to a browser.
//
//   - Memory 256 MiB, 1/32 of an 8 GiB PC (go-libp2p's own default takes
//     1/8 of the machine).
//   - FD 512.
//   - Conns 192, three times [DefaultConnHigh]: the connection manager
//     trims to [DefaultConnLow] only after [DefaultConnGrace], and a DHT
//     lookup opens tens of short-lived connections meanwhile.
//   - ConnsInbound 96, half: a publicly reachable viewer is not a server.
//   - Streams 1024, StreamsInbound 512: a few per connection.
func HomeLimits() Limits {
	return Limits{
		Memory:         256 << 20,
		FD:             512,
		Conns:          192,
		ConnsInbound:   96,
		Streams:        1024,
		StreamsInbound: 512,
	}
}

// ServerLimits suit a dedicated node: a broadcaster's seed or a relay on
// a server. Memory 1 GiB, FD 4096, Conns 1024 (768 inbound), Streams
// 8192 (4096 inbound). Raise the connection manager's watermarks with
// them, for example WithConnLimits(256, 512, DefaultConnGrace).
func ServerLimits() Limits {
	return Limits{
		Memory:         1 << 30,
		FD:             4096,
		Conns:          1024,
		ConnsInbound:   768,
		Streams:        8192,
		StreamsInbound: 4096,
	}
}

func (l Limits) validate() error {
	switch {
	case l.Memory <= 0:
		return fmt.Errorf("Memory %d must be positive", l.Memory)
	case l.FD <= 0:
		return fmt.Errorf("FD %d must be positive", l.FD)
	case l.Conns <= 0:
		return fmt.Errorf("Conns %d must be positive", l.Conns)
	case l.ConnsInbound <= 0 || l.ConnsInbound > l.Conns:
		return fmt.Errorf("ConnsInbound %d must be in 1..Conns (%d)", l.ConnsInbound, l.Conns)
	case l.Streams <= 0:
		return fmt.Errorf("Streams %d must be positive", l.Streams)
	case l.StreamsInbound <= 0 || l.StreamsInbound > l.Streams:
		return fmt.Errorf("StreamsInbound %d must be in 1..Streams (%d)", l.StreamsInbound, l.Streams)
	}
	return nil
}

// limitConfig scales go-libp2p's default limits, with its limits for its
// own services (identify, ping, AutoNAT, relay, hole punching), to l and
// then pins the system-wide numbers to l's.
func (l Limits) limitConfig() rcmgr.ConcreteLimitConfig {
	scaling := rcmgr.DefaultLimits
	libp2p.SetDefaultServiceLimits(&scaling)
	system := rcmgr.ResourceLimits{
		Conns:           rcmgr.LimitVal(l.Conns),
		ConnsInbound:    rcmgr.LimitVal(l.ConnsInbound),
		ConnsOutbound:   rcmgr.LimitVal(l.Conns),
		Streams:         rcmgr.LimitVal(l.Streams),
		StreamsInbound:  rcmgr.LimitVal(l.StreamsInbound),
		StreamsOutbound: rcmgr.LimitVal(l.Streams),
		FD:              rcmgr.LimitVal(l.FD),
		Memory:          rcmgr.LimitVal64(l.Memory),
	}
	return rcmgr.PartialLimitConfig{System: system}.Build(scaling.Scale(l.Memory, l.FD))
}

// resourceManager builds the resource manager for l. Its metrics follow
// the host's: on only with WithMetrics.
func (l Limits) resourceManager(metrics bool) (network.ResourceManager, error) {
	var opts []rcmgr.Option
	if !metrics {
		opts = append(opts, rcmgr.WithMetricsDisabled())
	}
	rm, err := rcmgr.NewResourceManager(rcmgr.NewFixedLimiter(l.limitConfig()), opts...)
	if err != nil {
		return nil, fmt.Errorf("peer: resource manager: %w", err)
	}
	return rm, nil
}

// WithResourceLimits sets the resource manager's limits (default
// [HomeLimits]). Do not also pass libp2p.ResourceManager through
// [WithHostOptions]: go-libp2p refuses two resource managers.
func WithResourceLimits(l Limits) Option {
	return func(c *config) error {
		if err := l.validate(); err != nil {
			return fmt.Errorf("%w: WithResourceLimits: %w", ErrBadOption, err)
		}
		c.limits = l
		c.hostOption("WithResourceLimits")
		return nil
	}
}
