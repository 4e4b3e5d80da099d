// Command viewer watches a gridcast channel and relays it to other viewers.
//
// It writes the stream in order to -o (stdout by default, for a player
// reading a pipe), serves it to local players over HTTP with -http, and
// prints a status line to stderr every second. Every viewer relays the
// stream to other viewers within the upload cap set with -upload; the
// banner and the status line say so. -list prints the live channels;
// -chat joins the channel's chat.
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
	"github.com/gridcast/gridcast/directory"
	"github.com/gridcast/gridcast/examples/internal/cli"
	"github.com/gridcast/gridcast/peer"
	"github.com/gridcast/gridcast/relay"
	"github.com/prometheus/client_golang/prometheus"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		stop() // a second Ctrl-C kills
	}()
	if err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return // the usage has been printed
		}
		fmt.Fprintln(os.Stderr, "viewer:", err)
		os.Exit(1)
	}
}

type options struct {
	reach                         cli.Reach
	channel, out, listen, keyFile string
	httpAddr, metricsAddr, nick   string
	peers                         []string
	bitrate, upload               int64
	deadline, idle, linger        time.Duration
	listWait                      time.Duration
	list, chat                    bool
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	o := options{bitrate: peer.DefaultBitrate, upload: 2_000_000 / 8}
	fs := flag.NewFlagSet("viewer", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.channel, "channel", "", "channel `ID` as printed by the broadcaster (<peer ID>/<name>)")
	fs.Func("peer", "peer `multiaddr` ending in /p2p/<id> to join through (repeatable)", func(s string) error { o.peers = append(o.peers, s); return nil })
	fs.StringVar(&o.out, "o", "", "write the stream to `file` (- is stdout; default: stdout, or nothing with -http)")
	fs.StringVar(&o.httpAddr, "http", "", "serve the stream to players at `address`, e.g. 127.0.0.1:8080: a web page at /, the stream at /stream")
	fs.StringVar(&o.metricsAddr, "metrics", "", "serve Prometheus metrics at `address`/metrics, e.g. 127.0.0.1:9090")
	fs.BoolVar(&o.list, "list", false, "print the live channels the directory knows, then exit")
	fs.DurationVar(&o.listWait, "list-wait", 12*time.Second, "how long -list listens for announcements (broadcasters announce every 10s)")
	fs.BoolVar(&o.chat, "chat", false, "chat: send the lines typed on stdin, print what others send")
	fs.StringVar(&o.nick, "nick", "", "chat `name` (default: the end of your peer ID)")
	fs.Func("upload", "most upload `rate` spent relaying to other viewers, e.g. 2Mbit (default 2Mbit)", rateFlag(&o.upload))
	fs.Func("bitrate", "the stream's `rate` if known, e.g. 300kbit; sizes how many peers you relay to (default 1Mbit)", rateFlag(&o.bitrate))
	fs.DurationVar(&o.deadline, "deadline", broadcast.DefaultPlayoutConfig().Deadline, "playout deadline: a chunk missing this long is skipped")
	fs.DurationVar(&o.idle, "idle", 30*time.Second, "give up when no chunk arrives for this long (0: wait forever)")
	fs.DurationVar(&o.linger, "linger", 2*time.Second, "keep relaying this long after the end of the stream, for viewers behind you")
	fs.StringVar(&o.listen, "listen", strings.Join(peer.DefaultListenAddrs, ","), "comma-separated `multiaddrs` to listen on")
	fs.StringVar(&o.keyFile, "key", "", "identity key `file` (default: a new identity each run)")
	o.reach.Register(fs)
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	switch {
	case fs.NArg() > 0:
		return o, fmt.Errorf("unexpected arguments %q", fs.Args())
	case o.channel == "" && !o.list:
		return o, errors.New("-channel is required: copy it from the broadcaster's output, or find one with -list")
	case len(o.peers) == 0 && !o.reach.MDNS && o.reach.DHT == peer.DHTOff:
		return o, errors.New("-peer is required with -mdns=false -dht off: give the broadcaster's or another viewer's address")
	case o.bitrate <= 0:
		return o, errors.New("-bitrate must be positive")
	case o.upload <= 0:
		return o, errors.New("-upload must be positive: every viewer relays, within this cap")
	}
	if o.out == "" && o.httpAddr == "" {
		o.out = "-"
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

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	o, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	var ch broadcast.Channel
	if !o.list {
		if ch, err = broadcast.ParseChannel(o.channel); err != nil {
			return err
		}
	}
	var reg *prometheus.Registry
	opts := []peer.Option{
		peer.WithListenAddrs(strings.Split(o.listen, ",")...),
		peer.WithBootstrap(o.peers...),
		peer.WithRelay(relay.Budget{Upload: o.upload}, o.bitrate, relay.RoleViewer),
	}
	if o.keyFile != "" {
		opts = append(opts, peer.WithKeyFile(o.keyFile))
	}
	if o.metricsAddr != "" {
		reg = prometheus.NewRegistry()
		opts = append(opts, peer.WithMetrics(reg))
	}
	node, err := cli.NewNode(ctx, o.reach, opts, stderr)
	if err != nil {
		return err
	}
	defer node.Close()
	dir, err := directory.New(node)
	if err != nil {
		return err
	}
	defer dir.Close()
	if o.list {
		return list(ctx, dir, o.listWait, stdout, stderr)
	}
	return watch(ctx, o, ch, node, dir, reg, stdin, stdout, stderr)
}
