package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/gridcast/gridcast/broadcast"
	"github.com/gridcast/gridcast/peer"
	"github.com/gridcast/gridcast/relay"
	ma "github.com/multiformats/go-multiaddr"
)

func printBanner(w io.Writer, node *peer.Node, ch broadcast.Channel, o options, source string) {
	addrs := node.Addrs()
	fmt.Fprintf(w, "channel: %s\n", ch.ID())
	fmt.Fprintf(w, "source:  %s\n", source)
	fmt.Fprintln(w, "addresses:")
	for _, a := range addrs {
		fmt.Fprintf(w, "  %s\n", a)
	}
	d := node.Degree()
	fmt.Fprintf(w, "relay:   upload cap %s, sends to %d-%d mesh peers\n", relay.FormatRate(o.upload), d.Dlo, d.Dhi)
	cmd := []string{"go run ./examples/viewer", "-channel", ch.ID(), "-bitrate", rateArg(o.bitrate)}
	if len(addrs) > 0 {
		cmd = append(cmd, "-peer", preferredAddr(addrs))
	}
	fmt.Fprintf(w, "watch:   %s -o stream.out\n", strings.Join(cmd, " "))
}

// rateArg writes a rate in bytes/s as a flag value ParseRate reads back.
func rateArg(bytesPerSec int64) string {
	bits := bytesPerSec * 8
	switch {
	case bits%1_000_000 == 0:
		return fmt.Sprintf("%dMbit", bits/1_000_000)
	case bits%1_000 == 0:
		return fmt.Sprintf("%dkbit", bits/1_000)
	}
	return fmt.Sprintf("%dbit", bits)
}

// preferredAddr picks a loopback TCP address if there is one: the quick
// start runs both programs on one machine.
func preferredAddr(addrs []ma.Multiaddr) string {
	for _, a := range addrs {
		if s := a.String(); strings.HasPrefix(s, "/ip4/127.0.0.1/tcp/") {
			return s
		}
	}
	return addrs[0].String()
}

func waitForPeers(ctx context.Context, node *peer.Node, ch broadcast.Channel, n int, stderr io.Writer) error {
	if n <= 0 {
		return nil
	}
	fmt.Fprintf(stderr, "waiting for %d peer(s) in the channel's mesh\n", n)
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for node.Monitor().TopicStats(ch.Topic()).MeshPeers < n {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
	return nil
}

// startStatus prints a status line every second until the returned
// function is called.
func startStatus(node *peer.Node, b *broadcast.Broadcaster, viewers func() int, w io.Writer) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		start, lastOut, lastBytes := time.Now(), node.Limiter().Traffic().Out, b.Stats().Bytes
		for {
			select {
			case <-done:
				return
			case <-tick.C:
			}
			out := node.Limiter().Traffic().Out
			st := b.Stats()
			topic := node.Monitor().TopicStats(b.Channel().Topic())
			audience := "?"
			if n := viewers(); n > 0 {
				audience = fmt.Sprintf("~%d", n)
			}
			fmt.Fprintf(w, "%5.0fs  stream %s  viewers %s  peers %d  mesh %d  upload %s of %s  sent %.1f MB\n",
				time.Since(start).Seconds(), kbits(st.Bytes-lastBytes), audience,
				len(node.Host().Network().Peers()), topic.MeshPeers,
				kbits(out-lastOut), relay.FormatRate(node.Limiter().Cap()), float64(out)/1e6)
			lastOut, lastBytes = out, st.Bytes
		}
	}()
	return func() { close(done); <-finished }
}

// kbits formats a measured byte count per second; FormatRate is for caps,
// where 0 means unlimited.
func kbits(bytesPerSec uint64) string {
	return fmt.Sprintf("%.0f kbit/s", float64(bytesPerSec)*8/1000)
}
