package relay

import (
	"testing"

	"github.com/libp2p/go-libp2p"
	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func newTestHost(t *testing.T, opts ...libp2p.Option) host.Host {
	t.Helper()
	if len(opts) == 0 {
		opts = []libp2p.Option{libp2p.NoListenAddrs}
	}
	h, err := libp2p.New(opts...)
	require.NoError(t, err)
	t.Cleanup(func() { h.Close() })
	return h
}

// TestPubSubAccepts builds real GossipSub routers from the policy, so
// pubsub's own validate() judges the parameters, scores and option order.
func TestPubSubAccepts(t *testing.T) {
	for _, b := range []Budget{Multiple(testBitrate, 0.5), ADSL(), Multiple(testBitrate, 3), Cable(), Multiple(testBitrate, 10), Fibre(), {}} {
		for _, role := range []Role{RoleViewer, RoleSource} {
			for _, m := range []*Monitor{nil, NewMonitor()} {
				h := newTestHost(t)
				ps, err := pubsub.NewGossipSub(t.Context(), NewLimiter(b.Upload).WrapHost(h), b.PubSubOptions(testBitrate, role, m)...)
				require.NoError(t, err, "%+v %v monitor=%v", b, role, m != nil)
				topic, err := ps.Join("channel")
				require.NoError(t, err)
				require.NoError(t, topic.SetScoreParams(TopicScoreParams()))
			}
		}
	}
}

func TestPubSubRejectsBadBudget(t *testing.T) {
	h := newTestHost(t)
	_, err := pubsub.NewGossipSub(t.Context(), h, Budget{Upload: -1}.PubSubOptions(testBitrate, RoleViewer, nil)...)
	assert.ErrorIs(t, err, ErrBadBudget)
}

func TestOutboundQueueLen(t *testing.T) {
	// ⌈1 s × bitrate / 4 KiB⌉, clamped to [8, 64].
	assert.Equal(t, 8, OutboundQueueLen(-1), "floor")
	assert.Equal(t, 8, OutboundQueueLen(0), "floor")
	assert.Equal(t, 8, OutboundQueueLen(1000), "floor: 0.24 RPCs")
	assert.Equal(t, 8, OutboundQueueLen(8*MinChunkSize), "exactly 8")
	assert.Equal(t, 9, OutboundQueueLen(8*MinChunkSize+1), "just over 8, rounded up")
	assert.Equal(t, 10, OutboundQueueLen(testBitrate), "1 s of 300 kbit/s in 4 KiB chunks: 9.2")
	assert.Equal(t, 31, OutboundQueueLen(1_000_000/8), "1 Mbit/s: 30.5")
	assert.Equal(t, 62, OutboundQueueLen(MaxBitrate), "2 Mbit/s: 61.04")
	assert.Equal(t, 64, OutboundQueueLen(64*MinChunkSize), "exactly the ceiling")
	assert.Equal(t, 64, OutboundQueueLen(64*MinChunkSize+1), "ceiling")
	assert.Equal(t, 64, OutboundQueueLen(1<<62), "ceiling")
	assert.Equal(t, 64, OutboundQueueSize)
	prev := 0
	for b := int64(0); b < 2*MaxBitrate; b += 997 {
		n := OutboundQueueLen(b)
		require.GreaterOrEqual(t, n, prev, "monotone at %d", b)
		prev = n
	}
}
