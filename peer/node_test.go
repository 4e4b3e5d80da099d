package peer

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gridcast/gridcast/relay"
	"github.com/libp2p/go-libp2p/core/network"
	ma "github.com/multiformats/go-multiaddr"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// addrWith returns the first of n's addresses that contains proto.
func addrWith(t *testing.T, n *Node, proto string) string {
	t.Helper()
	for _, a := range n.Addrs() {
		if strings.Contains(a.String(), proto) {
			return a.String()
		}
	}
	t.Fatalf("no %s address among %v", proto, n.Addrs())
	return ""
}

func TestNodesConnectOverTCPAndQUIC(t *testing.T) {
	for _, proto := range []string{"/tcp/", "/quic-v1/"} {
		t.Run(proto, func(t *testing.T) {
			loopback := WithListenAddrs("/ip4/127.0.0.1/tcp/0", "/ip4/127.0.0.1/udp/0/quic-v1")
			a, err := New(t.Context(), loopback)
			require.NoError(t, err)
			defer a.Close()

			b, err := New(t.Context(), loopback, WithBootstrap(addrWith(t, a, proto)))
			require.NoError(t, err)
			defer b.Close()

			assert.Equal(t, network.Connected, b.Host().Network().Connectedness(a.ID()))
			conns := b.Host().Network().ConnsToPeer(a.ID())
			require.NotEmpty(t, conns)
			_, err = conns[0].RemoteMultiaddr().ValueForProtocol(map[string]int{"/tcp/": ma.P_TCP, "/quic-v1/": ma.P_QUIC_V1}[proto])
			assert.NoError(t, err, "connected over %s", proto)
		})
	}
}

func TestSameKeyFileSameID(t *testing.T) {
	key := filepath.Join(t.TempDir(), "id.key")
	loopback := WithListenAddrs("/ip4/127.0.0.1/tcp/0")
	a, err := New(t.Context(), loopback, WithKeyFile(key))
	require.NoError(t, err)
	id := a.ID()
	require.NoError(t, a.Close())
	require.NoError(t, a.Close(), "Close twice")

	b, err := New(t.Context(), loopback, WithKeyFile(key))
	require.NoError(t, err)
	defer b.Close()
	assert.Equal(t, id, b.ID())
}

func TestUnreachableBootstrapFails(t *testing.T) {
	a, err := New(t.Context(), WithListenAddrs("/ip4/127.0.0.1/tcp/0"))
	require.NoError(t, err)
	dead := addrWith(t, a, "/tcp/")
	require.NoError(t, a.Close())

	_, err = New(t.Context(), WithListenAddrs("/ip4/127.0.0.1/tcp/0"), WithBootstrap(dead))
	assert.ErrorIs(t, err, ErrNoBootstrap)
}

func TestDegreeFollowsBudget(t *testing.T) {
	const bitrate = 300_000 / 8
	adsl, err := New(t.Context(), WithListenAddrs("/ip4/127.0.0.1/tcp/0"), WithRelay(relay.Multiple(bitrate, 1), bitrate, relay.RoleViewer))
	require.NoError(t, err)
	defer adsl.Close()
	fibre, err := New(t.Context(), WithListenAddrs("/ip4/127.0.0.1/tcp/0"), WithRelay(relay.Multiple(bitrate, 10), bitrate, relay.RoleViewer))
	require.NoError(t, err)
	defer fibre.Close()
	assert.Less(t, adsl.Degree().D, fibre.Degree().D)
	assert.Equal(t, int64(bitrate), adsl.Limiter().Cap())
}

func TestBadOptions(t *testing.T) {
	_, err := New(t.Context(), WithConnLimits(10, 5, 0))
	assert.ErrorIs(t, err, ErrBadOption)
	_, err = New(t.Context(), WithRelay(relay.Budget{}, 0, relay.RoleViewer))
	assert.ErrorIs(t, err, ErrBadOption)
	_, err = New(t.Context(), WithListenAddrs())
	assert.ErrorIs(t, err, ErrBadOption)
}

// viewerLimiter starts a node of role with a 1 Mbit/s budget and opts,
// closes it and returns its limiter, to read the settings it was built
// with.
func viewerLimiter(t *testing.T, role relay.Role, opts ...Option) *relay.Limiter {
	t.Helper()
	opts = append([]Option{WithListenAddrs("/ip4/127.0.0.1/tcp/0"), WithRelay(relay.Budget{Upload: 125_000}, 37_500, role)}, opts...)
	n, err := New(t.Context(), opts...)
	require.NoError(t, err)
	require.NoError(t, n.Close())
	return n.Limiter()
}

func TestLazyPush(t *testing.T) {
	for _, c := range []struct {
		name string
		role relay.Role
		opts []Option
		want float64
	}{
		{"viewer", relay.RoleViewer, nil, DefaultLazyShare},
		{"source", relay.RoleSource, nil, 0},
		{"share set", relay.RoleViewer, []Option{WithLazyPush(0.5)}, 0.5},
		{"off", relay.RoleViewer, []Option{WithLazyPush(0)}, 0},
		{"without SkipHeld", relay.RoleViewer, []Option{WithSkipHeld(false)}, 0},
	} {
		assert.Equal(t, c.want, viewerLimiter(t, c.role, c.opts...).LazyShare(), c.name)
	}
	assert.Positive(t, DefaultLazyShare)
	for _, bad := range []float64{-0.1, 1.5} {
		_, err := New(t.Context(), WithLazyPush(bad))
		assert.ErrorIs(t, err, ErrBadOption)
	}
}

func TestPullDelay(t *testing.T) {
	for _, c := range []struct {
		name string
		role relay.Role
		opts []Option
		want time.Duration
	}{
		{"viewer", relay.RoleViewer, nil, DefaultPullDelay},
		{"source", relay.RoleSource, nil, 0},
		{"delay set", relay.RoleViewer, []Option{WithPullDelay(time.Second)}, time.Second},
		{"off", relay.RoleViewer, []Option{WithPullDelay(0)}, 0},
		{"without SkipHeld", relay.RoleViewer, []Option{WithSkipHeld(false)}, 0},
	} {
		assert.Equal(t, c.want, viewerLimiter(t, c.role, c.opts...).PullDelay(), c.name)
	}
	assert.Positive(t, DefaultPullDelay)
	for _, bad := range []time.Duration{-time.Millisecond, relay.MaxPullDelay + 1} {
		_, err := New(t.Context(), WithPullDelay(bad))
		assert.ErrorIs(t, err, ErrBadOption)
	}
}

func TestFeederLead(t *testing.T) {
	for _, c := range []struct {
		name string
		role relay.Role
		opts []Option
		want time.Duration
	}{
		{"viewer", relay.RoleViewer, nil, DefaultFeederLead},
		{"source", relay.RoleSource, nil, 0},
		{"lead set", relay.RoleViewer, []Option{WithFeederLead(time.Second)}, time.Second},
		{"off", relay.RoleViewer, []Option{WithFeederLead(0)}, 0},
		{"without held-back pulls", relay.RoleViewer, []Option{WithPullDelay(0)}, 0},
	} {
		assert.Equal(t, c.want, viewerLimiter(t, c.role, c.opts...).FeederLead(), c.name)
	}
	assert.Positive(t, DefaultFeederLead)
	_, err := New(t.Context(), WithFeederLead(-time.Millisecond))
	assert.ErrorIs(t, err, ErrBadOption)
}

func TestUploadBurst(t *testing.T) {
	budget := relay.Budget{Upload: 125_000}
	n, err := New(t.Context(), WithListenAddrs("/ip4/127.0.0.1/tcp/0"), WithRelay(budget, 37_500, relay.RoleViewer))
	require.NoError(t, err)
	assert.EqualValues(t, relay.MinBurst, n.Limiter().Burst(), "relay's default")
	require.NoError(t, n.Close())

	n, err = New(t.Context(), WithListenAddrs("/ip4/127.0.0.1/tcp/0"), WithRelay(budget, 37_500, relay.RoleViewer), WithUploadBurst(16<<10))
	require.NoError(t, err)
	assert.EqualValues(t, 16<<10, n.Limiter().Burst())
	require.NoError(t, n.Close())

	_, err = New(t.Context(), WithUploadBurst(-1))
	assert.ErrorIs(t, err, ErrBadOption)
}
