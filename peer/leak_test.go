package peer

import (
	"testing"
	"time"

	"github.com/gridcast/gridcast/internal/leaktest"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCloseLeavesNoGoroutines starts two nodes with every long-lived part
// on (DHT, mDNS, a running Rendezvous, the relay service, metrics, keeping
// and pinging a bootstrap peer, banning) and checks that Close ends every
// goroutine they started.
func TestCloseLeavesNoGoroutines(t *testing.T) {
	leaktest.Check(t)
	loopback := WithListenAddrs("/ip4/127.0.0.1/tcp/0", "/ip4/127.0.0.1/udp/0/quic-v1")
	a, err := New(t.Context(), loopback, WithDHT(DHTServer), WithDHTPrefix("/gridcast-leak"),
		WithRelayService(true), WithReachability(network.ReachabilityPublic), WithMetrics(prometheus.NewRegistry()))
	require.NoError(t, err)
	b, err := New(t.Context(), loopback, WithDHT(DHTClient), WithDHTPrefix("/gridcast-leak"),
		WithMDNS(true), WithBootstrap(addrWith(t, a, "/quic-v1/")))
	require.NoError(t, err)

	done := make(chan error, 1)
	go func() { done <- b.Rendezvous(t.Context(), "leak") }()
	time.Sleep(2 * KeepPingInterval) // let the keeper ping a at least once
	assert.True(t, b.connected(a.ID()))

	require.NoError(t, b.Close())
	require.NoError(t, a.Close())
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Rendezvous did not end with Close")
	}
}
