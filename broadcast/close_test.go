package broadcast_test

import (
	"testing"

	"github.com/gridcast/gridcast/internal/leaktest"
	"github.com/stretchr/testify/require"
)

// TestCloseLeavesNoGoroutines closes a broadcaster, a viewer and both nodes
// and checks that every goroutine they started has ended.
func TestCloseLeavesNoGoroutines(t *testing.T) {
	leaktest.Check(t)
	source, b, viewerNode, v := pair(t, "leak")
	_, err := b.Write(make([]byte, 100_000))
	require.NoError(t, err)
	got := make([]byte, 1000)
	_, err = v.Read(got)
	require.NoError(t, err, "the viewer plays")

	require.NoError(t, b.Close())
	require.NoError(t, v.Close())
	require.NoError(t, viewerNode.Close())
	require.NoError(t, source.Close())
}
