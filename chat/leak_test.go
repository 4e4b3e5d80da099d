package chat_test

import (
	"testing"

	"github.com/gridcast/gridcast/broadcast"
	"github.com/gridcast/gridcast/chat"
	"github.com/gridcast/gridcast/internal/leaktest"
	"github.com/gridcast/gridcast/peer"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCloseLeavesNoGoroutines runs a chat between two nodes and closes
// everything: the rooms and the nodes leave nothing behind. The helpers
// register their Close after leaktest.Check, so it runs after them.
func TestCloseLeavesNoGoroutines(t *testing.T) {
	leaktest.Check(t)
	a, b := newNode(t), newNode(t)
	connect(t, a, b)
	ch, err := broadcast.NewChannel(b.ID(), "live")
	require.NoError(t, err)
	roomA := join(t, a, ch, chat.WithNick("alice"))
	roomB := join(t, b, ch)
	waitForMesh(t, ch, [2]*peer.Node{a, b})

	require.NoError(t, roomA.Send(t.Context(), "hello"))
	l := next(t, roomB)
	assert.Equal(t, a.ID(), l.From)
	assert.Equal(t, "alice", l.Nick)
	assert.Equal(t, "hello", l.Text)

	// Close in the order an application would, before the nodes go, so
	// the rooms' own Close path is what is checked; the cleanups then
	// find them closed already.
	require.NoError(t, roomA.Close())
	require.NoError(t, roomB.Close())
	require.NoError(t, a.Close())
	require.NoError(t, b.Close())
}
