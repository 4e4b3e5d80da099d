package peer

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	libp2ppeer "github.com/libp2p/go-libp2p/core/peer"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testDHTPrefix keeps the test DHT apart from the public one.
const testDHTPrefix = "/gridcast-test"

// dhtNode starts a DHT server on loopback in the private test DHT,
// bootstrapped off the given nodes.
func dhtNode(t *testing.T, mode DHTMode, bootstrap ...*Node) *Node {
	t.Helper()
	return loopbackNode(t, []Option{WithDHT(mode), WithDHTPrefix(testDHTPrefix)}, bootstrap...)
}

// loopbackNode starts a node on loopback TCP with opts, bootstrapped from
// the given nodes, and closes it when the test ends.
func loopbackNode(t *testing.T, opts []Option, bootstrap ...*Node) *Node {
	t.Helper()
	opts = append([]Option{WithListenAddrs("/ip4/127.0.0.1/tcp/0")}, opts...)
	for _, b := range bootstrap {
		opts = append(opts, WithBootstrap(addrWith(t, b, "/tcp/")))
	}
	n, err := New(t.Context(), opts...)
	require.NoError(t, err)
	t.Cleanup(func() { n.Close() })
	return n
}

// rendezvous runs n.Rendezvous until the test ends and checks how it
// ended.
func rendezvous(t *testing.T, n *Node, key string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- n.Rendezvous(ctx, key) }()
	t.Cleanup(func() {
		cancel()
		assert.ErrorIs(t, <-done, context.Canceled)
	})
}

// The acceptance test for finding peers: a private DHT of 20 servers on
// loopback, three nodes advertising a channel, and a viewer that knows one
// DHT node (not an advertiser) and the channel key. It connects to the
// three through what the DHT told it.
func TestRendezvousFindsChannelPeersThroughDHT(t *testing.T) {
	const size = 20
	nodes := make([]*Node, size)
	nodes[0] = dhtNode(t, DHTServer)
	for i := 1; i < size; i++ {
		// Each joins off the previous node and the first: a chain the
		// routing table refreshes turn into a Kademlia network.
		nodes[i] = dhtNode(t, DHTServer, nodes[i-1], nodes[0])
	}

	key := ChannelKey("12D3KooWHHzSeKaY8xuZVzkLbKFfvNgPPeKhFBGrMbNzbm5akpqu/test")
	advertisers := make([]*Node, 3)
	for i := range advertisers {
		advertisers[i] = dhtNode(t, DHTServer, nodes[5*(i+1)], nodes[5*(i+1)+2])
		rendezvous(t, advertisers[i], key)
	}

	// A viewer at home: auto mode, which on loopback (AutoNAT cannot
	// decide) is a client.
	viewer := dhtNode(t, DHTAuto, nodes[0])
	require.Equal(t, []libp2ppeer.ID{nodes[0].ID()}, viewer.Host().Network().Peers(), "the viewer starts knowing one DHT node")

	start := time.Now()
	rendezvous(t, viewer, key)
	require.Eventually(t, func() bool {
		for _, a := range advertisers {
			if viewer.Host().Network().Connectedness(a.ID()) != network.Connected {
				return false
			}
		}
		return true
	}, time.Minute, 20*time.Millisecond, "the viewer connects to every advertiser")
	t.Logf("found and connected to %d advertisers through a %d-node DHT in %v", len(advertisers), size, time.Since(start))

	assert.Equal(t, network.Connected, viewer.Host().Network().Connectedness(nodes[0].ID()))
	assert.Greater(t, viewer.DHT().RoutingTable().Size(), 1, "the lookup filled the viewer's routing table")
	for _, a := range advertisers {
		assert.NotEqual(t, nodes[0].ID(), a.ID())
	}
}

func TestRendezvousWithoutDHT(t *testing.T) {
	n, err := New(t.Context(), WithListenAddrs("/ip4/127.0.0.1/tcp/0"))
	require.NoError(t, err)
	defer n.Close()
	assert.ErrorIs(t, n.Rendezvous(t.Context(), "k"), ErrNoDHT)
	assert.Nil(t, n.DHT())
}

// Close ends a running Rendezvous and waits for it.
func TestCloseEndsRendezvous(t *testing.T) {
	n, err := New(t.Context(), WithListenAddrs("/ip4/127.0.0.1/tcp/0"), WithDHT(DHTServer), WithDHTPrefix(testDHTPrefix))
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() { done <- n.Rendezvous(context.Background(), "k") }()
	require.NoError(t, n.Close())
	select {
	case err := <-done:
		assert.ErrorIs(t, err, ErrClosed)
	case <-time.After(5 * time.Second):
		t.Fatal("Rendezvous still running after Close")
	}
	assert.ErrorIs(t, n.Rendezvous(context.Background(), "k"), ErrClosed)
}

func TestRetryDelay(t *testing.T) {
	var got []time.Duration
	var d time.Duration
	for range 8 {
		d = retryDelay(d, DefaultRendezvousInterval)
		got = append(got, d)
	}
	want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second,
		16 * time.Second, 32 * time.Second, time.Minute, time.Minute}
	assert.Equal(t, want, got)
}

func TestDiscoveryOptions(t *testing.T) {
	for _, bad := range []Option{
		WithDHT(DHTMode(7)),
		WithDHTPrefix(""),
		WithDHTPrefix("gridcast"),
		WithDHTPrefix("/gridcast/"),
		WithRendezvousPeers(0),
	} {
		_, err := New(t.Context(), bad)
		assert.ErrorIs(t, err, ErrBadOption)
	}
	_, err := New(t.Context(), WithDHTPrefix("nope"))
	assert.ErrorContains(t, err, "WithDHTPrefix")
	assert.Equal(t, "auto", DHTAuto.String())
	assert.Equal(t, "gridcast/1/channel/x/y", ChannelKey("x/y"))
	assert.Equal(t, fmt.Sprint(DHTMode(9)), "DHTMode(9)")
}

func TestParseDHTMode(t *testing.T) {
	for m := DHTOff; m <= DHTAuto; m++ {
		got, err := ParseDHTMode(m.String())
		require.NoError(t, err)
		assert.Equal(t, m, got)
	}
	_, err := ParseDHTMode("on")
	require.ErrorIs(t, err, ErrBadOption)
	assert.ErrorContains(t, err, `"on"`)
}
