package broadcast_test

import (
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCloseLeavesNoGoroutines closes a broadcaster, a viewer and both nodes
// and checks the process is back to the goroutines it had. libp2p and
// pubsub end some of theirs a moment after Close returns (pubsub has no
// Close to wait on), so the check polls.
func TestCloseLeavesNoGoroutines(t *testing.T) {
	before := runtime.NumGoroutine()
	func() {
		source, b, viewerNode, v := pair(t, "leak")
		_, err := b.Write(make([]byte, 100_000))
		require.NoError(t, err)

		require.NoError(t, b.Close())
		require.NoError(t, v.Close())
		require.NoError(t, viewerNode.Close())
		require.NoError(t, source.Close())
	}()
	// Polled here rather than with assert.Eventually, whose own
	// goroutines would be counted.
	deadline := time.Now().Add(10 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if !assert.LessOrEqual(t, runtime.NumGoroutine(), before, "goroutines left after Close") {
		buf := make([]byte, 1<<20)
		t.Logf("%s", buf[:runtime.Stack(buf, true)])
	}
}
