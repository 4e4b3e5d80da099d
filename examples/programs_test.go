package examples_test

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestProgramsBroadcastAFile builds the broadcaster and viewer binaries,
// broadcasts a file on loopback and checks the viewer wrote it unchanged.
func TestProgramsBroadcastAFile(t *testing.T) {
	dir := t.TempDir()
	broadcaster, viewer := program(t, "broadcaster"), program(t, "viewer")

	input := make([]byte, 1<<20)
	rand.NewChaCha8([32]byte{'f', 'i', 'l', 'e'}).Read(input)
	inPath, outPath := filepath.Join(dir, "in.bin"), filepath.Join(dir, "out.bin")
	require.NoError(t, os.WriteFile(inPath, input, 0o644))

	ctx, cancel := context.WithTimeout(t.Context(), 90*time.Second)
	defer cancel()
	bcast := exec.CommandContext(ctx, broadcaster,
		"-in", inPath, "-bitrate", "4Mbit", "-wait", "1",
		"-key", filepath.Join(dir, "b.key"), "-listen", "/ip4/127.0.0.1/tcp/0", "-mdns=false", "-dht", "off", "-upnp=false")
	stdout, err := bcast.StdoutPipe()
	require.NoError(t, err)
	var bcastErr bytes.Buffer
	bcast.Stderr = &bcastErr
	require.NoError(t, bcast.Start())
	defer bcast.Wait()

	channel, peerAddr := readWatchLine(t, stdout)
	view := exec.CommandContext(ctx, viewer,
		"-channel", channel, "-peer", peerAddr, "-o", outPath, "-listen", "/ip4/127.0.0.1/tcp/0", "-mdns=false", "-dht", "off", "-upnp=false")
	var viewErr bytes.Buffer
	view.Stderr = &viewErr
	require.NoError(t, view.Run(), "viewer stderr:\n%s\nbroadcaster stderr:\n%s", &viewErr, &bcastErr)
	require.NoError(t, bcast.Wait(), "broadcaster stderr:\n%s", &bcastErr)

	output, err := os.ReadFile(outPath)
	require.NoError(t, err)
	assert.True(t, bytes.Equal(input, output), "viewer wrote %d bytes, want the %d bytes broadcast", len(output), len(input))
	assert.Contains(t, viewErr.String(), "relaying", "the viewer tells its user it relays")
	assert.Contains(t, viewErr.String(), "end of stream")
}

// readWatchLine reads the broadcaster's banner up to the ready-to-paste
// viewer command and returns its -channel and -peer values.
func readWatchLine(t *testing.T, stdout interface{ Read([]byte) (int, error) }) (channel, peerAddr string) {
	t.Helper()
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "watch:") {
			continue
		}
		fields := strings.Fields(line)
		for i := 0; i+1 < len(fields); i++ {
			switch fields[i] {
			case "-channel":
				channel = fields[i+1]
			case "-peer":
				peerAddr = fields[i+1]
			}
		}
		require.NotEmpty(t, channel, line)
		require.NotEmpty(t, peerAddr, line)
		return channel, peerAddr
	}
	t.Fatalf("broadcaster printed no watch line: %v", sc.Err())
	return "", ""
}

// TestProgramsListChatAndMetrics runs the broadcaster's test stream with a
// title, a viewer that chats and serves metrics, and a second viewer that
// lists the live channels.
func TestProgramsListChatAndMetrics(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	dir := t.TempDir()
	bcast := start(t, ctx, program(t, "broadcaster"), "-test", "-duration", "40s", "-title", "Test card",
		"-key", filepath.Join(dir, "b.key"), "-listen", "/ip4/127.0.0.1/tcp/0", "-mdns=false", "-dht", "off", "-upnp=false", "-metrics", "127.0.0.1:0")
	watch := bcast.waitLine(t, "watch:", 30*time.Second)
	channel, peerAddr := field(watch, "-channel"), field(watch, "-peer")

	chatIn, chatLines := io.Pipe()
	defer chatLines.Close()
	chatter := startWith(t, ctx, chatIn, program(t, "viewer"), "-channel", channel, "-peer", peerAddr,
		"-chat", "-nick", "ana", "-o", filepath.Join(dir, "out.bin"), "-listen", "/ip4/127.0.0.1/tcp/0", "-mdns=false", "-dht", "off", "-upnp=false",
		"-metrics", "127.0.0.1:0")
	metricsLine := chatter.waitLine(t, "metrics: http://", 30*time.Second)
	chatter.waitMatch(t, "a mesh peer", func(line string) bool {
		n, err := strconv.Atoi(field(line, "mesh"))
		return err == nil && n > 0
	}, 30*time.Second)
	_, err := io.WriteString(chatLines, "hello from ana\n")
	require.NoError(t, err)
	got := bcast.waitLine(t, "<ana>: hello from ana", 20*time.Second)
	assert.Contains(t, got, "chat ")

	resp, err := http.Get(field(metricsLine, "metrics:"))
	require.NoError(t, err)
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	for _, name := range []string{"gridcast_chunks_received_total", "gridcast_latency_seconds_bucket", "gridcast_upload_cap_bytes_per_second", "gridcast_mesh_peers", "libp2p_"} {
		assert.Contains(t, string(body), name, "the viewer's /metrics")
	}

	lister := start(t, ctx, program(t, "viewer"), "-list", "-list-wait", "12s", "-peer", peerAddr,
		"-listen", "/ip4/127.0.0.1/tcp/0", "-mdns=false", "-dht", "off", "-upnp=false")
	require.NoError(t, lister.wait(60*time.Second), "viewer -list:\n%s", lister.output())
	listing := lister.waitLine(t, channel, time.Second)
	assert.Contains(t, listing, "Test card")
	assert.Contains(t, listing, "300 kbit/s")
}
