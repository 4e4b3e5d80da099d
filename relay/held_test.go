package relay

import (
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/stretchr/testify/assert"
)

func heldKey(s string) [messageIDSize]byte {
	var k [messageIDSize]byte
	copy(k[:], s)
	return k
}

func TestHeld(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const a, b = peer.ID("a"), peer.ID("b")
		id := strings.Repeat("x", messageIDSize)
		var h Held
		assert.False(t, h.Holds(a, heldKey(id)), "empty")
		h.Add(a, id)
		h.Add(a, "short")
		assert.True(t, h.Holds(a, heldKey(id)))
		assert.False(t, h.Holds(b, heldKey(id)), "per peer")
		assert.False(t, h.Holds(a, heldKey("short")), "only 32-byte IDs")

		time.Sleep(HeldTTL)
		assert.True(t, h.Holds(a, heldKey(id)), "for HeldTTL")
		time.Sleep(time.Nanosecond)
		assert.False(t, h.Holds(a, heldKey(id)), "and no longer")

		h.Add(b, id)
		h.Forget(b)
		assert.False(t, h.Holds(b, heldKey(id)))
		assert.Equal(t, 1, h.Peers())
	})
}

func TestHeldIsBounded(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const p = peer.ID("flooder")
		var h Held
		id := func(i int) string {
			k := make([]byte, messageIDSize)
			k[0], k[1], k[2] = byte(i), byte(i>>8), byte(i>>16)
			return string(k)
		}
		for i := range 10 * HeldPerPeer {
			h.Add(p, id(i))
		}
		assert.Len(t, h.peers[p].ids, HeldPerPeer, "at most HeldPerPeer IDs")
		assert.True(t, h.Holds(p, heldKey(id(0))), "the first are kept while live")
		assert.False(t, h.Holds(p, heldKey(id(HeldPerPeer))), "the newest go unrecorded")

		time.Sleep(HeldTTL + time.Millisecond)
		h.Add(p, id(HeldPerPeer))
		assert.True(t, h.Holds(p, heldKey(id(HeldPerPeer))), "expired IDs make room")
		assert.Len(t, h.peers[p].ids, 1)
	})
}

func TestHeldPeersAreBounded(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		id := strings.Repeat("x", messageIDSize)
		var h Held
		for i := range HeldPeers + 10 {
			h.Add(peer.ID(rune(i)), id)
		}
		assert.Equal(t, HeldPeers, h.Peers(), "at most HeldPeers records")
		time.Sleep(HeldTTL + time.Millisecond)
		h.Add("newcomer", id)
		assert.Equal(t, 1, h.Peers(), "stale records make room")
		assert.True(t, h.Holds("newcomer", heldKey(id)))
	})
}
