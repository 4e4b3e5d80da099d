package relay

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// topicScore is pubsub's per-topic score formula (score.go) for a peer in
// the mesh, with P3 and P3b left out since their weights are 0.
func topicScore(meshTime time.Duration, firsts, invalid float64) float64 {
	p := TopicScoreParams()
	p1 := math.Min(float64(meshTime/p.TimeInMeshQuantum), p.TimeInMeshCap)
	p2 := math.Min(firsts, p.FirstMessageDeliveriesCap)
	s := p1*p.TimeInMeshWeight + p2*p.FirstMessageDeliveriesWeight + invalid*invalid*p.InvalidMessageDeliveriesWeight
	return math.Min(s*p.TopicWeight, TopicScoreCap)
}

func TestScoreScale(t *testing.T) {
	best := topicScore(time.Hour, 1000, 0)
	assert.LessOrEqual(t, best, float64(TopicScoreCap))
	assert.InDelta(t, 28, best, 0.01, "P1 + P2 at their caps")

	// One invalid message outweighs the best record.
	assert.Less(t, topicScore(time.Hour, 1000, 1), float64(GossipThreshold))
	// Two do not graylist a peer, even one with no positive score; three
	// graylist any peer.
	assert.Greater(t, topicScore(0, 0, 2), float64(GraylistThreshold))
	assert.Less(t, topicScore(time.Hour, 1000, 3), float64(GraylistThreshold))

	th := PeerScoreThresholds()
	assert.LessOrEqual(t, th.PublishThreshold, th.GossipThreshold)
	assert.LessOrEqual(t, th.GraylistThreshold, th.PublishThreshold)

	// Behaviour penalties: (count - threshold)² × weight.
	p := PeerScoreParams()
	p7 := func(n float64) float64 {
		excess := math.Max(0, n-p.BehaviourPenaltyThreshold)
		return excess * excess * p.BehaviourPenaltyWeight
	}
	assert.Zero(t, p7(6), "a few broken promises cost nothing")
	assert.Greater(t, p7(8), float64(GossipThreshold))
	assert.Less(t, p7(9), float64(GossipThreshold))
	assert.Greater(t, p7(13), float64(GraylistThreshold))
	assert.Less(t, p7(14), float64(GraylistThreshold))
}

func TestScoreParamsRules(t *testing.T) {
	p := TopicScoreParams()
	assert.Zero(t, p.MeshMessageDeliveriesWeight, "P3 off: a source never receives its own chunks")
	assert.Zero(t, p.MeshFailurePenaltyWeight, "P3b off")
	assert.Positive(t, p.FirstMessageDeliveriesWeight)
	assert.Positive(t, p.TimeInMeshQuantum)

	a, b := PeerScoreParams(), PeerScoreParams()
	a.Topics["x"] = p
	assert.Empty(t, b.Topics, "each router gets its own Topics map")
	assert.NotNil(t, a.AppSpecificScore)
	assert.Zero(t, a.AppSpecificScore("anyone"))
	assert.Zero(t, a.IPColocationFactorWeight, "loopback tests and shared NATs")
	for _, d := range []float64{a.BehaviourPenaltyDecay, p.FirstMessageDeliveriesDecay, p.InvalidMessageDeliveriesDecay} {
		assert.True(t, d > 0 && d < 1, "decay %v in (0,1)", d)
	}
}
