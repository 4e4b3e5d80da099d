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
	"github.com/gridcast/gridcast/peer"
	"github.com/gridcast/gridcast/relay"
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
	name, keyFile, in, listen string
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
	fs.StringVar(&o.in, "in", "", "read the stream from `file`, paced to -bitrate (\"-\" reads stdin unpaced); default: stdin if piped, else a test stream")
	fs.StringVar(&o.listen, "listen", strings.Join(peer.DefaultListenAddrs, ","), "comma-separated `multiaddrs` to listen on")
	fs.Func("peer", "bootstrap peer `multiaddr` ending in /p2p/<id> (repeatable)", func(s string) error { o.peers = append(o.peers, s); return nil })
	fs.Func("bitrate", "stream `rate`, e.g. 300kbit (default 300kbit)", rateFlag(&o.bitrate))
	fs.Func("upload", "upload cap `rate` for relaying, e.g. 2Mbit (default 4 × bitrate)", rateFlag(&o.upload))
	fs.IntVar(&o.chunk, "chunk", broadcast.DefaultChunkSize, "chunk payload size in `bytes`")
	fs.IntVar(&o.wait, "wait", 0, "wait for `n` peers in the channel's mesh before sending")
	fs.DurationVar(&o.linger, "linger", 2*time.Second, "stay up this long after the end of the stream so the last chunks get out")
	fs.DurationVar(&o.duration, "duration", 0, "stop the test stream after this long (0: run until interrupted)")
	fs.BoolVar(&o.test, "test", false, "broadcast the generated test stream even if stdin is piped")
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

	node, err := peer.New(ctx,
		peer.WithKeyFile(o.keyFile),
		peer.WithListenAddrs(strings.Split(o.listen, ",")...),
		peer.WithBootstrap(o.peers...),
		peer.WithRelay(relay.Budget{Upload: o.upload}, o.bitrate, relay.RoleSource))
	if err != nil {
		return err
	}
	defer node.Close()
	b, err := broadcast.NewBroadcaster(node, o.name, broadcast.WithChunkSize(o.chunk))
	if err != nil {
		return err
	}
	defer b.Close()

	printBanner(stdout, node, b.Channel(), o, describe)
	if err := waitForPeers(ctx, node, b.Channel(), o.wait, stderr); err != nil {
		return nil // interrupted while waiting
	}
	stopStatus := startStatus(node, b, stderr)
	defer stopStatus()

	// Copy in a goroutine: a read from stdin cannot be interrupted, and
	// Ctrl-C must still end the stream cleanly. Writes after Close fail
	// with ErrClosed, which ends the copy.
	copied := make(chan error, 1)
	go func() {
		_, err := io.Copy(b, input)
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

// openInput picks the stream source: -in, else stdin when it is a pipe or
// a file, else the generated test stream.
func openInput(ctx context.Context, o options, stdin *os.File) (io.ReadCloser, string, error) {
	switch {
	case o.in == "-":
		return io.NopCloser(stdin), "stdin", nil
	case o.in != "":
		f, err := os.Open(o.in)
		if err != nil {
			return nil, "", err
		}
		paced := broadcast.NewPacedReader(ctx, f, o.bitrate)
		return struct {
			io.Reader
			io.Closer
		}{paced, f}, fmt.Sprintf("%s paced to %s", o.in, relay.FormatRate(o.bitrate)), nil
	case !o.test && isPiped(stdin):
		return io.NopCloser(stdin), "stdin", nil
	case !o.test && isRegular(stdin):
		// broadcaster < movie.ts: a file, not a live source, so pace it.
		return io.NopCloser(broadcast.NewPacedReader(ctx, stdin, o.bitrate)),
			fmt.Sprintf("stdin (a file) paced to %s", relay.FormatRate(o.bitrate)), nil
	}
	return newTestStream(ctx, o.bitrate, o.duration), fmt.Sprintf("generated test stream at %s", relay.FormatRate(o.bitrate)), nil
}

func isPiped(f *os.File) bool {
	info, err := f.Stat()
	return err == nil && info.Mode()&(os.ModeNamedPipe|os.ModeSocket) != 0
}

func isRegular(f *os.File) bool {
	info, err := f.Stat()
	return err == nil && info.Mode().IsRegular()
}
