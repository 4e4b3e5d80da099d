package relay

import (
	"testing"
	"testing/synctest"
	"time"

	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMonitorCountsDuplicatesByCause(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m := NewMonitor()
		m.Graft("mesh", "t")
		chunk := func(data string) *pubsub.Message {
			msg := testMessage("src", data) // on topic "t"
			return &pubsub.Message{Message: msg, ID: MessageID(msg)}
		}
		from := func(msg *pubsub.Message, p peer.ID) *pubsub.Message {
			c := *msg
			c.ReceivedFrom = p
			return &c
		}
		first, pulled, never := chunk("first"), chunk("pulled"), chunk("never")
		m.ValidateMessage(from(first, "feeder"))
		m.ValidateMessage(from(pulled, "feeder"))
		m.SetAsked(func(id string) bool { return id == pulled.ID })

		m.DuplicateMessage(from(first, "mesh"))   // crossed
		m.DuplicateMessage(from(first, "other"))  // not a mesh peer
		m.DuplicateMessage(from(never, "mesh"))   // first copy unknown
		m.DuplicateMessage(from(pulled, "mesh"))  // a pull was out
		m.DuplicateMessage(from(pulled, "other")) // a pull was out
		time.Sleep(CrossingWindow)
		m.DuplicateMessage(from(first, "mesh")) // late
		m.SetAsked(nil)
		m.DuplicateMessage(from(pulled, "mesh")) // late, no record of pulls

		assert.Equal(t, DuplicateCauses{Pulled: 2, Crossed: 1, Late: 2, Other: 2}, m.RPCStats().Duplicates)
		assert.Equal(t, uint64(7), m.TopicStats("t").Duplicates)
	})
}

// TestLimiterAsked checks that Asked reports pulls from when they go out:
// a held-back pull whose chunk came meanwhile never counts, one that is
// sent counts for IWantRetry.
func TestLimiterAsked(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const delay = 100 * time.Millisecond
		var seen Seen
		l := NewLimiter(1_000_000, SkipHeld(NewHeld()), DeferPulls(&seen, delay))
		s := l.wrap(newGossipSink("peer"))
		ids := chunkIDs(2)
		came, sent := ids[0], ids[1]

		_, err := s.Write(wantFrame(t, ids, false))
		require.NoError(t, err)
		assert.False(t, l.Asked(came), "held back, not sent")
		assert.False(t, l.Asked(sent), "held back, not sent")
		seen.Add(came)
		time.Sleep(delay)
		synctest.Wait()
		assert.False(t, l.Asked(came), "the chunk came: never asked for")
		assert.True(t, l.Asked(sent), "asked for once the delay passed")

		time.Sleep(IWantRetry + time.Millisecond)
		assert.False(t, l.Asked(sent), "forgotten after IWantRetry")
		assert.False(t, l.Asked("short"))
	})
}
