package relay

import (
	"testing"

	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/stretchr/testify/assert"
)

func TestWeakViewerScore(t *testing.T) {
	var u Uplinks
	weak, strong, other, silent := peer.ID("weak"), peer.ID("strong"), peer.ID("other"), peer.ID("silent")
	score := u.WeakViewerScore(2)
	u.Set(weak, 0)
	u.Set(strong, 2)
	assert.Zero(t, score(weak), "one peer that can feed it is fewer than its mesh")
	assert.Zero(t, score(silent))

	u.Set(other, 1)
	assert.Equal(t, float64(weakFeedScore), score(weak))
	assert.Equal(t, float64(weakFeedScore), score(silent), "a peer that announced nothing may be as weak")
	assert.Zero(t, score(strong))
	assert.Zero(t, score(other), "one whole copy is enough to feed a viewer")
	// Pruned and refused, yet gossiped with as before.
	assert.Less(t, score(weak), 0.0)
	assert.Greater(t, score(weak), float64(GossipThreshold))

	u.Forget(other)
	assert.Zero(t, score(weak))
}

func TestSourceScoreFeedStrongestKeepsToTheTop(t *testing.T) {
	var u Uplinks
	u.Set("cable1", 2)
	u.Set("cable2", 2)
	u.Set("fibre1", 9)
	u.Set("fibre2", 9)
	u.Set("fibre3", 12)
	u.Set("fibre4", 9)
	score := u.SourceScore(2)
	assert.Zero(t, score("cable1"), "without FeedStrongest every strong peer may feed")

	u.FeedStrongest(true)
	assert.Equal(t, float64(weakFeedScore), score("cable1"))
	assert.Zero(t, score("fibre1"), "ties with the d-th strongest are kept")
	assert.Zero(t, score("fibre3"))

	u.Set("liar1", MaxAnnouncedCopies)
	u.Set("liar2", MaxAnnouncedCopies)
	assert.Zero(t, score("fibre1"), "claims above FeedStrongCopies push no honest fibre peer out")
	assert.Zero(t, score("liar1"))
	assert.Equal(t, float64(weakFeedScore), score("cable1"))
	u.Set("modest", FeedStrongCopies)
	assert.Zero(t, score("modest"))
	u.Forget("liar1")
	u.Forget("liar2")
	u.Forget("modest")

	u.Forget("fibre4")
	assert.Zero(t, score("cable1"), "with fewer than 2d peers at the bar the cable peers feed too")
}

func TestSourceScoreFeedStrongestLiarsAloneRaiseNoBar(t *testing.T) {
	var u Uplinks
	u.FeedStrongest(true)
	for _, p := range []peer.ID{"cable1", "cable2", "cable3", "cable4"} {
		u.Set(p, 2)
	}
	u.Set("liar1", MaxAnnouncedCopies)
	u.Set("liar2", MaxAnnouncedCopies)
	score := u.SourceScore(2)
	assert.Zero(t, score("cable1"), "d claims alone must not make the source's whole mesh")
	assert.Zero(t, score("liar1"))

	u.Set("fibre1", 8)
	u.Set("fibre2", 8)
	assert.Equal(t, float64(weakFeedScore), score("cable1"), "with 2d peers at the bar it is raised")
	assert.Zero(t, score("fibre1"))
}
