package examples_test

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestViewersResumeAfterBroadcasterIsKilled kills the broadcaster program
// (SIGKILL: no goodbye to anyone) mid-stream and starts it again with the
// same key on the same address. Two viewer programs, one connected to the
// broadcaster and one only to the first viewer, must write stream bytes
// again within 5 s of the new broadcaster being up, without being
// restarted. Over QUIC the viewers still hold the dead process's
// connection: only the restarted one's stateless reset, drawn by the
// viewers' keep-alive ping, ends it.
func TestViewersResumeAfterBroadcasterIsKilled(t *testing.T) {
	for _, transport := range []string{"tcp", "quic-v1"} {
		t.Run(transport, func(t *testing.T) {
			dir := t.TempDir()
			listen := freeListenAddr(t, transport)
			ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
			defer cancel()
			off := []string{"-mdns=false", "-dht", "off", "-upnp=false"}
			bargs := append([]string{"-test", "-bitrate", "300kbit", "-key", filepath.Join(dir, "b.key"), "-listen", listen, "-announce=false", "-chat=false"}, off...)

			b := start(t, ctx, program(t, "broadcaster"), bargs...)
			watchLine := b.waitLine(t, "watch:", 30*time.Second)
			channel, bAddr := field(watchLine, "-channel"), field(watchLine, "-peer")

			vargs := func(peerAddr, out string) []string {
				return append([]string{"-channel", channel, "-peer", peerAddr, "-o", out, "-listen", "/ip4/127.0.0.1/" + transportListen(transport), "-chat=false", "-idle", "0"}, off...)
			}
			out1, out2 := filepath.Join(dir, "v1.out"), filepath.Join(dir, "v2.out")
			v1 := start(t, ctx, program(t, "viewer"), vargs(bAddr, out1)...)
			v1Addr := field(v1.waitLine(t, "listening on", 30*time.Second), "on")
			v2 := start(t, ctx, program(t, "viewer"), vargs(v1Addr, out2)...)
			v2.waitLine(t, "listening on", 30*time.Second)

			for _, out := range []string{out1, out2} {
				waitGrowth(t, out, 0, 20*time.Second)
			}
			require.NoError(t, b.cmd.Process.Signal(syscall.SIGKILL))
			b.wait(5 * time.Second)
			time.Sleep(time.Second) // let the viewers' buffers drain
			sizes := []int64{fileSize(out1), fileSize(out2)}

			b2 := start(t, ctx, program(t, "broadcaster"), bargs...)
			b2.waitLine(t, "watch:", 30*time.Second)
			up := time.Now()
			for i, out := range []string{out1, out2} {
				resumed := waitGrowth(t, out, sizes[i], 15*time.Second)
				t.Logf("viewer %d resumed %v after the restarted broadcaster was up", i+1, resumed.Sub(up).Round(10*time.Millisecond))
				assert.Less(t, resumed.Sub(up), 5*time.Second, "viewer %d resumes within 5 s", i+1)
			}
			for _, v := range []*proc{v1, v2} {
				select {
				case <-v.done:
					t.Fatalf("%s exited:\n%s", v.name, v.output())
				default:
				}
			}
		})
	}
}

// freeListenAddr returns a loopback multiaddr on a port that was free a
// moment ago, so that a restarted program can listen on it again.
func freeListenAddr(t *testing.T, transport string) string {
	t.Helper()
	if transport == "tcp" {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		defer l.Close()
		return fmt.Sprintf("/ip4/127.0.0.1/tcp/%d", l.Addr().(*net.TCPAddr).Port)
	}
	_, port, err := net.SplitHostPort(freeUDPAddr(t))
	require.NoError(t, err)
	return "/ip4/127.0.0.1/udp/" + port + "/quic-v1"
}

func transportListen(transport string) string {
	if transport == "tcp" {
		return "tcp/0"
	}
	return "udp/0/quic-v1"
}

func fileSize(path string) int64 {
	st, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return st.Size()
}

// waitGrowth waits for path to grow past size and returns when it did.
func waitGrowth(t *testing.T, path string, size int64, timeout time.Duration) time.Time {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if fileSize(path) > size {
			return time.Now()
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%s did not grow past %d bytes within %v", path, size, timeout)
	return time.Time{}
}
