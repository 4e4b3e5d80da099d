// Command broadcaster publishes a live stream on a gridcast channel.
//
// It reads the stream from stdin, from a file (-in, paced to real time at
// -bitrate) or, with no input, generates a test stream. It prints the
// channel ID, its addresses and a viewer command line to paste, then a
// status line every second.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/gridcast/gridcast/broadcast"
	"github.com/gridcast/gridcast/directory"
	"github.com/gridcast/gridcast/examples/internal/cli"
	"github.com/gridcast/gridcast/media"
	"github.com/gridcast/gridcast/metrics"
	"github.com/gridcast/gridcast/peer"
	"github.com/gridcast/gridcast/relay"
	"github.com/prometheus/client_golang/prometheus"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		stop() // the first Ctrl-C ends the stream cleanly; a second one kills
	}()
	if err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return // the usage has been printed
		}
		fmt.Fprintln(os.Stderr, "broadcaster:", err)
		os.Exit(1)
	}
}

type options struct {
	reach                     cli.Reach
	name, keyFile, in, listen string
	title, metricsAddr        string
	announce, chat            bool
	format                    media.Format
	peers                     []string
	bitrate, upload           int64
	chunk                     int
	wait                      int
	linger, duration          time.Duration
	test                      bool
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	o := options{bitrate: 300_000 / 8}
	fs := flag.NewFlagSet("broadcaster", flag.ContinueOnError)
	fs.SetOutput(stderr)
	configDir, _ := os.UserConfigDir()
	fs.StringVar(&o.name, "name", "live", "channel `name`")
	fs.StringVar(&o.keyFile, "key", filepath.Join(configDir, "gridcast", "broadcaster.key"), "identity key `file`, created if missing; the same key gives the same channel ID")
	fs.StringVar(&o.in, "in", "", "read the stream from `file` (paced to -bitrate), \"-\" (stdin, unpaced) or udp://host:port (MPEG-TS from OBS or ffmpeg); default: stdin if piped, else a test stream")
	o.format = media.FormatAuto
	fs.Func("format", "input container: auto, ts, webm, mp4 (fragmented) or raw (default auto: detected from the first bytes)", func(s string) error {
		f, err := media.ParseFormat(s)
		o.format = f
		return err
	})
	fs.StringVar(&o.listen, "listen", strings.Join(peer.DefaultListenAddrs, ","), "comma-separated `multiaddrs` to listen on")
	fs.Func("peer", "bootstrap peer `multiaddr` ending in /p2p/<id> (repeatable)", func(s string) error { o.peers = append(o.peers, s); return nil })
	fs.Func("bitrate", "stream `rate`, e.g. 300kbit (default 300kbit)", rateFlag(&o.bitrate))
	fs.Func("upload", "upload cap `rate` for relaying, e.g. 2Mbit (default 4 × bitrate)", rateFlag(&o.upload))
	fs.StringVar(&o.title, "title", "", "title shown in channel listings (default: the channel name)")
	fs.BoolVar(&o.announce, "announce", true, "list the channel in the directory (viewer -list), with title, bitrate and a viewer estimate")
	fs.BoolVar(&o.chat, "chat", true, "print the channel's chat")
	fs.StringVar(&o.metricsAddr, "metrics", "", "serve Prometheus metrics at `address`/metrics, e.g. 127.0.0.1:9090")
	fs.IntVar(&o.chunk, "chunk", broadcast.DefaultChunkSize, "chunk payload size in `bytes`")
	fs.IntVar(&o.wait, "wait", 0, "wait for `n` peers in the channel's mesh before sending")
	fs.DurationVar(&o.linger, "linger", 2*time.Second, "stay up this long after the end of the stream so the last chunks get out")
	fs.DurationVar(&o.duration, "duration", 0, "stop the test stream after this long (0: run until interrupted)")
	fs.BoolVar(&o.test, "test", false, "broadcast the generated test stream even if stdin is piped")
	o.reach.Register(fs)
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if o.bitrate <= 0 {
		return o, errors.New("-bitrate must be positive")
	}
	if o.upload == 0 {
		o.upload = 4 * o.bitrate
	}
	if o.title == "" {
		o.title = o.name
	}
	if o.keyFile == "" {
		return o, errors.New("-key is required: this system has no user config directory for the default")
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

func run(ctx context.Context, args []string, stdin *os.File, stdout, stderr io.Writer) error {
	o, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	input, describe, err := openInput(ctx, o, stdin)
	if err != nil {
		return err
	}
	defer input.Close()
	if input.generated {
		o.format = media.FormatRaw // the test stream is text
	}
	// Detecting the format reads the first bytes, so it waits for the
	// source: start the node first, so the channel is ready to watch.

	nodeOpts := []peer.Option{
		peer.WithKeyFile(o.keyFile),
		peer.WithListenAddrs(strings.Split(o.listen, ",")...),
		peer.WithBootstrap(o.peers...),
		peer.WithRelay(relay.Budget{Upload: o.upload}, o.bitrate, relay.RoleSource),
	}
	var reg *prometheus.Registry
	if o.metricsAddr != "" {
		reg = prometheus.NewRegistry()
		nodeOpts = append(nodeOpts, peer.WithMetrics(reg))
	}
	node, err := cli.NewNode(ctx, o.reach, nodeOpts, stderr)
	if err != nil {
		return err
	}
	defer node.Close()
	b, err := broadcast.NewBroadcaster(node, o.name, broadcast.WithChunkSize(o.chunk))
	if err != nil {
		return err
	}
	defer b.Close()
	viewers := func() int { return 0 }
	info := directory.Info{Title: o.title, Bitrate: o.bitrate * 8, Format: o.format.String()}
	var announcer *directory.Announcer
	if o.announce {
		if announcer, err = directory.NewAnnouncer(node, b.Channel(), info); err != nil {
			return err
		}
		defer announcer.Close()
		viewers = func() int { return announcer.Stats().Viewers }
	}
	if reg != nil {
		reg.MustRegister(metrics.NewBroadcasterCollector(b, node, metrics.WithViewerEstimate(viewers)))
		ms, err := metrics.Serve(o.metricsAddr, reg)
		if err != nil {
			return err
		}
		defer ms.Close()
		fmt.Fprintf(stderr, "metrics: http://%s/metrics\n", ms.Addr())
	}
	if o.chat {
		stopChat, err := printChat(ctx, node, b.Channel(), stderr)
		if err != nil {
			return err
		}
		defer stopChat()
	}

	if o.reach.DHT != peer.DHTOff {
		// Viewers that know only the channel ID find it on the DHT.
		rctx, stopRendezvous := context.WithCancel(ctx)
		defer stopRendezvous()
		go node.Rendezvous(rctx, peer.ChannelKey(b.Channel().ID())) // ends with rctx or the node
	}
	printBanner(stdout, node, b.Channel(), o, describe)
	if err := waitForPeers(ctx, node, b.Channel(), o.wait, stderr); err != nil {
		return nil // interrupted while waiting
	}
	stopStatus := startStatus(node, b, viewers, stderr)
	defer stopStatus()

	// Stream in a goroutine: a read from stdin cannot be interrupted, and
	// Ctrl-C must still end the stream cleanly. Writes after Close fail
	// with ErrClosed, which ends the stream.
	copied := make(chan error, 1)
	go func() {
		split, err := media.NewSplitter(input, o.format)
		if err == nil {
			fmt.Fprintf(stderr, "input: %s\n", split.Format())
			if announcer != nil && info.Format != split.Format().String() {
				info.Format = split.Format().String()
				announcer.Update(info) // a listing error is not worth stopping the stream
			}
			err = b.Stream(ctx, split)
		}
		copied <- err
	}()
	select {
	case err = <-copied:
	case <-ctx.Done():
		fmt.Fprintln(stderr, "interrupted")
	}
	if cerr := b.Close(); err == nil {
		err = cerr
	}
	fmt.Fprintf(stderr, "end of stream published; relaying the last chunks for %v\n", o.linger)
	time.Sleep(o.linger) // not cut short by Ctrl-C: the end of stream must get out
	return err
}

// input is the stream source.
type input struct {
	io.Reader
	io.Closer
	generated bool // the built-in test stream
}

// openInput picks the stream source: -in, else stdin when it is a pipe or
// a file, else the generated test stream.
func openInput(ctx context.Context, o options, stdin *os.File) (input, string, error) {
	switch {
	case o.in == "-":
		return input{Reader: stdin, Closer: nopClose{}}, "stdin", nil
	case strings.HasPrefix(o.in, "udp://"):
		u, err := listenUDP(ctx, o.in)
		if err != nil {
			return input{}, "", err
		}
		return input{Reader: u, Closer: u}, o.in + " (ends after " + udpSilence.String() + " of silence)", nil
	case o.in != "":
		f, err := os.Open(o.in)
		if err != nil {
			return input{}, "", err
		}
		paced := broadcast.NewPacedReader(ctx, f, o.bitrate)
		return input{Reader: paced, Closer: f}, fmt.Sprintf("%s paced to %s", o.in, relay.FormatRate(o.bitrate)), nil
	case !o.test && isPiped(stdin):
		return input{Reader: stdin, Closer: nopClose{}}, "stdin", nil
	case !o.test && isRegular(stdin):
		// broadcaster < movie.ts: a file, not a live source, so pace it.
		return input{Reader: broadcast.NewPacedReader(ctx, stdin, o.bitrate), Closer: nopClose{}},
			fmt.Sprintf("stdin (a file) paced to %s", relay.FormatRate(o.bitrate)), nil
	}
	ts := newTestStream(ctx, o.bitrate, o.duration)
	return input{Reader: ts, Closer: ts, generated: true}, fmt.Sprintf("generated test stream at %s", relay.FormatRate(o.bitrate)), nil
}

func isPiped(f *os.File) bool {
	info, err := f.Stat()
	return err == nil && info.Mode()&(os.ModeNamedPipe|os.ModeSocket) != 0
}

func isRegular(f *os.File) bool {
	info, err := f.Stat()
	return err == nil && info.Mode().IsRegular()
}

// nopClose is the Closer of inputs the program does not own.
type nopClose struct{}

func (nopClose) Close() error { return nil }
