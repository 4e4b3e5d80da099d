// Package metrics exports gridcast's stats to Prometheus.
//
// [NewViewerCollector] and [NewBroadcasterCollector] return collectors that
// read a viewer's or broadcaster's stats when scraped; they start no
// goroutines and keep nothing but the upload rate's samples. Register them
// with a prometheus.Registry, give the same registry to peer.WithMetrics
// for go-libp2p's own metrics (libp2p_*), and [Serve] it over HTTP:
//
//	reg := prometheus.NewRegistry()
//	node, err := peer.New(ctx, peer.WithMetrics(reg))
//	...
//	v, err := broadcast.NewViewer(node, ch)
//	...
//	reg.MustRegister(metrics.NewViewerCollector(v))
//	srv, err := metrics.Serve("127.0.0.1:9100", reg)
//	...
//	defer srv.Close()
//
// The caller provides the viewer or broadcaster (or anything with the same
// Stats and Channel methods), for a broadcaster optionally its node, and
// the registry.
//
// # Metrics
//
// Every metric carries the label channel (the channel ID, owner/name) and
// any labels given with [WithLabels]. Counters count from the start of the
// viewer, broadcaster or node.
//
// From a viewer ([NewViewerCollector]):
//
//	gridcast_chunks_received_total        counter  distinct valid chunks that arrived
//	gridcast_chunks_played_total          counter  chunks handed to the player in order
//	gridcast_chunks_skipped_total         counter  chunks still missing at their playout deadline
//	gridcast_chunks_late_total            counter  chunks that arrived after their turn to play
//	gridcast_chunks_duplicates_total      counter  extra copies the router dropped on arrival
//	gridcast_chunks_next_dropped_total    counter  chunks Viewer.Next's queue dropped: the application read too slowly
//	gridcast_buffered_chunks              gauge    chunks in the reorder buffer now
//	gridcast_startup_seconds              gauge    seconds from joining to the first byte played; 0 until then
//	gridcast_latency_seconds              histogram  seconds from publish to receive, per chunk; buckets are
//	                                               broadcast.LatencyBounds (10ms to 30s); includes the clock
//	                                               skew between broadcaster and viewer machines
//
// From a broadcaster ([NewBroadcasterCollector]):
//
//	gridcast_published_chunks_total       counter  chunks published, end-of-stream included
//	gridcast_published_bytes_total        counter  payload bytes published
//
// From the node, through a viewer or through a broadcaster given its node:
//
//	gridcast_relay_received_bytes_total   counter  stream bytes the node received, all channels
//	gridcast_relay_sent_bytes_total       counter  stream bytes the node sent, relayed and published, all channels
//	gridcast_upload_cap_bytes_per_second  gauge    the node's enforced upload cap in bytes/s; 0 means none
//	gridcast_upload_rate_bytes_per_second gauge    the node's upload in bytes/s: over the last rate window
//	                                               ([DefaultRateWindow], [WithRateWindow]) when scraped at
//	                                               least that often, else since the previous scrape
//	gridcast_mesh_peers                   gauge    peers the channel's stream is exchanged with now (GossipSub mesh)
//
// With [WithViewerEstimate], from either:
//
//	gridcast_viewers_estimate             gauge    estimated viewers of the channel
//
// The node's metrics are the node's, not the channel's: a node with
// several collectors repeats them under each channel, so aggregate them
// with max, not sum. Compare gridcast_upload_rate_bytes_per_second with
// gridcast_upload_cap_bytes_per_second to see how close a node runs to its
// cap; rate(gridcast_relay_sent_bytes_total[1m]) is the same measure on
// Prometheus's side.
package metrics
