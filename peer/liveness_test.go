package peer

import (
	"testing"
	"time"

	"github.com/gridcast/gridcast/relay"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/p2p/protocol/ping"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMeshPing: a mesh peer that sends nothing is pinged and kept while
// it answers, and dropped once it stops.
func TestMeshPing(t *testing.T) {
	loopback := WithListenAddrs("/ip4/127.0.0.1/tcp/0")
	quiet, err := New(t.Context(), loopback, WithMeshPing(0), WithRelay(relay.Budget{}, DefaultBitrate, relay.RoleSource))
	require.NoError(t, err)
	defer quiet.Close()
	watcher, err := New(t.Context(), loopback, WithBootstrap(quiet.Addrs()[0].String()+"/p2p/"+quiet.ID().String()),
		WithKeepBootstrap(false), WithMeshPing(200*time.Millisecond))
	require.NoError(t, err)
	defer watcher.Close()

	for _, n := range []*Node{quiet, watcher} {
		topic, err := n.PubSub().Join("t")
		require.NoError(t, err)
		sub, err := topic.Subscribe()
		require.NoError(t, err)
		defer sub.Cancel()
	}
	require.Eventually(t, func() bool {
		return len(watcher.Monitor().MeshPeers("t")) == 1
	}, 10*time.Second, 10*time.Millisecond, "the two form a mesh")

	// The quiet peer publishes nothing, so only pings are heard from it.
	time.Sleep(time.Second)
	assert.Zero(t, watcher.DeadMeshPeers())
	assert.Equal(t, network.Connected, watcher.Host().Network().Connectedness(quiet.ID()))

	quiet.Host().RemoveStreamHandler(ping.ID)
	// The Monitor hears of the closed peer from pubsub's event loop, after
	// the count, so both are waited for.
	require.Eventually(t, func() bool {
		// At least one: until the Monitor hears, the next check may ping
		// the peer again and count it twice.
		return watcher.DeadMeshPeers() >= 1 && len(watcher.Monitor().MeshPeers("t")) == 0
	}, 5*time.Second, 10*time.Millisecond)
	assert.Equal(t, network.NotConnected, watcher.Host().Network().Connectedness(quiet.ID()))

	_, err = New(t.Context(), WithMeshPing(-time.Second))
	assert.ErrorIs(t, err, ErrBadOption)
}

func TestMeshPingDefaults(t *testing.T) {
	loopback := WithListenAddrs("/ip4/127.0.0.1/tcp/0")
	for _, c := range []struct {
		name string
		opts []Option
		want time.Duration
	}{
		{"viewer", nil, DefaultViewerMeshSilence},
		{"source", []Option{WithRelay(relay.Budget{}, DefaultBitrate, relay.RoleSource)}, DefaultMeshSilence},
		{"viewer, longer", []Option{WithMeshPing(3 * time.Second)}, 3 * time.Second},
		{"viewer, off", []Option{WithMeshPing(0)}, 0},
		{"source, off", []Option{WithRelay(relay.Budget{}, DefaultBitrate, relay.RoleSource), WithMeshPing(0)}, 0},
	} {
		n, err := New(t.Context(), append([]Option{loopback}, c.opts...)...)
		require.NoError(t, err)
		assert.Equal(t, c.want, n.MeshPing(), c.name)
		require.NoError(t, n.Close())
	}
}
