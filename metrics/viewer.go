package metrics

import (
	"github.com/gridcast/gridcast/broadcast"
	"github.com/prometheus/client_golang/prometheus"
)

// ViewerSource is what a ViewerCollector reads. *broadcast.Viewer
// implements it.
type ViewerSource interface {
	Stats() broadcast.ViewerStats
	Channel() broadcast.Channel
}

var (
	_ ViewerSource         = (*broadcast.Viewer)(nil)
	_ prometheus.Collector = (*ViewerCollector)(nil)
)

// ViewerCollector exports a viewer's stats. It reads one Stats snapshot per
// scrape and starts no goroutines.
type ViewerCollector struct {
	src     ViewerSource
	base    *base
	stats   statSet[*broadcast.ViewerStats]
	latency *prometheus.Desc
}

var viewerStats = []stat[*broadcast.ViewerStats]{
	{famReceived, func(s *broadcast.ViewerStats) float64 { return float64(s.Received) }},
	{famPlayed, func(s *broadcast.ViewerStats) float64 { return float64(s.Played) }},
	{famSkipped, func(s *broadcast.ViewerStats) float64 { return float64(s.Skipped) }},
	{famLate, func(s *broadcast.ViewerStats) float64 { return float64(s.Late) }},
	{famDuplicates, func(s *broadcast.ViewerStats) float64 { return float64(s.Duplicates) }},
	{famNextDropped, func(s *broadcast.ViewerStats) float64 { return float64(s.NextDropped) }},
	{famBuffered, func(s *broadcast.ViewerStats) float64 { return float64(s.Playout.Buffered) }},
	{famStartup, func(s *broadcast.ViewerStats) float64 { return s.Startup.Seconds() }},
	{famRelayIn, func(s *broadcast.ViewerStats) float64 { return float64(s.BytesIn) }},
	{famRelayOut, func(s *broadcast.ViewerStats) float64 { return float64(s.BytesOut) }},
	{famUploadCap, func(s *broadcast.ViewerStats) float64 { return float64(s.UploadCap) }},
	{famMeshPeers, func(s *broadcast.ViewerStats) float64 { return float64(s.MeshPeers) }},
}

// NewViewerCollector returns a collector of v's stats, labelled with its
// channel; doc.go lists the metrics. It reads v.Stats once now, to start
// the upload rate, and once per scrape. Options: [WithLabels],
// [WithViewerEstimate], [WithRateWindow].
//
// The relay traffic, upload cap and upload rate are the node's, all
// channels: a node watching several channels reports them once per channel.
func NewViewerCollector(v ViewerSource, opts ...Option) *ViewerCollector {
	ch := v.Channel()
	c := &ViewerCollector{src: v, base: newBase(ch, opts)}
	if c.base.err != nil {
		return c
	}
	c.stats = newStatSet(c.base.labels, viewerStats...)
	c.latency = prometheus.NewDesc(famLatency.name, famLatency.help, nil, c.base.labels)
	c.base.startRate(v.Stats().BytesOut)
	return c
}

// Describe implements prometheus.Collector.
func (c *ViewerCollector) Describe(ch chan<- *prometheus.Desc) {
	c.base.describe(ch)
	if c.base.err != nil {
		return
	}
	c.stats.describe(ch)
	ch <- c.latency
}

// Collect implements prometheus.Collector.
func (c *ViewerCollector) Collect(ch chan<- prometheus.Metric) {
	if c.base.err != nil {
		ch <- prometheus.NewInvalidMetric(c.base.invalid, c.base.err)
		return
	}
	s := c.src.Stats()
	c.stats.collect(ch, &s)
	ch <- latencyMetric(c.latency, s.LatencyHistogram)
	c.base.collect(ch, s.BytesOut)
}
