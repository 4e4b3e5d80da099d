package peer

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	dht "github.com/libp2p/go-libp2p-kad-dht"
	"github.com/libp2p/go-libp2p/core/network"
	libp2ppeer "github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"
	"github.com/libp2p/go-libp2p/p2p/discovery/mdns"
	drouting "github.com/libp2p/go-libp2p/p2p/discovery/routing"
	ma "github.com/multiformats/go-multiaddr"
	manet "github.com/multiformats/go-multiaddr/net"
)

// DHTMode says whether and how a node takes part in the Kademlia DHT.
type DHTMode int

const (
	// DHTOff runs no DHT; [Node.Rendezvous] returns [ErrNoDHT].
	DHTOff DHTMode = iota
	// DHTClient queries the DHT and answers nobody.
	DHTClient
	// DHTServer queries and answers: for nodes others can dial, and for
	// every node of a test network on loopback.
	DHTServer
	// DHTAuto is a client until AutoNAT finds the node publicly
	// reachable, then a server: what a viewer at home should run, since
	// a server others cannot dial only slows their lookups down.
	DHTAuto
)

func (m DHTMode) String() string {
	switch m {
	case DHTOff:
		return "off"
	case DHTClient:
		return "client"
	case DHTServer:
		return "server"
	case DHTAuto:
		return "auto"
	}
	return fmt.Sprintf("DHTMode(%d)", int(m))
}

// ParseDHTMode reads a mode as String writes it, for a -dht flag. Errors
// wrap ErrBadOption.
func ParseDHTMode(s string) (DHTMode, error) {
	for m := DHTOff; m <= DHTAuto; m++ {
		if s == m.String() {
			return m, nil
		}
	}
	return DHTOff, fmt.Errorf("%w: DHT mode %q: want off, client, server or auto", ErrBadOption, s)
}

func (m DHTMode) dhtMode() dht.ModeOpt {
	switch m {
	case DHTClient:
		return dht.ModeClient
	case DHTServer:
		return dht.ModeServer
	}
	return dht.ModeAuto
}

// WithDHT runs the Kademlia DHT in the given mode (default
// [DefaultDHTMode]), which [Node.Rendezvous] needs. Its bootstrap peers
// are those of [WithBootstrap] and, on the public Amino DHT (the default
// [WithDHTPrefix]), libp2p's public bootstrap nodes as well. With the DHT
// on, a node AutoNAT finds unreachable also looks for relays among its
// DHT peers (see [WithRelays]).
func WithDHT(mode DHTMode) Option {
	return func(c *config) error {
		if mode < DHTOff || mode > DHTAuto {
			return fmt.Errorf("%w: WithDHT: %v", ErrBadOption, mode)
		}
		c.dhtMode = mode
		return nil
	}
}

// WithDHTPrefix sets the DHT's protocol prefix, such as "/gridcast-test"
// for /gridcast-test/kad/1.0.0: nodes with different prefixes form
// different DHTs. The default, [DefaultDHTPrefix], is the public Amino
// DHT, on which the node advertises and accepts only public addresses;
// any other prefix keeps every address, loopback included.
func WithDHTPrefix(prefix string) Option {
	return func(c *config) error {
		if !strings.HasPrefix(prefix, "/") || strings.HasSuffix(prefix, "/") || strings.ContainsAny(prefix, " \t\n") {
			return fmt.Errorf("%w: WithDHTPrefix: %q must start with / and not end with one, like /myapp", ErrBadOption, prefix)
		}
		c.dhtPrefix = prefix
		return nil
	}
}

// WithMDNS turns mDNS discovery on the LAN on or off (default
// [DefaultMDNS]). A node that finds a peer by mDNS connects to it, unless
// it already holds [DefaultConnLow] (or WithConnLimits' low) connections.
// If no interface can multicast, New fails; a program that turns mDNS on
// by default may retry without it.
func WithMDNS(enabled bool) Option {
	return func(c *config) error {
		c.mdns = enabled
		return nil
	}
}

// WithRendezvousPeers sets how many peers found by [Node.Rendezvous] it
// keeps connected. The default is the mesh's needs: the node's Dhi plus
// Dlazy (18 for an unlimited viewer, 8 for the smallest budget), which
// stays under [DefaultConnLow] so the connection manager keeps them.
func WithRendezvousPeers(n int) Option {
	return func(c *config) error {
		if n < 1 {
			return fmt.Errorf("%w: WithRendezvousPeers: %d must be at least 1", ErrBadOption, n)
		}
		c.rendezvousPeers = n
		return nil
	}
}

// startDHT starts the DHT and the routing discovery on it.
func (n *Node) startDHT(cfg *config) error {
	bootstrap := slices.Clone(cfg.bootstrap)
	opts := []dht.Option{
		dht.Mode(cfg.dhtMode.dhtMode()),
		dht.ProtocolPrefix(protocol.ID(cfg.dhtPrefix)),
	}
	if cfg.dhtPrefix == DefaultDHTPrefix {
		// The public DHT's settings, as go-libp2p-kad-dht's dual DHT has
		// them for its WAN half: LAN addresses are of no use to strangers.
		bootstrap = append(bootstrap, dht.GetDefaultBootstrapPeerAddrInfos()...)
		opts = append(opts,
			dht.QueryFilter(dht.PublicQueryFilter),
			dht.RoutingTableFilter(dht.PublicRoutingTableFilter),
			dht.AddressFilter(func(addrs []ma.Multiaddr) []ma.Multiaddr { return ma.FilterAddrs(addrs, manet.IsPublicAddr) }),
		)
	}
	opts = append(opts, dht.BootstrapPeers(bootstrap...))
	d, err := dht.New(n.host, opts...)
	if err != nil {
		return fmt.Errorf("peer: start DHT: %w", err)
	}
	n.dht = d
	n.discovery = drouting.NewRoutingDiscovery(d)
	return nil
}

// DHT returns the node's DHT, or nil under [DHTOff]. It belongs to the
// node: do not close it.
func (n *Node) DHT() *dht.IpfsDHT { return n.dht }

// startMDNS announces the node on the LAN and connects to the peers that
// answer, through one goroutine that Close waits for.
func (n *Node) startMDNS(cfg *config) error {
	found := make(chan libp2ppeer.AddrInfo, 16)
	svc := mdns.NewMdnsService(n.host, cfg.mdnsService, mdnsNotifee{found: found, done: n.ctx.Done()})
	if err := svc.Start(); err != nil {
		return fmt.Errorf("peer: start mDNS: %w", err)
	}
	n.mdns = svc
	low := cfg.connLow
	n.wg.Go(func() {
		for {
			select {
			case info := <-found:
				// Each dial gets a goroutine, so that a delayed one does not
				// hold up the rest; they are as many as LAN peers announce.
				n.wg.Go(func() {
					if !sleep(n.ctx, mdnsDialDelay(n.host.ID(), info.ID)) {
						return
					}
					if n.host.Network().Connectedness(info.ID) == network.Connected || len(n.host.Network().Peers()) >= low {
						return
					}
					ctx, cancel := context.WithTimeout(n.ctx, DefaultDialTimeout)
					defer cancel()
					_ = n.host.Connect(ctx, info) // nothing to do about a LAN peer that does not answer
				})
			case <-n.ctx.Done():
				return
			}
		}
	})
	return nil
}

// mdnsDialDelay is how long to wait before dialing a peer found by mDNS.
// Two nodes find each other at the same moment, and two TCP dials
// between their listening ports (which go-libp2p dials from) meet as one
// simultaneous open that fails both handshakes; mDNS announces each peer
// once, so neither would try again. The node with the smaller ID dials at
// once, the other only if still unconnected after MDNSDialDelay.
func mdnsDialDelay(self, other libp2ppeer.ID) time.Duration {
	if self < other {
		return 0
	}
	return MDNSDialDelay
}

// mdnsNotifee hands found peers to the node's connecting goroutine.
// mdns calls it on goroutines of its own that Close cannot wait for, so
// it never blocks.
type mdnsNotifee struct {
	found chan<- libp2ppeer.AddrInfo
	done  <-chan struct{}
}

var _ mdns.Notifee = mdnsNotifee{}

func (m mdnsNotifee) HandlePeerFound(info libp2ppeer.AddrInfo) {
	select {
	case m.found <- info:
	case <-m.done:
	default: // the connector is busy dialing; the peer announces itself again
	}
}
