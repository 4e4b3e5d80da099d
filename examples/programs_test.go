package examples_test

import (
	"bufio"
	"bytes"
	"context"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
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
		"-key", filepath.Join(dir, "b.key"), "-listen", "/ip4/127.0.0.1/tcp/0")
	stdout, err := bcast.StdoutPipe()
	require.NoError(t, err)
	var bcastErr bytes.Buffer
	bcast.Stderr = &bcastErr
	require.NoError(t, bcast.Start())
	defer bcast.Wait()

	channel, peerAddr := readWatchLine(t, stdout)
	view := exec.CommandContext(ctx, viewer,
		"-channel", channel, "-peer", peerAddr, "-o", outPath, "-listen", "/ip4/127.0.0.1/tcp/0")
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
