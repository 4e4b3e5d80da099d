package relay

import (
	"testing"
	"testing/synctest"
	"time"

	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/stretchr/testify/assert"
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

func TestLimiterAsked(t *testing.T) {
	l := NewLimiter(1_000_000, SkipHeld(NewHeld()))
	id := MessageID(testMessage("src", "a"))
	other := MessageID(testMessage("src", "b"))
	assert.False(t, l.Asked(id))
	assert.False(t, l.asked.claim(id), "first asking")
	assert.True(t, l.Asked(id))
	assert.False(t, l.Asked(other))
	assert.False(t, l.Asked("short"))
}
