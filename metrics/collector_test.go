package metrics

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gridcast/gridcast/broadcast"
	"github.com/gridcast/gridcast/relay"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func viewerStatsForTest() broadcast.ViewerStats {
	return broadcast.ViewerStats{
		Received: 10, Duplicates: 3, Played: 7, Skipped: 1, Late: 2, NextDropped: 4,
		BytesIn: 5000, BytesOut: 12_000, UploadCap: 250_000, MeshPeers: 5,
		Startup: 1500 * time.Millisecond,
		Playout: broadcast.PlayoutStats{Buffered: 2},
		LatencyHistogram: broadcast.LatencyHistogram{
			// One at ≤10ms, two at ≤50ms, one above the last bound.
			Counts: []uint64{1, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 1},
			Sum:    40500 * time.Millisecond,
			Count:  4,
		},
	}
}

func TestViewerCollectorValues(t *testing.T) {
	clk := &clock{now: t0}
	ch := channelForTest(t, 1, "news")
	v := &fakeViewer{ch: ch, stats: broadcast.ViewerStats{BytesOut: 2000}}
	c := NewViewerCollector(v,
		WithLabels(prometheus.Labels{"node": "a"}),
		WithViewerEstimate(func() int { return 42 }),
		withClock(clk.Now))
	v.set(viewerStatsForTest())
	clk.advance(10 * time.Second)

	labels := fmt.Sprintf(`channel=%q,node="a"`, ch.ID())
	want := exposition(labels,
		sample{famReceived, "10"},
		sample{famPlayed, "7"},
		sample{famSkipped, "1"},
		sample{famLate, "2"},
		sample{famDuplicates, "3"},
		sample{famNextDropped, "4"},
		sample{famBuffered, "2"},
		sample{famStartup, "1.5"},
		sample{famRelayIn, "5000"},
		sample{famRelayOut, "12000"},
		sample{famUploadCap, "250000"},
		sample{famUploadRate, "1000"}, // (12000 − 2000) bytes in 10 s
		sample{famMeshPeers, "5"},
		sample{famViewers, "42"},
	)
	// Buckets cumulate: 1 at 10ms, 1+2 from 50ms, and the sample above
	// 30s only in +Inf and the count.
	want += strings.NewReplacer("LABELS", labels).Replace(`
# HELP gridcast_latency_seconds ` + famLatency.help + `
# TYPE gridcast_latency_seconds histogram
gridcast_latency_seconds_bucket{LABELS,le="0.01"} 1
gridcast_latency_seconds_bucket{LABELS,le="0.025"} 1
gridcast_latency_seconds_bucket{LABELS,le="0.05"} 3
gridcast_latency_seconds_bucket{LABELS,le="0.1"} 3
gridcast_latency_seconds_bucket{LABELS,le="0.25"} 3
gridcast_latency_seconds_bucket{LABELS,le="0.5"} 3
gridcast_latency_seconds_bucket{LABELS,le="1"} 3
gridcast_latency_seconds_bucket{LABELS,le="2"} 3
gridcast_latency_seconds_bucket{LABELS,le="5"} 3
gridcast_latency_seconds_bucket{LABELS,le="10"} 3
gridcast_latency_seconds_bucket{LABELS,le="30"} 3
gridcast_latency_seconds_bucket{LABELS,le="+Inf"} 4
gridcast_latency_seconds_sum{LABELS} 40.5
gridcast_latency_seconds_count{LABELS} 4
`)
	assert.NoError(t, testutil.CollectAndCompare(c, strings.NewReader(want)))
}

// A viewer that has received nothing has an empty histogram with every
// bucket, not a missing or broken one.
func TestViewerCollectorZeroStats(t *testing.T) {
	c := NewViewerCollector(&fakeViewer{ch: channelForTest(t, 1, "news")})
	assert.Equal(t, len(viewerStats)+2, testutil.CollectAndCount(c), "stats, latency, upload rate")

	reg := prometheus.NewRegistry()
	require.NoError(t, reg.Register(c))
	families, err := reg.Gather()
	require.NoError(t, err)
	for _, f := range families {
		if f.GetName() == famLatency.name {
			h := f.GetMetric()[0].GetHistogram()
			assert.Len(t, h.GetBucket(), len(broadcast.LatencyBounds))
			assert.Zero(t, h.GetSampleCount())
		}
	}
}

// fakeNode is a NodeSource with a real monitor and limiter.
type fakeNode struct {
	monitor *relay.Monitor
	limiter *relay.Limiter
}

func (n *fakeNode) Monitor() *relay.Monitor { return n.monitor }
func (n *fakeNode) Limiter() *relay.Limiter { return n.limiter }

func newFakeNode(t *testing.T, upload int64) *fakeNode {
	t.Helper()
	n := &fakeNode{monitor: relay.NewMonitor(), limiter: relay.NewLimiter(upload)}
	t.Cleanup(func() { n.limiter.Close() })
	return n
}

func TestBroadcasterCollectorValues(t *testing.T) {
	ch := channelForTest(t, 2, "live")
	node := newFakeNode(t, 125_000)
	node.monitor.Graft(peer.ID("one"), ch.Topic())
	node.monitor.Graft(peer.ID("two"), ch.Topic())
	node.monitor.Graft(peer.ID("elsewhere"), "another topic")
	b := &fakeBroadcaster{ch: ch, stats: broadcast.BroadcasterStats{Chunks: 12, Bytes: 34_567}}
	c := NewBroadcasterCollector(b, node, WithViewerEstimate(func() int { return 7 }))

	want := exposition(fmt.Sprintf(`channel=%q`, ch.ID()),
		sample{famPublished, "12"},
		sample{famPubBytes, "34567"},
		sample{famRelayIn, "0"},
		sample{famRelayOut, "0"},
		sample{famUploadCap, "125000"},
		sample{famUploadRate, "0"},
		sample{famMeshPeers, "2"},
		sample{famViewers, "7"},
	)
	assert.NoError(t, testutil.CollectAndCompare(c, strings.NewReader(want)))
}

func TestBroadcasterCollectorWithoutNode(t *testing.T) {
	b := &fakeBroadcaster{ch: channelForTest(t, 2, "live")}
	c := NewBroadcasterCollector(b, nil)
	assert.Equal(t, 2, testutil.CollectAndCount(c), "chunks and bytes published only")
}

func TestCollectorsLintClean(t *testing.T) {
	estimate := WithViewerEstimate(func() int { return 1 })
	v := NewViewerCollector(&fakeViewer{ch: channelForTest(t, 1, "news"), stats: viewerStatsForTest()}, estimate)
	b := NewBroadcasterCollector(&fakeBroadcaster{ch: channelForTest(t, 2, "live")}, newFakeNode(t, 0), estimate)
	for name, c := range map[string]prometheus.Collector{"viewer": v, "broadcaster": b} {
		problems, err := testutil.CollectAndLint(c)
		require.NoError(t, err, name)
		assert.Empty(t, problems, name)
	}
}

func TestBadOptionsFailRegistration(t *testing.T) {
	ch := channelForTest(t, 1, "news")
	for name, opt := range map[string]Option{
		"channel label":   WithLabels(prometheus.Labels{"channel": "x"}),
		"nil estimate":    WithViewerEstimate(nil),
		"zero window":     WithRateWindow(0),
		"negative window": WithRateWindow(-time.Second),
	} {
		v := NewViewerCollector(&fakeViewer{ch: ch}, opt)
		assert.ErrorIs(t, prometheus.NewRegistry().Register(v), ErrBadOption, name)
		b := NewBroadcasterCollector(&fakeBroadcaster{ch: ch}, nil, opt)
		assert.ErrorIs(t, prometheus.NewRegistry().Register(b), ErrBadOption, name)
	}
	bad := NewViewerCollector(&fakeViewer{ch: ch}, WithLabels(prometheus.Labels{"__reserved": "x"}))
	assert.Error(t, prometheus.NewRegistry().Register(bad), "reserved label name")
}

// Collectors of several channels share a registry; two of one channel
// need labels that tell them apart.
func TestCollectorsShareRegistry(t *testing.T) {
	news, live := channelForTest(t, 1, "news"), channelForTest(t, 2, "live")
	reg := prometheus.NewRegistry()
	require.NoError(t, reg.Register(NewViewerCollector(&fakeViewer{ch: news})))
	require.NoError(t, reg.Register(NewBroadcasterCollector(&fakeBroadcaster{ch: live}, newFakeNode(t, 0))))
	_, err := reg.Gather()
	require.NoError(t, err)

	assert.Error(t, reg.Register(NewViewerCollector(&fakeViewer{ch: news})), "same channel, same labels")

	reg = prometheus.NewRegistry()
	for _, node := range []string{"a", "b"} {
		c := NewViewerCollector(&fakeViewer{ch: news}, WithLabels(prometheus.Labels{"node": node}))
		require.NoError(t, reg.Register(c), node)
	}
	_, err = reg.Gather()
	assert.NoError(t, err)
}
