package peer

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A peer that leaves is forgotten after WithForgetAfter: its protocols
// (recorded by identify) leave the peerstore. A kept bootstrap peer is not.
func TestDepartedPeersAreForgotten(t *testing.T) {
	const after = 200 * time.Millisecond
	a, err := New(t.Context(), WithListenAddrs("/ip4/127.0.0.1/tcp/0"))
	require.NoError(t, err)
	defer a.Close()
	kept, err := New(t.Context(), WithListenAddrs("/ip4/127.0.0.1/tcp/0"))
	require.NoError(t, err)
	b, err := New(t.Context(), WithListenAddrs("/ip4/127.0.0.1/tcp/0"), WithBootstrap(addrWith(t, kept, "/tcp/")), WithForgetAfter(after))
	require.NoError(t, err)
	defer b.Close()
	require.NoError(t, b.Connect(t.Context(), a.Host().Peerstore().PeerInfo(a.ID())))

	known := func(n *Node) bool {
		protos, err := b.Host().Peerstore().GetProtocols(n.ID())
		return err == nil && len(protos) > 0
	}
	require.Eventually(t, func() bool { return known(a) && known(kept) }, 5*time.Second, 10*time.Millisecond, "identify records their protocols")

	// b notes a's departure while a.Close runs, so the clock starts
	// before it.
	left := time.Now()
	require.NoError(t, a.Close())
	require.NoError(t, kept.Close())
	require.Eventually(t, func() bool { return !known(a) }, 5*time.Second, 10*time.Millisecond, "a is forgotten")
	t.Logf("forgotten %v after it left", time.Since(left).Round(time.Millisecond))
	assert.GreaterOrEqual(t, time.Since(left), after, "not before WithForgetAfter")
	time.Sleep(2 * after)
	assert.True(t, known(kept), "a kept bootstrap peer is remembered while it is being redialled")
}

func TestForgetAfterOffAndInvalid(t *testing.T) {
	_, err := New(t.Context(), WithForgetAfter(-time.Second))
	require.ErrorIs(t, err, ErrBadOption)

	a, err := New(t.Context(), WithListenAddrs("/ip4/127.0.0.1/tcp/0"))
	require.NoError(t, err)
	b, err := New(t.Context(), WithListenAddrs("/ip4/127.0.0.1/tcp/0"), WithBootstrap(addrWith(t, a, "/tcp/")), WithKeepBootstrap(false), WithForgetAfter(0))
	require.NoError(t, err)
	defer b.Close()
	require.Eventually(t, func() bool {
		protos, err := b.Host().Peerstore().GetProtocols(a.ID())
		return err == nil && len(protos) > 0
	}, 5*time.Second, 10*time.Millisecond)
	require.NoError(t, a.Close())
	time.Sleep(500 * time.Millisecond)
	protos, err := b.Host().Peerstore().GetProtocols(a.ID())
	require.NoError(t, err)
	assert.NotEmpty(t, protos, "0 keeps peers, as go-libp2p does")
}
