package main

import (
	"fmt"
	"io"
	"time"

	"github.com/gridcast/gridcast/broadcast"
	"github.com/gridcast/gridcast/peer"
	"github.com/gridcast/gridcast/relay"
)

// startStatus prints a status line every second until the returned
// function is called.
func startStatus(node *peer.Node, v *broadcast.Viewer, w io.Writer) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		start, last := time.Now(), v.Stats()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
			}
			st := v.Stats()
			fmt.Fprintf(w, "%6.0fs  peers %d  mesh %d  chunks %d  dup %d  skipped %d  latency p50 %v p95 %v  in %s  relaying %s of %s\n",
				time.Since(start).Seconds(), len(node.Host().Network().Peers()), st.MeshPeers,
				st.Received, st.Duplicates, st.Skipped,
				st.Latency.P50.Round(time.Millisecond), st.Latency.P95.Round(time.Millisecond),
				kbits(st.BytesIn-last.BytesIn), kbits(st.BytesOut-last.BytesOut),
				relay.FormatRate(st.UploadCap))
			last = st
		}
	}()
	return func() { close(done); <-finished }
}

// kbits formats a measured byte count per second; FormatRate is for caps,
// where 0 means unlimited.
func kbits(bytesPerSec uint64) string {
	return fmt.Sprintf("%.0f kbit/s", float64(bytesPerSec)*8/1000)
}
