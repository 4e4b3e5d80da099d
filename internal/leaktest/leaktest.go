// Package leaktest fails a test that leaves goroutines running once
// everything it started is closed.
package leaktest

import (
	"testing"
	"time"

	"go.uber.org/goleak"
)

// settle is how long the goroutines a test started may take to end after
// its cleanups ran. go-libp2p-pubsub has no Close to wait on: its
// goroutines end a moment after the host closes.
const settle = 10 * time.Second

// Check records the goroutines running now and, when the test and its
// cleanups registered after this call have finished, fails the test if
// any other goroutine is still running after settle, listing their
// stacks. Call it first in a test that is not parallel.
func Check(t testing.TB) {
	t.Helper()
	ignore := goleak.IgnoreCurrent()
	t.Cleanup(func() {
		deadline := time.Now().Add(settle)
		for {
			err := goleak.Find(ignore)
			if err == nil {
				return
			}
			if time.Now().After(deadline) {
				t.Errorf("goroutines left running after Close:\n%v", err)
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
}
