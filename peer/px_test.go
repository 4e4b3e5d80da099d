package peer

import (
	"testing"
	"time"

	"github.com/gridcast/gridcast/relay"
	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/network"
	libp2ppeer "github.com/libp2p/go-libp2p/core/peer"
	"github.com/stretchr/testify/require"
)

// Peer exchange on PRUNE: viewers that know only a source whose mesh is
// full (Dhi 2) are turned away with PRUNE, which lists the source's other
// peers, and they connect to viewers they had never heard of. relay's
// AcceptPXThreshold of 0 lets the PX of a fresh, honest peer through.
func TestPrunedViewersConnectThroughPeerExchange(t *testing.T) {
	const bitrate = 300_000 / 8
	loopback := WithListenAddrs("/ip4/127.0.0.1/tcp/0")
	hub, err := New(t.Context(), loopback, WithRelay(relay.Multiple(bitrate, 2), bitrate, relay.RoleSource))
	require.NoError(t, err)
	defer hub.Close()
	require.Equal(t, 2, hub.Degree().Dhi)

	const topic = "/gridcast/test/px"
	join := func(n *Node) *pubsub.Subscription {
		tp, err := n.PubSub().Join(topic)
		require.NoError(t, err)
		sub, err := tp.Subscribe()
		require.NoError(t, err)
		t.Cleanup(sub.Cancel)
		return sub
	}
	join(hub)

	viewers := make([]*Node, 6)
	for i := range viewers {
		viewers[i], err = New(t.Context(), loopback, WithBootstrap(addrWith(t, hub, "/tcp/")))
		require.NoError(t, err)
		defer viewers[i].Close()
		require.Equal(t, []libp2ppeer.ID{hub.ID()}, viewers[i].Host().Network().Peers(), "viewer %d knows only the hub", i)
	}
	for _, v := range viewers {
		join(v)
	}

	// Viewers that know another viewer learnt it from the hub's PRUNE:
	// nothing else tells them about each other.
	knowsAViewer := func() int {
		count := 0
		for _, v := range viewers {
			for _, w := range viewers {
				if v != w && v.Host().Network().Connectedness(w.ID()) == network.Connected {
					count++
					break
				}
			}
		}
		return count
	}
	pruned := len(viewers) - hub.Degree().Dhi
	start := time.Now()
	require.Eventually(t, func() bool { return knowsAViewer() >= pruned }, 10*time.Second, 20*time.Millisecond,
		"at least the %d viewers the full mesh turned away connect to other viewers", pruned)
	t.Logf("%d of %d viewers connected to another viewer through PX in %v", knowsAViewer(), len(viewers), time.Since(start))
}
