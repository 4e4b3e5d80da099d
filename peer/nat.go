package peer

import (
	"context"
	"fmt"
	"sync/atomic"

	"github.com/libp2p/go-libp2p"
	dht "github.com/libp2p/go-libp2p-kad-dht"
	"github.com/libp2p/go-libp2p/core/event"
	"github.com/libp2p/go-libp2p/core/network"
	libp2ppeer "github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/p2p/host/autorelay"
	relayv2 "github.com/libp2p/go-libp2p/p2p/protocol/circuitv2/relay"
	ma "github.com/multiformats/go-multiaddr"
)

// How a viewer at home is reached. Every node can dial through a circuit
// relay (v2) and accept connections through one. A node that AutoNAT (v1,
// and v2 per address) finds unreachable reserves a slot on a relay, found
// among its static relays ([WithRelays]) or else, when it runs the DHT,
// among the publicly reachable DHT servers in its routing table (AutoRelay
// keeps those that run a relay), and advertises the relayed address. A peer that
// dials that address gets a relayed connection, which hole punching
// (DCUtR) then replaces with a direct one.
//
// A relayed connection through a relay with limits, as a volunteer's
// ([VolunteerRelay]) and most public relays are, is "limited" and
// GossipSub does not use it: pubsub only adds peers whose connectedness
// is network.Connected, and go-libp2p opens no stream over a limited
// connection unless asked (network.WithAllowLimitedConn). The stream
// reaches such a viewer once hole punching succeeds. A relay without
// limits ([DedicatedRelay]) gives unlimited connections that GossipSub
// uses at once, and carries every relayed copy of the stream.

// VolunteerRelay is the default relay service resources, for a publicly
// reachable viewer that relays for others: a relayed connection only
// carries the hole punch that replaces it.
//
//   - Limit: 2 minutes and 128 KiB each way per relayed connection,
//     go-libp2p's defaults, ample for identify and DCUtR.
//   - MaxReservations 16: each reservation keeps its holder's connection
//     open, so 16 take a quarter of [DefaultConnHigh].
//   - MaxCircuits 4 relayed connections per peer at once.
//   - MaxReservationsPerIP 4, MaxReservationsPerASN 16.
//   - ReservationTTL 1 hour and BufferSize 2 KiB, go-libp2p's defaults.
func VolunteerRelay() relayv2.Resources {
	r := relayv2.DefaultResources()
	r.MaxReservations = 16
	r.MaxCircuits = 4
	r.MaxReservationsPerIP = 4
	r.MaxReservationsPerASN = 16
	return r
}

// DedicatedRelay is for a relay the broadcaster runs for viewers who
// cannot be reached any other way: no limit per relayed connection, so
// GossipSub uses relayed connections and the stream flows through the
// relay, and go-libp2p's defaults otherwise (128 reservations, 16
// circuits per peer). Every relayed byte crosses the relay's downlink and
// its uplink, outside the upload cap of package relay, which counts only
// the relay node's own GossipSub traffic. Give it [ServerLimits].
func DedicatedRelay() relayv2.Resources {
	r := relayv2.DefaultResources()
	r.Limit = nil
	return r
}

func validateRelayResources(r relayv2.Resources) error {
	switch {
	case r.ReservationTTL <= 0:
		return fmt.Errorf("ReservationTTL %v must be positive", r.ReservationTTL)
	case r.MaxReservations <= 0 || r.MaxCircuits <= 0 || r.BufferSize <= 0:
		return fmt.Errorf("MaxReservations %d, MaxCircuits %d and BufferSize %d must be positive",
			r.MaxReservations, r.MaxCircuits, r.BufferSize)
	case r.MaxReservationsPerIP <= 0 || r.MaxReservationsPerASN <= 0:
		return fmt.Errorf("MaxReservationsPerIP %d and MaxReservationsPerASN %d must be positive",
			r.MaxReservationsPerIP, r.MaxReservationsPerASN)
	case r.Limit != nil && (r.Limit.Duration <= 0 || r.Limit.Data <= 0):
		return fmt.Errorf("Limit %+v must be nil (unlimited) or positive", *r.Limit)
	}
	return nil
}

// WithHolePunching turns hole punching (DCUtR) on or off (default
// [DefaultHolePunching]).
func WithHolePunching(enabled bool) Option {
	return func(c *config) error {
		c.holePunching = enabled
		c.hostOption("WithHolePunching")
		return nil
	}
}

// WithNATPortMap asks the home router for a port mapping by UPnP or
// NAT-PMP (default [DefaultNATPortMap]).
func WithNATPortMap(enabled bool) Option {
	return func(c *config) error {
		c.natPortMap = enabled
		c.hostOption("WithNATPortMap")
		return nil
	}
}

// WithRelays names circuit relays, as multiaddrs ending in /p2p/<peer ID>,
// that the node reserves a slot on when AutoNAT finds it unreachable. They
// replace the relays it would otherwise find through the DHT.
func WithRelays(addrs ...string) Option {
	return func(c *config) error {
		if len(addrs) == 0 {
			return fmt.Errorf("%w: WithRelays: no relay address", ErrBadOption)
		}
		infos, err := ParseAddrs(addrs...)
		if err != nil {
			return fmt.Errorf("WithRelays: %w", err)
		}
		c.relays = append(c.relays, infos...)
		c.hostOption("WithRelays")
		return nil
	}
}

// WithRelayService runs a circuit relay for others while AutoNAT finds the
// node publicly reachable (default [DefaultRelayService]), within the
// resources of [WithRelayResources].
func WithRelayService(enabled bool) Option {
	return func(c *config) error {
		c.relayService = enabled
		c.hostOption("WithRelayService")
		return nil
	}
}

// WithRelayResources sets the relay service's resources (default
// [VolunteerRelay]); see also [DedicatedRelay]. A nil Limit makes relayed
// connections unlimited.
func WithRelayResources(r relayv2.Resources) Option {
	return func(c *config) error {
		if err := validateRelayResources(r); err != nil {
			return fmt.Errorf("%w: WithRelayResources: %w", ErrBadOption, err)
		}
		c.relayResources = r
		c.hostOption("WithRelayResources")
		return nil
	}
}

// WithReachability overrides AutoNAT: network.ReachabilityPublic or
// network.ReachabilityPrivate, for a node whose operator knows, and for
// tests on loopback, where AutoNAT cannot decide. The default,
// network.ReachabilityUnknown, leaves it to AutoNAT.
func WithReachability(r network.Reachability) Option {
	return func(c *config) error {
		switch r {
		case network.ReachabilityUnknown, network.ReachabilityPublic, network.ReachabilityPrivate:
		default:
			return fmt.Errorf("%w: WithReachability: %v", ErrBadOption, r)
		}
		c.reachability = r
		c.hostOption("WithReachability")
		return nil
	}
}

// natOptions returns the libp2p options for NAT traversal. relays feeds
// AutoRelay when no static relay is configured and the DHT is on.
func natOptions(cfg *config, relays *relaySource) []libp2p.Option {
	opts := []libp2p.Option{libp2p.EnableRelay(), libp2p.EnableAutoNATv2()}
	if cfg.holePunching {
		opts = append(opts, libp2p.EnableHolePunching())
	}
	if cfg.natPortMap {
		opts = append(opts, libp2p.NATPortMap())
	}
	if cfg.relayService {
		opts = append(opts, libp2p.EnableRelayService(relayv2.WithResources(cfg.relayResources)))
	}
	switch {
	case len(cfg.relays) > 0:
		opts = append(opts, libp2p.EnableAutoRelayWithStaticRelays(cfg.relays))
	case cfg.dhtMode != DHTOff:
		opts = append(opts, libp2p.EnableAutoRelayWithPeerSource(relays.candidates))
	}
	switch cfg.reachability {
	case network.ReachabilityPublic:
		opts = append(opts, libp2p.ForceReachabilityPublic())
	case network.ReachabilityPrivate:
		opts = append(opts, libp2p.ForceReachabilityPrivate())
	}
	return opts
}

// relaySource offers AutoRelay the DHT's routing table as relay
// candidates: DHT servers are publicly reachable, and AutoRelay keeps
// those that speak the relay protocol. The DHT starts after the host, so
// until then there are no candidates and AutoRelay asks again later.
type relaySource struct {
	dht atomic.Pointer[dht.IpfsDHT]
}

var _ autorelay.PeerSource = (*relaySource)(nil).candidates

func (s *relaySource) candidates(_ context.Context, num int) <-chan libp2ppeer.AddrInfo {
	var infos []libp2ppeer.AddrInfo
	if d := s.dht.Load(); d != nil {
		ps := d.Host().Peerstore()
		for _, p := range d.RoutingTable().ListPeers() {
			if len(infos) == num {
				break
			}
			if addrs := ps.Addrs(p); len(addrs) > 0 {
				infos = append(infos, libp2ppeer.AddrInfo{ID: p, Addrs: addrs})
			}
		}
	}
	// Filled and closed before returning, so no goroutine outlives the call.
	ch := make(chan libp2ppeer.AddrInfo, len(infos))
	for _, info := range infos {
		ch <- info
	}
	close(ch)
	return ch
}

// watchReachability keeps n.reachability up to date from the event bus.
// The emitter is stateful: Subscribe queues the current value, so a value
// AutoNAT already has (or a forced one) is in place when New returns.
func (n *Node) watchReachability() error {
	sub, err := n.host.EventBus().Subscribe(new(event.EvtLocalReachabilityChanged))
	if err != nil {
		return fmt.Errorf("peer: watch reachability: %w", err)
	}
	select {
	case e := <-sub.Out():
		n.reachability.Store(int32(e.(event.EvtLocalReachabilityChanged).Reachability))
	default:
	}
	n.wg.Go(func() {
		defer sub.Close()
		for {
			select {
			case e := <-sub.Out():
				n.reachability.Store(int32(e.(event.EvtLocalReachabilityChanged).Reachability))
			case <-n.ctx.Done():
				return
			}
		}
	})
	return nil
}

// Reachability returns what AutoNAT last concluded (or [WithReachability]
// forced): network.ReachabilityPublic when others can dial the node
// directly, network.ReachabilityPrivate when it sits behind a NAT or
// firewall and relies on relays and hole punching, and
// network.ReachabilityUnknown until AutoNAT has asked enough peers.
func (n *Node) Reachability() network.Reachability {
	return network.Reachability(n.reachability.Load())
}

// ConnInfo says how the node is connected to a peer.
type ConnInfo struct {
	// Direct counts open connections that go straight to the peer.
	Direct int
	// Relayed counts open connections through a circuit relay.
	Relayed int
	// Limited is true when every open connection is limited by its relay
	// (time and data): GossipSub does not use the peer until hole
	// punching adds a direct connection.
	Limited bool
}

// Connected reports whether any connection to the peer is open.
func (c ConnInfo) Connected() bool { return c.Direct+c.Relayed > 0 }

// ConnInfo returns how the node is connected to p: after a relayed
// connection has been upgraded by hole punching, Direct is at least 1.
func (n *Node) ConnInfo(p libp2ppeer.ID) ConnInfo {
	var info ConnInfo
	for _, c := range n.host.Network().ConnsToPeer(p) {
		if isRelayed(c.RemoteMultiaddr()) {
			info.Relayed++
		} else {
			info.Direct++
		}
	}
	info.Limited = n.host.Network().Connectedness(p) == network.Limited
	return info
}

func isRelayed(addr ma.Multiaddr) bool {
	_, err := addr.ValueForProtocol(ma.P_CIRCUIT)
	return err == nil
}
