package media

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// Streams made by ffmpeg: 6 s (3 s without video) of 320x240 test
// pattern at 25 fps with a keyframe every 25 frames, and a sine tone,
// written to a pipe as a live encoder would.
var (
	avInputs = []string{
		"-f", "lavfi", "-i", "testsrc=size=320x240:rate=25",
		"-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
		"-t", "6",
	}
	h264 = []string{"-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-g", "25", "-b:v", "400k"}
	vp8  = []string{"-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "8", "-g", "25", "-b:v", "400k"}
	// webmMux makes ffmpeg start Clusters at keyframes (see the package
	// documentation).
	webmMux = []string{"-cluster_time_limit", "1100", "-cluster_size_limit", "8000000", "-f", "webm"}
)

// sample is a stream to generate and what ffprobe says about it.
type sample struct {
	name   string
	format Format
	args   []string // ffmpeg output arguments; "-" is stdout
	toFile bool     // seekable output: the muxer goes back to fill in sizes
	video  bool
}

var samples = []sample{
	{name: "h264-aac.ts", format: FormatMPEGTS, video: true,
		args: concatArgs(avInputs, h264, []string{"-c:a", "aac", "-b:a", "64k", "-f", "mpegts"})},
	{name: "aac.ts", format: FormatMPEGTS,
		args: concatArgs([]string{"-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-t", "3"},
			[]string{"-c:a", "aac", "-b:a", "64k", "-f", "mpegts"})},
	{name: "vp8-opus.webm", format: FormatWebM, video: true,
		args: concatArgs(avInputs, vp8, []string{"-c:a", "libopus"}, webmMux)},
	{name: "vp8-opus-file.webm", format: FormatWebM, video: true, toFile: true,
		args: concatArgs(avInputs, vp8, []string{"-c:a", "libopus"}, webmMux)},
	{name: "h264-aac.mp4", format: FormatMP4, video: true,
		args: concatArgs(avInputs, h264, []string{"-c:a", "aac", "-b:a", "64k",
			"-movflags", "frag_keyframe+empty_moov+default_base_moof", "-f", "mp4"})},
	{name: "h264-aac-frames.mp4", format: FormatMP4, video: true,
		args: concatArgs(avInputs, h264, []string{"-c:a", "aac", "-b:a", "64k",
			"-movflags", "frag_every_frame+empty_moov+default_base_moof", "-f", "mp4"})},
}

func concatArgs(parts ...[]string) []string {
	var out []string
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// requireTool returns the path of an installed tool, or skips the test:
// fails it when GRIDCAST_REQUIRE_MEDIA=1, so that CI cannot pass without
// running these tests.
func requireTool(tb testing.TB, name string) string {
	tb.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("GRIDCAST_REQUIRE_MEDIA") == "1" {
			tb.Fatalf("%s is required (GRIDCAST_REQUIRE_MEDIA=1): %v", name, err)
		}
		tb.Skipf("%s not installed: %v", name, err)
	}
	return path
}

var generated = struct {
	sync.Mutex
	dir  string
	data map[string][]byte
}{data: map[string][]byte{}}

// generate makes a sample once per test binary run and returns its bytes.
func generate(tb testing.TB, s sample) []byte {
	tb.Helper()
	ffmpeg := requireTool(tb, "ffmpeg")
	requireTool(tb, "ffprobe")
	generated.Lock()
	defer generated.Unlock()
	if b, ok := generated.data[s.name]; ok {
		return b
	}
	if generated.dir == "" {
		dir, err := os.MkdirTemp("", "media-test-")
		require.NoError(tb, err)
		generated.dir = dir
	}
	path := filepath.Join(generated.dir, s.name)
	args := append([]string{"-hide_banner", "-loglevel", "error", "-y"}, s.args...)
	var stdout, stderr bytes.Buffer
	if s.toFile {
		args = append(args, path)
	} else {
		args = append(args, "-")
	}
	cmd := exec.Command(ffmpeg, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	require.NoError(tb, cmd.Run(), "ffmpeg %s: %s", strings.Join(args, " "), stderr.String())
	if !s.toFile {
		require.NoError(tb, os.WriteFile(path, stdout.Bytes(), 0o644))
	}
	b, err := os.ReadFile(path)
	require.NoError(tb, err)
	generated.data[s.name] = b
	return b
}

func TestMain(m *testing.M) {
	code := m.Run()
	if generated.dir != "" {
		os.RemoveAll(generated.dir)
	}
	os.Exit(code)
}

// probe runs ffprobe on data and returns its standard output; a non-zero
// exit or anything on standard error fails the test.
func probe(tb testing.TB, data []byte, args ...string) string {
	tb.Helper()
	f, err := os.CreateTemp(tb.TempDir(), "probe-")
	require.NoError(tb, err)
	_, err = f.Write(data)
	require.NoError(tb, err)
	require.NoError(tb, f.Close())
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(requireTool(tb, "ffprobe"), append(append([]string{"-v", "error"}, args...), f.Name())...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	require.NoError(tb, err, "ffprobe %v: %s", args, stderr.String())
	require.Empty(tb, stderr.String(), "ffprobe %v reports errors", args)
	return stdout.String()
}

// packet is one packet of a stream as ffprobe lists it.
type packet struct {
	pos int64
	key bool
}

// probePackets lists the packets of the sample's first video stream (its
// first audio stream if it has no video).
func probePackets(tb testing.TB, s sample, data []byte) []packet {
	tb.Helper()
	stream := "a:0"
	if s.video {
		stream = "v:0"
	}
	out := probe(tb, data, "-select_streams", stream, "-show_entries", "packet=pos,flags", "-of", "csv=p=0")
	var pkts []packet
	for _, line := range strings.Fields(out) {
		pos, flags, ok := strings.Cut(line, ",")
		require.True(tb, ok, "ffprobe line %q", line)
		if pos == "N/A" && len(pkts) > 0 { // a later frame of the same PES packet
			pkts = append(pkts, packet{pos: pkts[len(pkts)-1].pos, key: strings.HasPrefix(flags, "K")})
			continue
		}
		p, err := strconv.ParseInt(pos, 10, 64)
		require.NoError(tb, err, "ffprobe line %q", line)
		pkts = append(pkts, packet{pos: p, key: strings.HasPrefix(flags, "K")})
	}
	return pkts
}

// probeFrames decodes data and returns how many frames of the stream
// decode and whether the first is a keyframe.
func probeFrames(tb testing.TB, s sample, data []byte) (n int, firstKey bool) {
	tb.Helper()
	stream := "a:0"
	if s.video {
		stream = "v:0"
	}
	out := probe(tb, data, "-count_frames", "-select_streams", stream,
		"-show_entries", "stream=nb_read_frames", "-of", "csv=p=0")
	fields := strings.Fields(out)
	require.NotEmpty(tb, fields, "ffprobe counted no frames")
	n, err := strconv.Atoi(strings.TrimSuffix(fields[0], ","))
	require.NoError(tb, err, "ffprobe output %q", out)
	out = probe(tb, data, "-select_streams", stream, "-read_intervals", "%+#1",
		"-show_entries", "frame=key_frame", "-of", "csv=p=0")
	return n, strings.HasPrefix(strings.TrimSpace(out), "1")
}
