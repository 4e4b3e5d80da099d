package examples_test

import (
	"bytes"
	"context"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The README's recipes, run for real: "Watch with VLC / mpv / ffplay / a
// browser" and "Broadcast from ffmpeg or OBS". The browser page itself is
// driven in Chromium by the player package's tests.

// TestRecipeWatchWithPlayers broadcasts MPEG-TS from ffmpeg into a chain of
// one viewer serving players over HTTP, and plays /stream with ffprobe,
// ffplay, mpv and VLC at once, each joining mid-stream.
func TestRecipeWatchWithPlayers(t *testing.T) {
	needTools(t, "ffmpeg", "ffprobe", "ffplay", "mpv", "cvlc")
	t.Parallel()
	var wg sync.WaitGroup
	results := map[string]string{}
	var mu sync.Mutex
	report := func(who, what string) {
		mu.Lock()
		results[who] = what
		mu.Unlock()
	}
	r := runChain(t, "mpegts", chainOptions{viewers: 1, http: true, during: func(t *testing.T, ctx context.Context, r *chainRun) {
		stream := r.httpBase + "/stream"
		time.Sleep(2 * time.Second) // join mid-stream
		wg.Go(func() { report("ffprobe", probeURL(t, ctx, stream, filepath.Join(r.dir, "ffprobe.ts"))) })
		wg.Go(func() { report("ffplay", playFFplay(ctx, stream)) })
		wg.Go(func() { report("mpv", playMPV(ctx, stream)) })
		wg.Go(func() { report("vlc", playVLC(t, ctx, stream)) })
		wg.Wait()
	}})
	checkChain(t, r)
	for _, who := range []string{"ffprobe", "ffplay", "mpv", "vlc"} {
		assert.True(t, strings.HasPrefix(results[who], "ok"), "%s: %s", who, results[who])
		t.Logf("%s: %s", who, results[who])
	}
}

// probeURL saves the stream with ffmpeg (-c copy) until its end and
// checks that it decodes from a keyframe.
func probeURL(t *testing.T, ctx context.Context, url, out string) string {
	cmd := exec.CommandContext(ctx, "ffmpeg", "-hide_banner", "-loglevel", "error", "-i", url, "-c", "copy", "-f", "mpegts", out)
	if msg, err := cmd.CombinedOutput(); err != nil {
		return "ffmpeg -i " + url + ": " + err.Error() + ": " + string(msg)
	}
	p := probeFile(t, out)
	if len(p.frames) < 2*25 || !p.frames[0].key {
		return "decoded " + strconv.Itoa(len(p.frames)) + " frames, first a keyframe: " + strconv.FormatBool(len(p.frames) > 0 && p.frames[0].key)
	}
	return "ok: " + strconv.Itoa(len(p.frames)) + " frames from a keyframe, ffprobe errors: " + strconv.Quote(p.stderr)
}

var ffplayClock = regexp.MustCompile(`^\s*(-?[0-9.]+) (A-V|M-V|M-A)`)

// playFFplay plays url with SDL's dummy video and audio drivers until the
// end of the stream and reports how far its clock advanced.
func playFFplay(ctx context.Context, url string) string {
	cmd := exec.CommandContext(ctx, "ffplay", "-autoexit", "-loglevel", "error", "-stats", url)
	cmd.Env = append(os.Environ(), "SDL_VIDEODRIVER=dummy", "SDL_AUDIODRIVER=dummy")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "ffplay: " + err.Error() + ": " + tail(out)
	}
	first, last := -1.0, -1.0
	for _, line := range strings.Split(strings.ReplaceAll(string(out), "\r", "\n"), "\n") {
		if m := ffplayClock.FindStringSubmatch(line); m != nil {
			v, _ := strconv.ParseFloat(m[1], 64)
			if first < 0 {
				first = v
			}
			last = v
		}
	}
	if played := last - first; played >= 3 {
		return "ok: played " + strconv.FormatFloat(played, 'f', 1, 64) + " s"
	}
	return "ffplay clock went from " + strconv.FormatFloat(first, 'f', 2, 64) + " to " + strconv.FormatFloat(last, 'f', 2, 64) + ": " + tail(out)
}

var mpvFrame = regexp.MustCompile(`frame (\d+)`)

// playMPV plays url with null outputs for 75 frames (3 s).
func playMPV(ctx context.Context, url string) string {
	cmd := exec.CommandContext(ctx, "mpv", "--no-config", "--vo=null", "--ao=null", "--frames=75",
		"--term-status-msg=frame ${estimated-frame-number}", url)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "mpv: " + err.Error() + ": " + tail(out)
	}
	frames := 0
	for _, m := range mpvFrame.FindAllStringSubmatch(string(out), -1) {
		frames, _ = strconv.Atoi(m[1])
	}
	if frames >= 70 {
		return "ok: played " + strconv.Itoa(frames) + " frames"
	}
	return "mpv played " + strconv.Itoa(frames) + " frames: " + tail(out)
}

// playVLC plays url in VLC with no window for 4 s, saving one decoded
// picture a second; VLC refuses to run as root, so as root it runs as
// nobody, in a directory of its own that nobody may write.
func playVLC(t *testing.T, ctx context.Context, url string) string {
	dir, err := os.MkdirTemp("", "gridcast-vlc")
	if err != nil {
		return err.Error()
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o777); err != nil {
		return err.Error()
	}
	args := []string{"-I", "dummy", "--vout=dummy", "--aout=dummy", "--video-filter=scene",
		"--scene-format=png", "--scene-ratio=25", "--scene-path=" + dir, "--scene-prefix=frame",
		"--run-time=4", "--play-and-exit", url}
	name := "cvlc"
	if u, err := user.Current(); err == nil && u.Uid == "0" {
		name, args = "runuser", append([]string{"-u", "nobody", "--", "cvlc"}, args...)
	}
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = append(os.Environ(), "HOME="+dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "vlc: " + err.Error() + ": " + tail(out)
	}
	pictures, _ := filepath.Glob(filepath.Join(dir, "frame*.png"))
	if len(pictures) >= 2 {
		return "ok: saved " + strconv.Itoa(len(pictures)) + " decoded pictures"
	}
	return "vlc saved " + strconv.Itoa(len(pictures)) + " pictures: " + tail(out)
}

func tail(out []byte) string {
	out = bytes.TrimSpace(out)
	return string(out[max(len(out)-600, 0):])
}

// TestRecipeBroadcastFromOBS sends MPEG-TS over UDP the way OBS's custom
// FFmpeg output does (OBS muxes with ffmpeg's libraries): the broadcaster
// reads -in udp://…, a viewer writes the stream, and the stream ends after
// the sender stops.
func TestRecipeBroadcastFromOBS(t *testing.T) {
	needTools(t, "ffmpeg", "ffprobe")
	t.Parallel()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	dir := t.TempDir()
	udpAddr := freeUDPAddr(t)
	bcast := start(t, ctx, program(t, "broadcaster"), "-in", "udp://"+udpAddr, "-bitrate", "500kbit",
		"-key", filepath.Join(dir, "b.key"), "-listen", "/ip4/127.0.0.1/tcp/0", "-mdns=false", "-dht", "off", "-upnp=false", "-linger", "2s")
	watch := bcast.waitLine(t, "watch:", 30*time.Second)
	out := filepath.Join(dir, "viewer.ts")
	view := start(t, ctx, program(t, "viewer"), "-channel", field(watch, "-channel"), "-peer", field(watch, "-peer"),
		"-o", out, "-listen", "/ip4/127.0.0.1/tcp/0", "-mdns=false", "-dht", "off", "-upnp=false", "-bitrate", "500kbit", "-linger", "1s")
	view.waitMatch(t, "a mesh peer", func(line string) bool {
		n, err := strconv.Atoi(field(line, "mesh"))
		return err == nil && n > 0
	}, 30*time.Second)

	// What OBS's "Output to URL" does, plus a copy of what was sent.
	source := filepath.Join(dir, "source.ts")
	args := []string{"-hide_banner", "-loglevel", "error", "-re",
		"-f", "lavfi", "-i", "testsrc=size=320x240:rate=25", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
		"-t", "6", "-map", "0:v", "-map", "1:a"}
	args = append(args, encoders["mpegts"][:len(encoders["mpegts"])-2]...)
	args = append(args, "-f", "tee", "[f=mpegts]udp://"+udpAddr+"?pkt_size=1316|[f=mpegts]"+source)
	ff := exec.CommandContext(ctx, "ffmpeg", args...)
	msg, err := ff.CombinedOutput()
	require.NoError(t, err, "ffmpeg: %s", msg)

	require.NoError(t, bcast.wait(30*time.Second), "broadcaster:\n%s", bcast.output())
	require.Contains(t, bcast.output(), "input: mpegts")
	require.NoError(t, view.wait(30*time.Second), "viewer:\n%s", view.output())
	decoded, expected := checkDecodes(t, "viewer", probeFile(t, source), probeFile(t, out), view.output())
	t.Logf("OBS over UDP: viewer decoded %d of %d frames", decoded, expected)
}

func freeUDPAddr(t *testing.T) string {
	c, err := net.ListenPacket("udp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := c.LocalAddr().String()
	require.NoError(t, c.Close())
	return addr
}
