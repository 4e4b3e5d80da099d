package main

import (
	"fmt"
	"io"
	"time"

	"github.com/gridcast/gridcast/broadcast"
	"github.com/gridcast/gridcast/peer"
	"github.com/gridcast/gridcast/player"
	"github.com/gridcast/gridcast/relay"
)

// startStatus prints a status line every second until the returned
// function is called: what a viewer wants to know at a glance, in kbit/s
// and seconds. Players counts HTTP players; the output (-o, or the sink
// that waits for the end) is not one.
func startStatus(node *peer.Node, v *broadcast.Viewer, srv *player.Server, viewers func() int, w io.Writer) (stop func()) {
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
			audience := "?"
			if n := viewers(); n > 0 {
				audience = fmt.Sprintf("~%d", n)
			}
			fmt.Fprintf(w, "%5.0fs  in %s  buffer %.1f s  latency %v  skipped %d  viewers %s  players %d  mesh %d  relaying %s of %s\n",
				time.Since(start).Seconds(), kbits(st.BytesIn-last.BytesIn), st.Buffer.Seconds(),
				st.Latency.P50.Round(time.Millisecond), st.Skipped, audience, max(srv.Stats().Players-1, 0),
				st.MeshPeers, kbits(st.BytesOut-last.BytesOut), relay.FormatRate(st.UploadCap))
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
