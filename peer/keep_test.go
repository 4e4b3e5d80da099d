package peer

import (
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestKeptPeerIsRedialledAfterRestart restarts a bootstrap peer with the
// same identity on the same address and checks that the node that
// bootstrapped from it is connected again, without being told, within
// KeepRedialMax of the restart (plus a dial).
func TestKeptPeerIsRedialledAfterRestart(t *testing.T) {
	for _, proto := range []string{"/tcp/", "/quic-v1/"} {
		t.Run(proto, func(t *testing.T) {
			key, _, err := crypto.GenerateEd25519Key(nil)
			require.NoError(t, err)
			a, err := New(t.Context(), WithIdentity(key), WithListenAddrs("/ip4/127.0.0.1/tcp/0", "/ip4/127.0.0.1/udp/0/quic-v1"))
			require.NoError(t, err)
			addr := addrWith(t, a, proto)
			listen := a.Host().Addrs()

			b, err := New(t.Context(), WithListenAddrs("/ip4/127.0.0.1/tcp/0", "/ip4/127.0.0.1/udp/0/quic-v1"), WithBootstrap(addr))
			require.NoError(t, err)
			defer b.Close()
			require.True(t, b.connected(a.ID()))

			require.NoError(t, a.Close())
			require.Eventually(t, func() bool { return !b.connected(a.ID()) }, 5*time.Second, 10*time.Millisecond)
			time.Sleep(3 * KeepRedialMin) // b's redials fail meanwhile

			var addrs []string
			for _, l := range listen {
				addrs = append(addrs, l.String())
			}
			restarted := time.Now()
			a2, err := New(t.Context(), WithIdentity(key), WithListenAddrs(addrs...))
			require.NoError(t, err)
			defer a2.Close()
			require.Eventually(t, func() bool { return b.connected(a2.ID()) }, KeepRedialMax+3*time.Second, 10*time.Millisecond,
				"b reconnects to the restarted peer")
			t.Logf("%s: reconnected %v after the restart", proto, time.Since(restarted).Round(time.Millisecond))
		})
	}
}

func TestKeepBootstrapOff(t *testing.T) {
	a, err := New(t.Context(), WithListenAddrs("/ip4/127.0.0.1/tcp/0"))
	require.NoError(t, err)
	defer a.Close()
	b, err := New(t.Context(), WithListenAddrs("/ip4/127.0.0.1/tcp/0"), WithBootstrap(addrWith(t, a, "/tcp/")), WithKeepBootstrap(false))
	require.NoError(t, err)
	defer b.Close()
	// Let the start's own dials and identify settle, so that no dial is
	// in flight when the connection is closed.
	time.Sleep(time.Second)
	require.NoError(t, b.Host().Network().ClosePeer(a.ID()))
	require.Eventually(t, func() bool { return !b.connected(a.ID()) }, 5*time.Second, 10*time.Millisecond)
	time.Sleep(2 * KeepRedialMax)
	// a's own services (AutoNAT) may dial b; b must not redial a.
	for _, c := range b.Host().Network().ConnsToPeer(a.ID()) {
		assert.Equal(t, network.DirInbound, c.Stat().Direction, "b redialled a with WithKeepBootstrap(false)")
	}
}
