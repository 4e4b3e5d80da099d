package metrics

import (
	"net/http"
	"testing"

	"github.com/gridcast/gridcast/broadcast"
	"github.com/gridcast/gridcast/peer"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// One registry holds libp2p's metrics and gridcast's, from real nodes on
// 127.0.0.1, and one scrape returns both.
func TestServeLibp2pAndGridcastMetrics(t *testing.T) {
	reg := prometheus.NewRegistry()
	loopback := peer.WithListenAddrs("/ip4/127.0.0.1/tcp/0")
	source, err := peer.New(t.Context(), loopback, peer.WithMetrics(reg))
	require.NoError(t, err)
	defer source.Close()
	viewerNode, err := peer.New(t.Context(), loopback, peer.WithBootstrap(source.Addrs()[0].String()))
	require.NoError(t, err)
	defer viewerNode.Close()

	b, err := broadcast.NewBroadcaster(source, "metrics")
	require.NoError(t, err)
	defer b.Close()
	v, err := broadcast.NewViewer(viewerNode, b.Channel())
	require.NoError(t, err)
	defer v.Close()

	reg.MustRegister(
		NewBroadcasterCollector(b, source, WithLabels(prometheus.Labels{"node": "source"})),
		NewViewerCollector(v, WithLabels(prometheus.Labels{"node": "viewer"})),
	)
	s, err := Serve("127.0.0.1:0", reg)
	require.NoError(t, err)
	defer s.Close()

	code, body, err := get(t, "http://"+s.Addr().String()+"/metrics")
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, code)
	for _, want := range []string{
		"gridcast_published_chunks_total{",
		"gridcast_upload_rate_bytes_per_second{",
		"gridcast_chunks_received_total{",
		"gridcast_latency_seconds_bucket{",
		"libp2p_swarm_connections_opened_total{",
		"libp2p_rcmgr_limit{",
	} {
		assert.Contains(t, body, want)
	}
}
