package peer

import (
	"strings"
	"testing"

	"github.com/libp2p/go-libp2p"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// familyNames returns the names of the metric families g has samples for.
func familyNames(t *testing.T, g prometheus.Gatherer) []string {
	t.Helper()
	families, err := g.Gather()
	require.NoError(t, err)
	names := make([]string, 0, len(families))
	for _, f := range families {
		names = append(names, f.GetName())
	}
	return names
}

func withPrefix(names []string, prefix string) []string {
	var out []string
	for _, n := range names {
		if strings.HasPrefix(n, prefix) {
			out = append(out, n)
		}
	}
	return out
}

// Two nodes in one process, each with its own registry: both start, both
// registries fill, and neither registration panics on the other's.
func TestWithMetricsRegistersLibp2pMetrics(t *testing.T) {
	loopback := WithListenAddrs("/ip4/127.0.0.1/tcp/0")
	regA, regB := prometheus.NewRegistry(), prometheus.NewRegistry()
	a, err := New(t.Context(), loopback, WithMetrics(regA))
	require.NoError(t, err)
	defer a.Close()
	b, err := New(t.Context(), loopback, WithMetrics(regB), WithBootstrap(addrWith(t, a, "/tcp/")))
	require.NoError(t, err)
	defer b.Close()

	for name, reg := range map[string]*prometheus.Registry{"a": regA, "b": regB} {
		names := familyNames(t, reg)
		assert.NotEmpty(t, withPrefix(names, "libp2p_swarm_"), "node %s: swarm metrics", name)
		assert.NotEmpty(t, withPrefix(names, "libp2p_rcmgr_"), "node %s: resource manager metrics", name)
		assert.Contains(t, names, "libp2p_swarm_connections_opened_total", "node %s", name)
		assert.Contains(t, names, "libp2p_rcmgr_limit", "node %s", name)
	}
}

// Without WithMetrics nothing but go-libp2p's event bus (which ignores
// DisableMetrics) reaches the global registry.
func TestMetricsOffByDefault(t *testing.T) {
	n, err := New(t.Context(), WithListenAddrs("/ip4/127.0.0.1/tcp/0"))
	require.NoError(t, err)
	defer n.Close()

	names := familyNames(t, prometheus.DefaultGatherer)
	assert.Empty(t, withPrefix(names, "libp2p_swarm_"))
	assert.Empty(t, withPrefix(names, "libp2p_rcmgr_"))
	assert.Empty(t, withPrefix(names, "libp2p_identify_"))
}

func TestWithMetricsBadUse(t *testing.T) {
	_, err := New(t.Context(), WithMetrics(nil))
	assert.ErrorIs(t, err, ErrBadOption, "nil registerer")

	h, err := libp2p.New(libp2p.NoListenAddrs, libp2p.DisableMetrics())
	require.NoError(t, err)
	defer h.Close()
	_, err = New(t.Context(), WithHost(h), WithMetrics(prometheus.NewRegistry()))
	assert.ErrorIs(t, err, ErrBadOption, "WithHost and WithMetrics")
}
