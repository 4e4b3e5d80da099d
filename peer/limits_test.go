package peer

import (
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	rcmgr "github.com/libp2p/go-libp2p/p2p/host/resource-manager"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// systemLimit returns the limits the node's resource manager enforces
// system-wide.
func systemLimit(t *testing.T, n *Node) (limit rcmgr.Limit, stat network.ScopeStat) {
	t.Helper()
	err := n.Host().Network().ResourceManager().ViewSystem(func(s network.ResourceScope) error {
		limit = s.(rcmgr.ResourceScopeLimiter).Limit()
		stat = s.Stat()
		return nil
	})
	require.NoError(t, err)
	return limit, stat
}

func TestHomeLimitsAreTheDefault(t *testing.T) {
	n, err := New(t.Context(), WithListenAddrs("/ip4/127.0.0.1/tcp/0"))
	require.NoError(t, err)
	defer n.Close()

	home := HomeLimits()
	l, _ := systemLimit(t, n)
	assert.Equal(t, home.Conns, l.GetConnTotalLimit())
	assert.Equal(t, home.ConnsInbound, l.GetConnLimit(network.DirInbound))
	assert.Equal(t, home.Conns, l.GetConnLimit(network.DirOutbound))
	assert.Equal(t, home.Streams, l.GetStreamTotalLimit())
	assert.Equal(t, home.StreamsInbound, l.GetStreamLimit(network.DirInbound))
	assert.Equal(t, home.Memory, l.GetMemoryLimit())
	assert.Equal(t, home.FD, l.GetFDLimit())
	assert.Greater(t, home.Conns, DefaultConnHigh, "the connection manager trims before the resource manager refuses")
}

// A node whose inbound limit is 2 accepts two of four peers that dial it
// and refuses the others.
func TestResourceLimitsRefuseInboundBeyondLimit(t *testing.T) {
	small := Limits{Memory: 64 << 20, FD: 64, Conns: 4, ConnsInbound: 2, Streams: 64, StreamsInbound: 32}
	target, err := New(t.Context(), WithListenAddrs("/ip4/127.0.0.1/tcp/0"),
		WithResourceLimits(small), WithConnLimits(2, 4, time.Minute))
	require.NoError(t, err)
	defer target.Close()
	addr := addrWith(t, target, "/tcp/")

	accepted := 0
	for i := range 4 {
		d, err := New(t.Context(), WithListenAddrs("/ip4/127.0.0.1/tcp/0"))
		require.NoError(t, err)
		defer d.Close()
		info, err := ParseAddr(addr)
		require.NoError(t, err)
		if err := d.Host().Connect(t.Context(), info); err == nil {
			accepted++
		} else {
			t.Logf("dialer %d refused: %v", i, err)
		}
	}
	assert.Equal(t, small.ConnsInbound, accepted)
	_, stat := systemLimit(t, target)
	assert.Equal(t, small.ConnsInbound, stat.NumConnsInbound)
}

// Above its high watermark the connection manager trims the node back to
// the low one.
func TestConnManagerTrimsToLowWatermark(t *testing.T) {
	n, err := New(t.Context(), WithListenAddrs("/ip4/127.0.0.1/tcp/0"), WithConnLimits(2, 4, 0))
	require.NoError(t, err)
	defer n.Close()
	for range 6 {
		p, err := New(t.Context(), WithListenAddrs("/ip4/127.0.0.1/tcp/0"))
		require.NoError(t, err)
		defer p.Close()
		info, err := ParseAddr(addrWith(t, p, "/tcp/"))
		require.NoError(t, err)
		require.NoError(t, n.Host().Connect(t.Context(), info))
	}
	require.Len(t, n.Host().Network().Peers(), 6)
	n.Host().ConnManager().TrimOpenConns(t.Context())
	assert.Eventually(t, func() bool { return len(n.Host().Network().Peers()) == 2 }, 5*time.Second, 20*time.Millisecond)
}

func TestBadLimits(t *testing.T) {
	bad := HomeLimits()
	bad.ConnsInbound = bad.Conns + 1
	_, err := New(t.Context(), WithResourceLimits(bad))
	assert.ErrorIs(t, err, ErrBadOption)
	assert.ErrorContains(t, err, "ConnsInbound")

	_, err = New(t.Context(), WithResourceLimits(Limits{}))
	assert.ErrorContains(t, err, "WithResourceLimits: Memory")

	small := HomeLimits()
	small.Conns, small.ConnsInbound = 10, 10
	_, err = New(t.Context(), WithResourceLimits(small))
	assert.ErrorIs(t, err, ErrBadOption, "the default high watermark exceeds Conns")
	assert.ErrorContains(t, err, "high watermark")

	for _, l := range []Limits{HomeLimits(), ServerLimits()} {
		assert.NoError(t, l.validate())
	}
}
