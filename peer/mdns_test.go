package peer

import (
	"fmt"
	"math/rand/v2"
	"net"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	libp2ppeer "github.com/libp2p/go-libp2p/core/peer"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// withMDNSService announces under another service name, so that
// concurrent test runs on one LAN do not find each other.
func withMDNSService(name string) Option {
	return func(c *config) error {
		c.mdnsService = name
		return nil
	}
}

// multicastInterface reports whether an interface that is up can
// multicast: mDNS needs one, and loopback usually cannot.
func multicastInterface() bool {
	ifaces, err := net.Interfaces()
	if err != nil {
		return false
	}
	for _, i := range ifaces {
		if i.Flags&net.FlagUp != 0 && i.Flags&net.FlagMulticast != 0 {
			return true
		}
	}
	return false
}

// Two nodes that know nothing of each other find each other by mDNS and
// connect. They listen on loopback only; the announcements go out on the
// machine's multicast interfaces and come back to it.
func TestMDNSFindsAndConnects(t *testing.T) {
	if !multicastInterface() {
		t.Skip("mDNS needs a network interface that is up and can multicast; this machine has none")
	}
	service := fmt.Sprintf("_gc%d._udp", rand.IntN(1e6))
	opts := []Option{WithListenAddrs("/ip4/127.0.0.1/tcp/0"), WithMDNS(true), withMDNSService(service)}
	a, err := New(t.Context(), opts...)
	require.NoError(t, err)
	defer a.Close()
	b, err := New(t.Context(), opts...)
	require.NoError(t, err)
	defer b.Close()

	start := time.Now()
	require.Eventually(t, func() bool {
		return a.Host().Network().Connectedness(b.ID()) == network.Connected
	}, 10*time.Second, 20*time.Millisecond)
	t.Logf("found and connected by mDNS in %v", time.Since(start))
	assert.NoError(t, a.Close())
	assert.NoError(t, b.Close())
}

// Of two nodes that find each other, exactly one dials at once.
func TestMDNSDialDelayBreaksTies(t *testing.T) {
	a, b := libp2ppeer.ID("a"), libp2ppeer.ID("b")
	assert.Equal(t, time.Duration(0), mdnsDialDelay(a, b))
	assert.Equal(t, MDNSDialDelay, mdnsDialDelay(b, a))
}
