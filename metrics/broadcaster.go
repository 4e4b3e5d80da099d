package metrics

import (
	"github.com/gridcast/gridcast/broadcast"
	"github.com/gridcast/gridcast/relay"
	"github.com/prometheus/client_golang/prometheus"
)

// BroadcasterSource is what a BroadcasterCollector reads.
// *broadcast.Broadcaster implements it.
type BroadcasterSource interface {
	Stats() broadcast.BroadcasterStats
	Channel() broadcast.Channel
}

// NodeSource is the node a broadcaster publishes from. *peer.Node, and any
// broadcast.Node, implements it.
type NodeSource interface {
	Monitor() *relay.Monitor
	Limiter() *relay.Limiter
}

var (
	_ BroadcasterSource    = (*broadcast.Broadcaster)(nil)
	_ NodeSource           = broadcast.Node(nil)
	_ prometheus.Collector = (*BroadcasterCollector)(nil)
)

// BroadcasterCollector exports a broadcaster's stats and, given its node,
// the node's relay traffic, upload and mesh. It reads snapshots per scrape
// and starts no goroutines.
type BroadcasterCollector struct {
	src       BroadcasterSource
	node      NodeSource // nil: no node metrics
	topic     string
	base      *base
	published statSet[*broadcast.BroadcasterStats]
	nodeStats statSet[*nodeSnapshot]
}

// nodeSnapshot is what one scrape reads from the node.
type nodeSnapshot struct {
	traffic relay.Traffic
	cap     int64
	topic   relay.TopicStats
}

var (
	broadcasterStats = []stat[*broadcast.BroadcasterStats]{
		{famPublished, func(s *broadcast.BroadcasterStats) float64 { return float64(s.Chunks) }},
		{famPubBytes, func(s *broadcast.BroadcasterStats) float64 { return float64(s.Bytes) }},
	}
	nodeStats = []stat[*nodeSnapshot]{
		{famRelayIn, func(s *nodeSnapshot) float64 { return float64(s.traffic.In) }},
		{famRelayOut, func(s *nodeSnapshot) float64 { return float64(s.traffic.Out) }},
		{famUploadCap, func(s *nodeSnapshot) float64 { return float64(s.cap) }},
		{famMeshPeers, func(s *nodeSnapshot) float64 { return float64(s.topic.MeshPeers) }},
	}
)

// NewBroadcasterCollector returns a collector of b's stats, labelled with
// its channel; doc.go lists the metrics. node, which may be nil, adds the
// relay traffic, upload cap, upload rate and the channel's mesh peers; it
// is read once now, to start the upload rate, and once per scrape. Options:
// [WithLabels], [WithViewerEstimate], [WithRateWindow].
func NewBroadcasterCollector(b BroadcasterSource, node NodeSource, opts ...Option) *BroadcasterCollector {
	ch := b.Channel()
	c := &BroadcasterCollector{src: b, node: node, topic: ch.Topic(), base: newBase(ch, opts)}
	if c.base.err != nil {
		return c
	}
	c.published = newStatSet(c.base.labels, broadcasterStats...)
	if node != nil {
		c.nodeStats = newStatSet(c.base.labels, nodeStats...)
		c.base.startRate(node.Limiter().Traffic().Out)
	}
	return c
}

// Describe implements prometheus.Collector.
func (c *BroadcasterCollector) Describe(ch chan<- *prometheus.Desc) {
	c.base.describe(ch)
	if c.base.err != nil {
		return
	}
	c.published.describe(ch)
	c.nodeStats.describe(ch)
}

// Collect implements prometheus.Collector.
func (c *BroadcasterCollector) Collect(ch chan<- prometheus.Metric) {
	if c.base.err != nil {
		ch <- prometheus.NewInvalidMetric(c.base.invalid, c.base.err)
		return
	}
	s := c.src.Stats()
	c.published.collect(ch, &s)
	var sent uint64
	if c.node != nil {
		lim := c.node.Limiter()
		n := nodeSnapshot{traffic: lim.Traffic(), cap: lim.Cap(), topic: c.node.Monitor().TopicStats(c.topic)}
		c.nodeStats.collect(ch, &n)
		sent = n.traffic.Out
	}
	c.base.collect(ch, sent)
}
