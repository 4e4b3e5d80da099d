package examples_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// The test stream: ffmpeg's test card and a tone, about 500 kbit/s, 10 s,
// a keyframe every second.
const streamSeconds = 10

var encoders = map[string][]string{
	"mpegts": {"-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-g", "25", "-b:v", "420k",
		"-c:a", "aac", "-b:a", "64k", "-f", "mpegts"},
	"webm": {"-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "8", "-g", "25", "-b:v", "420k",
		"-c:a", "libopus", "-b:a", "64k", "-cluster_time_limit", "1100", "-cluster_size_limit", "8000000", "-f", "webm"},
	"mp4": {"-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-g", "25", "-b:v", "420k",
		"-c:a", "aac", "-b:a", "64k", "-movflags", "frag_keyframe+empty_moov+default_base_moof", "-f", "mp4"},
}

// ffmpegLive returns the arguments that make ffmpeg encode the test stream
// in real time (-re) to out.
func ffmpegLive(format, out string) []string {
	args := []string{"-hide_banner", "-loglevel", "error", "-re",
		"-f", "lavfi", "-i", "testsrc=size=320x240:rate=25",
		"-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
		"-t", strconv.Itoa(streamSeconds)}
	return append(append(args, encoders[format]...), out)
}

// chainRun is one broadcast through a chain of viewers.
type chainRun struct {
	format  string
	dir     string
	channel string
	source  string   // the bytes ffmpeg made, as broadcast
	outs    []string // each viewer's output file; the late joiner's last
	names   []string
	logs    []string // each viewer's output, for failure messages
	// httpBase is the last chain viewer's player server, when asked for.
	httpBase string
}

// chainOptions shape a chain run.
type chainOptions struct {
	viewers   int
	lateAfter time.Duration // a viewer joins the chain's end this long after the stream starts
	http      bool          // the last chain viewer serves players over HTTP
	// during runs while the stream plays, after the late joiner started.
	during func(t *testing.T, ctx context.Context, r *chainRun)
}

// runChain broadcasts the ffmpeg test stream with the broadcaster program
// through viewer programs in a chain, each connected only to the one
// before it, and waits until every program has ended cleanly.
func runChain(t *testing.T, format string, o chainOptions) *chainRun {
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	r := &chainRun{format: format, dir: t.TempDir()}
	stdin, feed := io.Pipe()
	defer feed.Close()
	bcast := startWith(t, ctx, stdin, program(t, "broadcaster"),
		"-in", "-", "-bitrate", "500kbit", "-key", filepath.Join(r.dir, "b.key"),
		"-listen", "/ip4/127.0.0.1/tcp/0", "-mdns=false", "-dht", "off", "-upnp=false", "-linger", "3s")
	watch := bcast.waitLine(t, "watch:", 30*time.Second)
	r.channel = field(watch, "-channel")
	prev := field(watch, "-peer")
	require.NotEmpty(t, r.channel, watch)

	startViewer := func(name string, http bool) *proc {
		out := filepath.Join(r.dir, name+"."+format)
		args := []string{"-channel", r.channel, "-peer", prev, "-o", out,
			"-listen", "/ip4/127.0.0.1/tcp/0", "-mdns=false", "-dht", "off", "-upnp=false", "-bitrate", "500kbit", "-linger", "3s"}
		if http {
			args = append(args, "-http", "127.0.0.1:0")
		}
		v := start(t, ctx, program(t, "viewer"), args...)
		addr := v.waitLine(t, "listening on /ip4/127.0.0.1/tcp/", 30*time.Second)
		prev = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(addr), "listening on"))
		r.outs, r.names = append(r.outs, out), append(r.names, name)
		return v
	}
	var viewers []*proc
	for i := range o.viewers {
		last := i == o.viewers-1
		v := startViewer(fmt.Sprintf("viewer%d", i+1), last && o.http)
		if last && o.http {
			line := v.waitLine(t, "players: http://", 30*time.Second)
			r.httpBase = strings.TrimSuffix(field(line, "players:"), "/")
		}
		viewers = append(viewers, v)
	}
	// The chain is formed when every viewer has a mesh peer.
	for _, v := range viewers {
		v.waitMatch(t, "a mesh peer", func(line string) bool {
			n, err := strconv.Atoi(field(line, "mesh"))
			return err == nil && n > 0
		}, 30*time.Second)
	}

	r.source = filepath.Join(r.dir, "source."+format)
	src, err := os.Create(r.source)
	require.NoError(t, err)
	// ffmpeg reports how far into the stream it has encoded, so that a
	// late joiner is late by the stream's clock, which falls behind the
	// wall clock when ffmpeg is short of CPU.
	progress := filepath.Join(r.dir, "ffmpeg.progress")
	ff := exec.CommandContext(ctx, "ffmpeg",
		append([]string{"-progress", progress, "-stats_period", "0.2"}, ffmpegLive(format, "-")...)...)
	ff.Stdout = io.MultiWriter(src, feed)
	var ffErr strings.Builder
	ff.Stderr = &ffErr
	require.NoError(t, ff.Start())
	ffDone := make(chan error, 1)
	go func() {
		err := ff.Wait()
		src.Close()
		feed.Close() // the end of the input ends the broadcast
		ffDone <- err
	}()

	if o.lateAfter > 0 {
		// Late by the stream's clock: bytes have reached the first viewer
		// and ffmpeg has encoded lateAfter of the stream.
		viewers[0].waitMatch(t, "bytes coming in", func(line string) bool {
			n, err := strconv.Atoi(field(line, "in"))
			return err == nil && n > 0
		}, 30*time.Second)
		require.Eventually(t, func() bool { return encoded(progress) >= o.lateAfter },
			time.Minute, 50*time.Millisecond, "ffmpeg encodes %v of the stream", o.lateAfter)
		viewers = append(viewers, startViewer("late", false))
	}
	if o.during != nil {
		o.during(t, ctx, r)
	}
	require.NoError(t, <-ffDone, "ffmpeg: %s", &ffErr)
	require.NoError(t, bcast.wait(30*time.Second), "broadcaster:\n%s", bcast.output())
	for i, v := range viewers {
		require.NoError(t, v.wait(30*time.Second), "%s:\n%s", r.names[i], v.output())
		require.Contains(t, v.output(), "end of stream", r.names[i])
		r.logs = append(r.logs, v.output())
	}
	r.logs = append(r.logs, bcast.output())
	return r
}

// encoded returns how much of the stream ffmpeg has encoded, by the last
// out_time_us in its -progress file; 0 before the first report.
func encoded(progress string) time.Duration {
	data, err := os.ReadFile(progress)
	if err != nil {
		return 0
	}
	var last time.Duration
	for line := range strings.Lines(string(data)) {
		v, ok := strings.CutPrefix(strings.TrimSpace(line), "out_time_us=")
		if !ok {
			continue
		}
		if us, err := strconv.ParseInt(v, 10, 64); err == nil {
			last = time.Duration(us) * time.Microsecond
		}
	}
	return last
}

// checkChain probes the source and every viewer's output.
func checkChain(t *testing.T, r *chainRun) {
	source := probeFile(t, r.source)
	require.GreaterOrEqual(t, len(source.frames), streamSeconds*25-5, "ffmpeg made the stream")
	for i, out := range r.outs {
		got := probeFile(t, out)
		decoded, expected := checkDecodes(t, r.names[i], source, got, r.logs[i])
		t.Logf("%s %s: decoded %d of %d frames from %.2fs (source: %d frames); ffprobe errors: %q; last status: %s",
			r.format, r.names[i], decoded, expected, got.frames[0].pts, len(source.frames), got.stderr, lastStatus(r.logs[i]))
		if r.names[i] == "late" {
			late := got.frames[0].pts - source.frames[0].pts
			require.GreaterOrEqual(t, late, 3.0, "the late joiner joined mid-stream")
			require.GreaterOrEqual(t, expected, 2*25, "the late joiner started within a few seconds of joining")
		}
	}
}

func TestMPEGTSThroughAChainOfViewers(t *testing.T) {
	needTools(t, "ffmpeg", "ffprobe")
	t.Parallel()
	r := runChain(t, "mpegts", chainOptions{viewers: 5, lateAfter: 5 * time.Second})
	checkChain(t, r)
}

func TestWebMThroughAChainOfViewers(t *testing.T) {
	needTools(t, "ffmpeg", "ffprobe")
	t.Parallel()
	r := runChain(t, "webm", chainOptions{viewers: 5, lateAfter: 5 * time.Second})
	checkChain(t, r)
}

func TestFragmentedMP4ThroughAChainOfViewers(t *testing.T) {
	needTools(t, "ffmpeg", "ffprobe")
	t.Parallel()
	r := runChain(t, "mp4", chainOptions{viewers: 5, lateAfter: 5 * time.Second})
	checkChain(t, r)
}

// lastStatus returns the last status line in a viewer's output.
func lastStatus(log string) string {
	lines := strings.Split(log, "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if strings.Contains(lines[i], " latency ") {
			return strings.TrimSpace(lines[i])
		}
	}
	return ""
}
