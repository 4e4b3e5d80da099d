package main

import (
	"net"
	"runtime"
	"testing"
	"testing/synctest"
	"time"

	"github.com/marcopolo/simnet"
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
