package peer

import (
	"fmt"
	"io"
	"slices"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p"
	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/network"
	libp2ppeer "github.com/libp2p/go-libp2p/core/peer"
	relayv2 "github.com/libp2p/go-libp2p/p2p/protocol/circuitv2/relay"
	ma "github.com/multiformats/go-multiaddr"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// onlyRelayed hides a node's direct addresses, so that peers can reach it
// only through its relay, as if it sat behind a NAT.
func onlyRelayed(addrs []ma.Multiaddr) []ma.Multiaddr {
	return slices.DeleteFunc(slices.Clone(addrs), func(a ma.Multiaddr) bool { return !isRelayed(a) })
}

// relayTrio starts a relay A with the given resources, a node B that
// reserves a slot on A and hides its own addresses, and a node C, and
// connects C to B through A. AutoRelay advertises circuit addresses only
// through relays with public addresses, which loopback has none of, so C
// builds B's circuit address itself, as it would read it from a DHT
// record or an invitation.
func relayTrio(t *testing.T, res relayv2.Resources) (a, b, c *Node) {
	t.Helper()
	loopback := WithListenAddrs("/ip4/127.0.0.1/tcp/0")
	a, err := New(t.Context(), loopback, WithRelayService(true), WithRelayResources(res),
		WithReachability(network.ReachabilityPublic))
	require.NoError(t, err)
	t.Cleanup(func() { a.Close() })
	relayAddr := addrWith(t, a, "/tcp/")
	b, err = New(t.Context(), loopback, WithRelays(relayAddr),
		WithReachability(network.ReachabilityPrivate), WithHostOptions(libp2p.AddrsFactory(onlyRelayed)))
	require.NoError(t, err)
	t.Cleanup(func() { b.Close() })
	c, err = New(t.Context(), loopback)
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	assert.Equal(t, network.ReachabilityPublic, a.Reachability())
	assert.Equal(t, network.ReachabilityPrivate, b.Reachability())

	circuit := ma.StringCast(relayAddr + "/p2p-circuit")
	require.Eventually(t, func() bool {
		// Refused until B holds a reservation on A.
		return c.Host().Connect(t.Context(), libp2ppeer.AddrInfo{ID: b.ID(), Addrs: []ma.Multiaddr{circuit}}) == nil
	}, 10*time.Second, 50*time.Millisecond, "C reaches B through A")
	return a, b, c
}

// A dedicated relay (no limits) gives an unlimited relayed connection,
// which GossipSub uses: B, reachable only through the relay, receives
// what C publishes.
func TestStreamReachesNodeBehindUnlimitedRelay(t *testing.T) {
	_, b, c := relayTrio(t, DedicatedRelay())
	info := c.ConnInfo(b.ID())
	assert.Equal(t, ConnInfo{Relayed: 1}, info, "relayed, not limited")

	const topic = "/gridcast/test/relayed"
	subB := subscribe(t, b, topic)
	tc, err := c.PubSub().Join(topic)
	require.NoError(t, err)
	_, err = tc.Subscribe()
	require.NoError(t, err)

	got := make(chan []byte, 1)
	go func() {
		if m, err := subB.Next(t.Context()); err == nil {
			got <- m.Data
		}
	}()
	i := 0
	require.Eventually(t, func() bool {
		// Distinct data each time: message IDs hash the content.
		i++
		require.NoError(t, tc.Publish(t.Context(), fmt.Appendf(nil, "chunk %d", i)))
		select {
		case data := <-got:
			t.Logf("B received %q over the relayed connection", data)
			return true
		default:
			return false
		}
	}, 10*time.Second, 100*time.Millisecond, "GossipSub delivers over the relayed connection")
	assert.Equal(t, ConnInfo{Relayed: 1}, c.ConnInfo(b.ID()), "still relayed: no direct path exists")
}

// A volunteer relay (the default, with limits) gives a limited
// connection: a stream opened with network.WithAllowLimitedConn works,
// but GossipSub, which opens its streams without it, leaves the peer
// alone until hole punching brings a direct connection (which cannot
// happen on loopback, where there is no public address to punch to).
func TestLimitedRelayedConnectionIsNotUsedByGossipSub(t *testing.T) {
	_, b, c := relayTrio(t, VolunteerRelay())
	assert.Equal(t, ConnInfo{Relayed: 1, Limited: true}, c.ConnInfo(b.ID()))

	const echo = "/gridcast-test/echo/1"
	b.Host().SetStreamHandler(echo, func(s network.Stream) {
		defer s.Close()
		io.Copy(s, s)
	})
	ctx := network.WithAllowLimitedConn(t.Context(), "test")
	s, err := c.Host().NewStream(ctx, b.ID(), echo)
	require.NoError(t, err)
	_, err = s.Write([]byte("ping"))
	require.NoError(t, err)
	require.NoError(t, s.CloseWrite())
	reply, err := io.ReadAll(s)
	require.NoError(t, err)
	assert.Equal(t, "ping", string(reply), "a round trip through the relay")

	const topic = "/gridcast/test/limited"
	subscribe(t, b, topic)
	subscribe(t, c, topic)
	assert.Never(t, func() bool {
		return slices.Contains(c.PubSub().ListPeers(topic), b.ID()) || slices.Contains(b.PubSub().ListPeers(topic), c.ID())
	}, 1500*time.Millisecond, 50*time.Millisecond, "GossipSub does not use a limited connection")
}

func subscribe(t *testing.T, n *Node, topic string) *pubsub.Subscription {
	t.Helper()
	tp, err := n.PubSub().Join(topic)
	require.NoError(t, err)
	sub, err := tp.Subscribe()
	require.NoError(t, err)
	t.Cleanup(sub.Cancel)
	return sub
}

func TestNATOptions(t *testing.T) {
	for name, bad := range map[string]Option{
		"WithRelays":         WithRelays(),
		"WithRelayResources": WithRelayResources(relayv2.Resources{}),
		"WithReachability":   WithReachability(network.Reachability(9)),
	} {
		_, err := New(t.Context(), bad)
		assert.ErrorIs(t, err, ErrBadOption, name)
		assert.ErrorContains(t, err, name)
	}
	_, err := New(t.Context(), WithRelays("/ip4/127.0.0.1/tcp/1"))
	assert.ErrorIs(t, err, ErrBadAddr)

	limited := VolunteerRelay()
	limited.Limit = &relayv2.RelayLimit{Duration: time.Minute}
	_, err = New(t.Context(), WithRelayResources(limited))
	assert.ErrorIs(t, err, ErrBadOption, "a limit of zero bytes")
}

// Options that configure the host New builds are refused with WithHost,
// each named; the DHT and mDNS work on any host.
func TestWithHostRefusesHostOptions(t *testing.T) {
	h, err := libp2p.New(libp2p.NoListenAddrs, libp2p.DisableMetrics())
	require.NoError(t, err)
	defer h.Close()
	_, err = New(t.Context(), WithHost(h), WithNATPortMap(true), WithRelayService(true), WithResourceLimits(HomeLimits()))
	assert.ErrorIs(t, err, ErrBadOption)
	for _, name := range []string{"WithNATPortMap", "WithRelayService", "WithResourceLimits"} {
		assert.ErrorContains(t, err, name)
	}

	n, err := New(t.Context(), WithHost(h), WithDHT(DHTClient), WithDHTPrefix(testDHTPrefix))
	require.NoError(t, err)
	assert.NotNil(t, n.DHT())
	require.NoError(t, n.Close())
}
