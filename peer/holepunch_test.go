package peer

import (
	"fmt"
	"net"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p"
	"github.com/libp2p/go-libp2p/core/network"
	libp2ppeer "github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/p2p/protocol/holepunch"
	"github.com/libp2p/go-libp2p/p2p/transport/quicreuse"
	"github.com/marcopolo/simnet"
	ma "github.com/multiformats/go-multiaddr"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fixedSourceIP answers QUIC's question "which local address reaches
// that one" on a simulated network, where each node has one address.
type fixedSourceIP struct{ ip atomic.Pointer[net.IP] }

func (s *fixedSourceIP) PreferredSourceIPForDestination(*net.UDPAddr) (net.IP, error) {
	return *s.ip.Load(), nil
}

// onSimnet puts a node's QUIC on router: reachable by anyone if public,
// otherwise only by peers it has sent to first, as behind a NAT. It is how
// go-libp2p tests hole punching.
func onSimnet(router *simnet.SimpleFirewallRouter, public bool) libp2p.Option {
	src := new(fixedSourceIP)
	return libp2p.QUICReuse(quicreuse.NewConnManager,
		quicreuse.OverrideSourceIPSelector(func() (quicreuse.SourceIPSelector, error) { return src, nil }),
		quicreuse.OverrideListenUDP(func(_ string, addr *net.UDPAddr) (net.PacketConn, error) {
			src.ip.Store(&addr.IP)
			if public {
				router.SetAddrPubliclyReachable(addr)
			}
			c := simnet.NewSimConn(addr)
			c.SetUpPacketReceiver(router)
			router.AddNode(addr, c)
			return c, nil
		}))
}

// withoutAutoNATv2 turns AutoNAT v2 off: its dial-back host has
// transports of its own, on real sockets, which a simulated network
// cannot reach.
func withoutAutoNATv2(cfg *libp2p.Config) error {
	cfg.EnableAutoNATv2 = false
	return nil
}

func simNode(t *testing.T, router *simnet.SimpleFirewallRouter, ip string, public bool, opts ...Option) *Node {
	t.Helper()
	opts = append([]Option{
		WithListenAddrs(fmt.Sprintf("/ip4/%s/udp/8000/quic-v1", ip)),
		WithHostOptions(onSimnet(router, public), withoutAutoNATv2,
			// A direct dial to a peer behind a NAT fails only at its
			// timeout (10 s by default); the hole punch comes after it.
			libp2p.EnableHolePunching(holepunch.DirectDialTimeout(100*time.Millisecond))),
	}, opts...)
	n, err := New(t.Context(), opts...)
	require.NoError(t, err)
	t.Cleanup(func() { n.Close() })
	return n
}

// B and C sit behind NATs; A is a volunteer relay with the default
// limits. C reaches B through A on a limited connection that GossipSub
// cannot use; hole punching replaces it with a direct one, and the stream
// flows.
func TestHolePunchUpgradesRelayedConnection(t *testing.T) {
	router := &simnet.SimpleFirewallRouter{}
	a := simNode(t, router, "1.2.0.1", true, WithRelayService(true), WithReachability(network.ReachabilityPublic))
	b := simNode(t, router, "2.2.0.2", false, WithRelays(a.Addrs()[0].String()), WithReachability(network.ReachabilityPrivate))
	c := simNode(t, router, "2.2.0.3", false, WithReachability(network.ReachabilityPrivate))

	var circuit []ma.Multiaddr
	require.Eventually(t, func() bool {
		circuit = slices.DeleteFunc(b.Host().Addrs(), func(a ma.Multiaddr) bool { return !isRelayed(a) })
		return len(circuit) > 0
	}, 10*time.Second, 20*time.Millisecond, "B advertises a circuit address through A")

	for _, n := range []*Node{b, c} {
		// The service starts once the node knows a public address of its
		// own; only connections after that are punched.
		require.Eventually(t, func() bool { return slices.Contains(n.Host().Mux().Protocols(), holepunch.Protocol) },
			5*time.Second, 20*time.Millisecond, "hole punching service running")
	}

	start := time.Now()
	require.NoError(t, c.Host().Connect(t.Context(), libp2ppeer.AddrInfo{ID: b.ID(), Addrs: circuit}))
	first := c.ConnInfo(b.ID())
	assert.GreaterOrEqual(t, first.Relayed, 1, "C first reaches B through the relay")
	require.Eventually(t, func() bool { return c.ConnInfo(b.ID()).Direct > 0 }, 10*time.Second, 20*time.Millisecond,
		"hole punching adds a direct connection")
	t.Logf("hole punching upgraded the relayed connection (limited: %v) to a direct one in %v",
		first.Limited, time.Since(start))
	assert.False(t, c.ConnInfo(b.ID()).Limited)

	const topic = "/gridcast/test/punched"
	subB := subscribe(t, b, topic)
	tc, err := c.PubSub().Join(topic)
	require.NoError(t, err)
	_, err = tc.Subscribe()
	require.NoError(t, err)
	got := make(chan struct{}, 1)
	go func() {
		if _, err := subB.Next(t.Context()); err == nil {
			got <- struct{}{}
		}
	}()
	i := 0
	require.Eventually(t, func() bool {
		i++
		require.NoError(t, tc.Publish(t.Context(), fmt.Appendf(nil, "chunk %d", i)))
		select {
		case <-got:
			return true
		default:
			return false
		}
	}, 10*time.Second, 100*time.Millisecond, "GossipSub delivers over the punched connection")
}
