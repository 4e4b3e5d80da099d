package metrics

import (
	"maps"

	"github.com/gridcast/gridcast/broadcast"
	"github.com/prometheus/client_golang/prometheus"
)

// channelLabel names the constant label every gridcast metric carries.
const channelLabel = "channel"

// family is one metric name with its help and type. Every collector builds
// its descriptors from these, so collectors of several channels can share
// a registry: Prometheus requires one help text and one label set per name.
type family struct {
	name string
	help string
	typ  prometheus.ValueType
}

// The families; doc.go lists them for users.
var (
	famReceived    = family{"gridcast_chunks_received_total", "Distinct valid chunks of the channel that arrived.", prometheus.CounterValue}
	famPlayed      = family{"gridcast_chunks_played_total", "Chunks handed to the player in order.", prometheus.CounterValue}
	famSkipped     = family{"gridcast_chunks_skipped_total", "Chunks still missing at their playout deadline, given up on.", prometheus.CounterValue}
	famLate        = family{"gridcast_chunks_late_total", "Chunks that arrived after their turn to play had passed.", prometheus.CounterValue}
	famDuplicates  = family{"gridcast_chunks_duplicates_total", "Extra copies of chunks the router dropped on arrival.", prometheus.CounterValue}
	famNextDropped = family{"gridcast_chunks_next_dropped_total", "Chunks the arrival-order queue dropped because the application did not read it fast enough.", prometheus.CounterValue}
	famBuffered    = family{"gridcast_buffered_chunks", "Chunks held in the reorder buffer now.", prometheus.GaugeValue}
	famStartup     = family{"gridcast_startup_seconds", "Time from joining the channel to the first byte played; 0 until then.", prometheus.GaugeValue}
	famPublished   = family{"gridcast_published_chunks_total", "Chunks the broadcaster published, end-of-stream included.", prometheus.CounterValue}
	famPubBytes    = family{"gridcast_published_bytes_total", "Payload bytes the broadcaster published.", prometheus.CounterValue}
	famRelayIn     = family{"gridcast_relay_received_bytes_total", "Stream bytes the node received, all channels.", prometheus.CounterValue}
	famRelayOut    = family{"gridcast_relay_sent_bytes_total", "Stream bytes the node sent, relayed and published, all channels.", prometheus.CounterValue}
	famUploadCap   = family{"gridcast_upload_cap_bytes_per_second", "The node's enforced upload cap; 0 means none.", prometheus.GaugeValue}
	famUploadRate  = family{"gridcast_upload_rate_bytes_per_second", "The node's upload rate over the last rate window, or since the previous scrape when that is longer ago.", prometheus.GaugeValue}
	famMeshPeers   = family{"gridcast_mesh_peers", "Peers the channel's stream is exchanged with now (the GossipSub mesh).", prometheus.GaugeValue}
	famViewers     = family{"gridcast_viewers_estimate", "Estimated number of viewers of the channel.", prometheus.GaugeValue}
	// famLatency is a histogram; typ is unused.
	famLatency = family{"gridcast_latency_seconds", "Publish-to-receive delay of every chunk, clock skew between the machines included.", prometheus.UntypedValue}
)

// constLabels returns extra with the channel label added.
func constLabels(ch broadcast.Channel, extra prometheus.Labels) prometheus.Labels {
	labels := maps.Clone(extra)
	if labels == nil {
		labels = make(prometheus.Labels, 1)
	}
	labels[channelLabel] = ch.ID()
	return labels
}

// stat is a family whose value is read from a snapshot of type S.
type stat[S any] struct {
	family
	value func(S) float64
}

// statSet is a list of stats with their descriptors.
type statSet[S any] struct {
	stats []stat[S]
	descs []*prometheus.Desc
}

func newStatSet[S any](labels prometheus.Labels, stats ...stat[S]) statSet[S] {
	s := statSet[S]{stats: stats, descs: make([]*prometheus.Desc, len(stats))}
	for i, st := range stats {
		s.descs[i] = prometheus.NewDesc(st.name, st.help, nil, labels)
	}
	return s
}

func (s statSet[S]) describe(ch chan<- *prometheus.Desc) {
	for _, d := range s.descs {
		ch <- d
	}
}

func (s statSet[S]) collect(ch chan<- prometheus.Metric, snap S) {
	for i, st := range s.stats {
		ch <- constMetric(s.descs[i], st.typ, st.value(snap))
	}
}

// constMetric never panics: an invalid descriptor becomes an invalid
// metric, which the registry reports as a gather error.
func constMetric(desc *prometheus.Desc, typ prometheus.ValueType, v float64) prometheus.Metric {
	m, err := prometheus.NewConstMetric(desc, typ, v)
	if err != nil {
		return prometheus.NewInvalidMetric(desc, err)
	}
	return m
}

// latencyMetric converts a viewer's histogram, whose counts are per bucket,
// to Prometheus's, whose counts are cumulative. Chunks above the last
// bound are in Count only, as Prometheus's +Inf bucket is.
func latencyMetric(desc *prometheus.Desc, h broadcast.LatencyHistogram) prometheus.Metric {
	buckets := make(map[float64]uint64, len(broadcast.LatencyBounds))
	var cumulative uint64
	for i, bound := range broadcast.LatencyBounds {
		if i < len(h.Counts) {
			cumulative += h.Counts[i]
		}
		buckets[bound.Seconds()] = cumulative
	}
	m, err := prometheus.NewConstHistogram(desc, h.Count, h.Sum.Seconds(), buckets)
	if err != nil {
		return prometheus.NewInvalidMetric(desc, err)
	}
	return m
}
