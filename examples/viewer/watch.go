package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync/atomic"
	"time"

	"github.com/gridcast/gridcast/broadcast"
	"github.com/gridcast/gridcast/directory"
	"github.com/gridcast/gridcast/metrics"
	"github.com/gridcast/gridcast/peer"
	"github.com/gridcast/gridcast/player"
	"github.com/gridcast/gridcast/relay"
	"github.com/prometheus/client_golang/prometheus"
)

// watch plays ch until its end, an interrupt or -idle of silence.
func watch(ctx context.Context, o options, ch broadcast.Channel, node *peer.Node, dir *directory.Directory,
	reg *prometheus.Registry, stdin io.Reader, stdout, stderr io.Writer) error {
	playout := broadcast.DefaultPlayoutConfig()
	playout.Deadline = o.deadline
	v, err := broadcast.NewViewer(node, ch, broadcast.WithPlayout(playout))
	if err != nil {
		return err
	}
	defer v.Close()
	// Count this viewer in the audience the broadcaster announces.
	presence, err := directory.NewPresence(dir, ch)
	if err != nil {
		return err
	}
	defer presence.Close()
	viewers := func() int {
		a, ok := dir.Lookup(ch)
		if !ok {
			return 0
		}
		return a.Viewers
	}
	srv, err := player.New(v, player.WithViewers(viewers))
	if err != nil {
		return err
	}
	defer srv.Close()

	if o.reach.DHT != peer.DHTOff {
		// Find the channel's other viewers on the DHT, and be found.
		rctx, stop := context.WithCancel(ctx)
		defer stop()
		go node.Rendezvous(rctx, peer.ChannelKey(ch.ID())) // ends with rctx or the node
	}
	printBanner(stderr, node, ch, o)
	if o.httpAddr != "" {
		addr, err := srv.Listen(o.httpAddr)
		if err != nil {
			return err
		}
		base := fmt.Sprintf("http://%s", addr)
		fmt.Fprintf(stderr, "players: %s/  (a web page; the stream itself is %s/stream)\n", base, base)
		fmt.Fprintf(stderr, "  vlc %s/stream   mpv %s/stream   ffplay %s/stream\n", base, base, base)
	}
	if reg != nil {
		reg.MustRegister(metrics.NewViewerCollector(v, metrics.WithViewerEstimate(viewers)))
		ms, err := metrics.Serve(o.metricsAddr, reg)
		if err != nil {
			return err
		}
		defer ms.Close()
		fmt.Fprintf(stderr, "metrics: http://%s/metrics\n", ms.Addr())
	}
	if o.chat {
		stopChat, err := startChat(ctx, node, ch, o.nick, stdin, stderr)
		if err != nil {
			return err
		}
		defer stopChat()
	}
	stopStatus := startStatus(node, v, srv, viewers, stderr)
	defer stopStatus()

	// One player of the server's is the output (or, with -http alone, a
	// sink that tells when the stream ends).
	out, err := openOutput(o.out, stdout)
	if err != nil {
		return err
	}
	idle := watchIdle(ctx, v, o.idle)
	client := srv.Subscribe()
	_, err = io.Copy(out, client)
	client.Close()
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	switch {
	case err == nil:
		fmt.Fprintf(stderr, "end of stream; relaying the last chunks for %v\n", o.linger)
		time.Sleep(o.linger)
		return nil
	case errors.Is(err, broadcast.ErrClosed) && ctx.Err() != nil:
		fmt.Fprintln(stderr, "interrupted")
		return nil
	case errors.Is(err, broadcast.ErrClosed) && idle.Load():
		return fmt.Errorf("no chunk arrived for %v: is the broadcaster still live? (-idle to wait longer)", o.idle)
	}
	return err
}

func printBanner(w io.Writer, node *peer.Node, ch broadcast.Channel, o options) {
	d := node.Degree()
	fmt.Fprintf(w, "watching %s\n", ch.ID())
	for _, a := range node.Addrs() {
		// Other viewers can join through this viewer: -peer <address>.
		fmt.Fprintf(w, "listening on %s\n", a)
	}
	fmt.Fprintf(w, "relaying: like every gridcast viewer, you pass the stream on to other viewers (mesh of %d, at most %d peers), using at most %s of your upload; change it with -upload\n",
		d.D, d.Dhi, relay.FormatRate(o.upload))
	if node.Budget().Weak(o.bitrate) {
		fmt.Fprintf(w, "note: %s is less than one copy of a %s stream: you pass on less than you receive, and your mesh peers make up the rest from their other peers\n",
			relay.FormatRate(o.upload), relay.FormatRate(o.bitrate))
	}
}

// watchIdle closes v, which ends its stream, on ctx's end or when no chunk
// has arrived for idle; the flag says which.
func watchIdle(ctx context.Context, v *broadcast.Viewer, idle time.Duration) *atomic.Bool {
	var timedOut atomic.Bool
	go func() {
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		last, since := v.Stats().Received, time.Now()
		for {
			select {
			case <-ctx.Done():
				v.Close()
				return
			case <-tick.C:
			}
			if n := v.Stats().Received; n != last {
				last, since = n, time.Now()
			} else if idle > 0 && time.Since(since) >= idle {
				timedOut.Store(true)
				v.Close()
				return
			}
		}
	}()
	return &timedOut
}

func openOutput(path string, stdout io.Writer) (io.WriteCloser, error) {
	switch path {
	case "":
		return nopCloser{io.Discard}, nil
	case "-":
		return nopCloser{stdout}, nil
	}
	return os.Create(path)
}

type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }
