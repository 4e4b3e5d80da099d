// Command viewer watches a gridcast channel and relays it to other viewers.
//
// It writes the stream in order to -o (stdout by default, for a player
// reading a pipe) and prints a status line to stderr every second. Every
// viewer relays the stream to other viewers within the upload cap set with
// -upload; the banner and the status line say so.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gridcast/gridcast/broadcast"
	"github.com/gridcast/gridcast/peer"
	"github.com/gridcast/gridcast/relay"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		stop() // a second Ctrl-C kills
	}()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return // the usage has been printed
		}
		fmt.Fprintln(os.Stderr, "viewer:", err)
		os.Exit(1)
	}
}

type options struct {
	channel, out, listen, keyFile string
	peers                         []string
	bitrate, upload               int64
	deadline, idle, linger        time.Duration
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	o := options{bitrate: peer.DefaultBitrate, upload: 2_000_000 / 8}
	fs := flag.NewFlagSet("viewer", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.channel, "channel", "", "channel `ID` as printed by the broadcaster (<peer ID>/<name>)")
	fs.Func("peer", "peer `multiaddr` ending in /p2p/<id> to join through (repeatable)", func(s string) error { o.peers = append(o.peers, s); return nil })
	fs.StringVar(&o.out, "o", "-", "write the stream to `file` (- is stdout)")
	fs.Func("upload", "most upload `rate` spent relaying to other viewers, e.g. 2Mbit (default 2Mbit)", rateFlag(&o.upload))
	fs.Func("bitrate", "the stream's `rate` if known, e.g. 300kbit; sizes how many peers you relay to (default 1Mbit)", rateFlag(&o.bitrate))
	fs.DurationVar(&o.deadline, "deadline", broadcast.DefaultPlayoutConfig().Deadline, "playout deadline: a chunk missing this long is skipped")
	fs.DurationVar(&o.idle, "idle", 30*time.Second, "give up when no chunk arrives for this long (0: wait forever)")
	fs.DurationVar(&o.linger, "linger", 2*time.Second, "keep relaying this long after the end of the stream, for viewers behind you")
	fs.StringVar(&o.listen, "listen", strings.Join(peer.DefaultListenAddrs, ","), "comma-separated `multiaddrs` to listen on")
	fs.StringVar(&o.keyFile, "key", "", "identity key `file` (default: a new identity each run)")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	switch {
	case fs.NArg() > 0:
		return o, fmt.Errorf("unexpected arguments %q", fs.Args())
	case o.channel == "":
		return o, errors.New("-channel is required: copy it from the broadcaster's output")
	case len(o.peers) == 0:
		return o, errors.New("-peer is required: give the broadcaster's or another viewer's address")
	case o.bitrate <= 0:
		return o, errors.New("-bitrate must be positive")
	case o.upload <= 0:
		return o, errors.New("-upload must be positive: every viewer relays, within this cap")
	}
	return o, nil
}

func rateFlag(dst *int64) func(string) error {
	return func(s string) error {
		r, err := relay.ParseRate(s)
		*dst = r
		return err
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	ch, err := broadcast.ParseChannel(o.channel)
	if err != nil {
		return err
	}
	out, err := openOutput(o.out, stdout)
	if err != nil {
		return err
	}

	opts := []peer.Option{
		peer.WithListenAddrs(strings.Split(o.listen, ",")...),
		peer.WithBootstrap(o.peers...),
		peer.WithRelay(relay.Budget{Upload: o.upload}, o.bitrate, relay.RoleViewer),
	}
	if o.keyFile != "" {
		opts = append(opts, peer.WithKeyFile(o.keyFile))
	}
	node, err := peer.New(ctx, opts...)
	if err != nil {
		return err
	}
	defer node.Close()
	playout := broadcast.DefaultPlayoutConfig()
	playout.Deadline = o.deadline
	v, err := broadcast.NewViewer(node, ch, broadcast.WithPlayout(playout))
	if err != nil {
		return err
	}
	defer v.Close()

	d := node.Degree()
	fmt.Fprintf(stderr, "watching %s\n", ch.ID())
	fmt.Fprintf(stderr, "relaying: like every gridcast viewer, you pass the stream on to other viewers (mesh of %d, at most %d peers), using at most %s of your upload; change it with -upload\n",
		d.D, d.Dhi, relay.FormatRate(o.upload))
	if (relay.Budget{Upload: o.upload}).Copies(o.bitrate) < 1 {
		fmt.Fprintf(stderr, "note: %s is less than one copy of a %s stream: you pass on less than you receive, and your mesh peers make up the rest from their other peers\n",
			relay.FormatRate(o.upload), relay.FormatRate(o.bitrate))
	}
	stopStatus := startStatus(node, v, stderr)
	defer stopStatus()

	idle := watchIdle(ctx, v, o.idle)
	_, err = io.Copy(out, v)
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

// watchIdle closes v, which ends its Read, on ctx's end or when no chunk
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
	if path == "-" {
		return nopCloser{stdout}, nil
	}
	return os.Create(path)
}

type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }
