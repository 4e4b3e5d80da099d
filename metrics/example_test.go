package metrics_test

import (
	"context"
	"log"

	"github.com/gridcast/gridcast/broadcast"
	"github.com/gridcast/gridcast/metrics"
	"github.com/gridcast/gridcast/peer"
	"github.com/prometheus/client_golang/prometheus"
)

// A viewer that serves its metrics and libp2p's on 127.0.0.1:9100/metrics.
func Example() {
	ctx := context.Background()
	ch, err := broadcast.ParseChannel("12D3KooWK99VoVxNE7XzyBwXEzW7xhK7Gpv85r9F3V3fyKSUKPH5/news")
	if err != nil {
		log.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	node, err := peer.New(ctx, peer.WithMetrics(reg))
	if err != nil {
		log.Fatal(err)
	}
	defer node.Close()
	v, err := broadcast.NewViewer(node, ch)
	if err != nil {
		log.Fatal(err)
	}
	defer v.Close()

	reg.MustRegister(metrics.NewViewerCollector(v))
	srv, err := metrics.Serve("127.0.0.1:9100", reg)
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	// ... read v until the stream ends.
}
