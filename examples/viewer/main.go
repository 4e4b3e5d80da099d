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
	"syscall"
	"time"

	"github.com/gridcast/gridcast/broadcast"
	"github.com/gridcast/gridcast/peer"
	"github.com/gridcast/gridcast/relay"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "viewer:", err)
		os.Exit(1)
	}
}

type options struct {
	channel, out, listen, keyFile string
	peers                         []string
	bitrate, upload               int64
	deadline                      time.Duration
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
	defer out.Close()

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
	if (relay.Budget{Upload: o.upload}).Oversubscribed(o.bitrate, relay.RoleViewer) {
		fmt.Fprintf(stderr, "warning: %s is less than one copy of a %s stream; the cap holds, but peers relying on you will miss chunks\n",
			relay.FormatRate(o.upload), relay.FormatRate(o.bitrate))
	}
	stopStatus := startStatus(node, v, stderr)
	defer stopStatus()

	go func() {
		<-ctx.Done()
		v.Close() // wakes the copy below
	}()
	_, err = io.Copy(out, v)
	if errors.Is(err, broadcast.ErrClosed) && ctx.Err() != nil {
		err = nil
	}
	if err == nil {
		fmt.Fprintln(stderr, "end of stream")
	}
	return err
}

func openOutput(path string, stdout io.Writer) (io.WriteCloser, error) {
	if path == "-" {
		return nopCloser{stdout}, nil
	}
	return os.Create(path)
}

type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }
