package main

import (
	"net"
	"runtime"
	"testing"
	"testing/synctest"
	"time"

	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	libp2ppeer "github.com/libp2p/go-libp2p/core/peer"
	"github.com/marcopolo/simnet"
	ma "github.com/multiformats/go-multiaddr"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSimnetKeepsClosedEndpoints measures what the simulator itself keeps
// of every host that leaves a run: simnet (v0.0.7) has no way to remove an
// endpoint, so its two link goroutines and queues stay until the network
// closes. A long run with churn grows by this much per departed viewer
// whatever gridcast does (README, "Long runs").
func TestSimnetKeepsClosedEndpoints(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := &simnet.Simnet{LatencyFunc: simnet.StaticLatency(40 * time.Millisecond)}
		n.Start()
		defer n.Close()
		links := simnet.NodeBiDiLinkSettings{
			Uplink:   simnet.LinkSettings{BitsPerSecond: 1_800_000, MTU: 1500},
			Downlink: simnet.LinkSettings{BitsPerSecond: 20_000_000, MTU: 1500},
		}
		hubAddr := &net.UDPAddr{IP: net.IPv4(1, 0, 0, 1), Port: 8000}
		hub := n.NewEndpoint(hubAddr, links)
		defer hub.Close()
		go func() {
			buf := make([]byte, 1500)
			for {
				if _, _, err := hub.ReadFrom(buf); err != nil {
					return
				}
			}
		}()
		packet := make([]byte, 1200)
		cycle := func(i int) {
			c := n.NewEndpoint(&net.UDPAddr{IP: net.IPv4(2, 0, byte(i>>8), byte(i)), Port: 8000}, links)
			for range 100 {
				_, err := c.WriteTo(packet, hubAddr)
				require.NoError(t, err)
			}
			time.Sleep(time.Second)
			require.NoError(t, c.Close())
		}
		measure := func() (uint64, int) {
			time.Sleep(time.Minute)
			synctest.Wait()
			runtime.GC()
			s := takeSample(time.Now(), 0)
			return s.HeapLive, s.Goroutines
		}
		for i := range 10 {
			cycle(i)
		}
		heap0, goroutines0 := measure()
		const endpoints = 200
		for i := range endpoints {
			cycle(1000 + i)
		}
		heap1, goroutines1 := measure()
		perEndpoint := float64(goroutines1-goroutines0) / endpoints
		t.Logf("per closed endpoint: %.2f goroutines, %.1f kB of live heap",
			perEndpoint, (float64(heap1)-float64(heap0))/endpoints/1e3)
		assert.InDelta(t, 2, perEndpoint, 0.05,
			"simnet keeps two goroutines per closed endpoint; if it no longer does, update README's Long runs")
	})
}

// testNetwork starts the small preset's network and count hosts on it,
// closed when the test ends. Call it inside a synctest bubble.
func testNetwork(t *testing.T, count int) (Workload, *simNetwork, []host.Host) {
	w, err := Preset("small")
	require.NoError(t, err)
	n := newSimNetwork(w)
	t.Cleanup(n.Close)
	hosts := make([]host.Host, count)
	for i := range hosts {
		hosts[i], err = n.newHost(1<<20, 1<<20)
		require.NoError(t, err)
		t.Cleanup(func() { hosts[i].Close() })
	}
	return w, n, hosts
}

// TestLinkLatency: the latency the report reads for a pair of hosts is
// the one their packets get.
func TestLinkLatency(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w, n, hosts := testNetwork(t, 2)
		a, b := hosts[0], hosts[1]

		ab, ok := n.linkLatency(a.ID(), b.ID())
		require.True(t, ok)
		ba, _ := n.linkLatency(b.ID(), a.ID())
		assert.Equal(t, ab, ba)
		assert.GreaterOrEqual(t, ab, w.LatencyMin)
		assert.LessOrEqual(t, ab, w.LatencyMax)
		udp := func(h host.Host) net.Addr {
			ip, err := h.Addrs()[0].ValueForProtocol(ma.P_IP4)
			require.NoError(t, err)
			return &net.UDPAddr{IP: net.ParseIP(ip), Port: 8000}
		}
		assert.Equal(t, n.latency(&simnet.Packet{From: udp(a), To: udp(b)}), ab)

		_, ok = n.linkLatency(a.ID(), "nobody")
		assert.False(t, ok)
	})
}

// TestSever: a severed host's goodbyes are lost, so its peers still count
// it as connected after it closes, until their own timeouts end it.
func TestSever(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, n, hosts := testNetwork(t, 3)
		stays, leaves, severed := hosts[0], hosts[1], hosts[2]
		for _, h := range []host.Host{leaves, severed} {
			require.NoError(t, stays.Connect(t.Context(), libp2ppeer.AddrInfo{ID: h.ID(), Addrs: h.Addrs()}))
		}

		n.sever(severed)
		require.NoError(t, leaves.Close())
		require.NoError(t, severed.Close())
		time.Sleep(5 * time.Second)
		assert.Equal(t, network.NotConnected, stays.Network().Connectedness(leaves.ID()), "a host that closes says goodbye")
		assert.Equal(t, network.Connected, stays.Network().Connectedness(severed.ID()), "a severed host's goodbye is lost")
		time.Sleep(time.Minute)
		assert.Equal(t, network.NotConnected, stays.Network().Connectedness(severed.ID()), "the idle timeout ends it")
	})
}
