package relay

import (
	"time"

	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/peer"
)

// Score scale. Positive topic score is capped at TopicScoreCap; one invalid
// message costs InvalidMessageWeight, squared in the count, so it outweighs
// any positive score at once.
const (
	// TopicScoreCap caps what topics add to a score: at most 3 from time in
	// mesh plus 25 from first deliveries, rounded up.
	TopicScoreCap = 30
	// InvalidMessageWeight is P4's weight: n invalid messages cost
	// n² × 100. One takes the best-scored peer to -70, under
	// GossipThreshold; three take any peer under GraylistThreshold.
	InvalidMessageWeight = -100
	// GossipThreshold: below it no gossip is exchanged with the peer and it
	// is pruned from the mesh (any negative score is).
	GossipThreshold = -50
	// PublishThreshold: below it the node does not publish to the peer.
	PublishThreshold = -100
	// GraylistThreshold: below it every RPC from the peer is ignored.
	GraylistThreshold = -500
)

// PeerScoreParams returns the router-wide scoring parameters for
// pubsub.WithPeerScore: a fresh value with an empty Topics map each call, so
// each router can add its channels with Topic.SetScoreParams.
//
//   - P5, application score: AppSpecificScore returns 0 with weight 1, a
//     hook for later capacity signals.
//   - P6, IP colocation: weight 0. Viewers behind one carrier-grade NAT or
//     in one household share an address, and tests run every node on
//     127.0.0.1; penalising that would prune honest relays.
//   - P7, behaviour (GRAFT during backoff, broken IWANT promises): weight
//     -10 past a threshold of 6, decaying to nothing over 10 minutes, so a
//     few slow IWANT answers under a tight cap cost nothing and a peer that
//     keeps misbehaving sinks past GossipThreshold at 9 penalties and
//     GraylistThreshold at 14.
//   - Counters decay every second to a floor of 0.01; a disconnected peer's
//     score is kept for 30 minutes, so reconnecting does not wash out
//     penalties.
func PeerScoreParams() *pubsub.PeerScoreParams {
	return &pubsub.PeerScoreParams{
		Topics:                    make(map[string]*pubsub.TopicScoreParams),
		TopicScoreCap:             TopicScoreCap,
		AppSpecificScore:          func(peer.ID) float64 { return 0 },
		AppSpecificWeight:         1,
		IPColocationFactorWeight:  0,
		BehaviourPenaltyWeight:    -10,
		BehaviourPenaltyThreshold: 6,
		BehaviourPenaltyDecay:     pubsub.ScoreParameterDecay(10 * time.Minute),
		DecayInterval:             pubsub.DefaultDecayInterval,
		DecayToZero:               pubsub.DefaultDecayToZero,
		RetainScore:               30 * time.Minute,
	}
}

// PeerScoreThresholds returns the thresholds for pubsub.WithPeerScore.
//
// AcceptPXThreshold is 0: peer exchange on PRUNE is how a viewer turned away
// by a full mesh (a source's above all) learns of other relays, so PX is
// taken from any peer not in the negative. OpportunisticGraftThreshold is 1,
// reached by about a hundred seconds in the mesh or a few recent first
// deliveries.
func PeerScoreThresholds() *pubsub.PeerScoreThresholds {
	return &pubsub.PeerScoreThresholds{
		GossipThreshold:             GossipThreshold,
		PublishThreshold:            PublishThreshold,
		GraylistThreshold:           GraylistThreshold,
		AcceptPXThreshold:           0,
		OpportunisticGraftThreshold: 1,
	}
}

// TopicScoreParams returns the scoring parameters for one channel topic, for
// Topic.SetScoreParams (which needs the router built with PeerScoreParams).
//
//   - P1, time in mesh: 0.01 per second, capped at 5 minutes (+3).
//   - P2, first deliveries: 0.5 per chunk delivered first, decaying to
//     nothing over 2 minutes, capped at 50 (+25), so peers that relay
//     promptly are kept when the mesh is pruned by score.
//   - P3 and P3b, mesh delivery rate and its failure penalty: 0. A source
//     never receives its own chunks, so it would see every mesh peer as
//     failing to deliver and prune them all.
//   - P4, invalid messages: InvalidMessageWeight, decaying to nothing over an
//     hour. One rejected message puts its forwarder under GossipThreshold
//     (for 1.5 to 4.5 minutes, depending on how much positive score it had)
//     and out of the mesh for longer; three graylist it.
//
// Only a validator's Reject (or a bad signature) counts as invalid. Answer
// Ignore for anything an honest relay could have passed on, such as a stale
// or duplicate sequence number.
func TopicScoreParams() *pubsub.TopicScoreParams {
	return &pubsub.TopicScoreParams{
		TopicWeight:                    1,
		TimeInMeshWeight:               0.01,
		TimeInMeshQuantum:              time.Second,
		TimeInMeshCap:                  300,
		FirstMessageDeliveriesWeight:   0.5,
		FirstMessageDeliveriesDecay:    pubsub.ScoreParameterDecay(2 * time.Minute),
		FirstMessageDeliveriesCap:      50,
		MeshMessageDeliveriesWeight:    0,
		MeshFailurePenaltyWeight:       0,
		InvalidMessageDeliveriesWeight: InvalidMessageWeight,
		InvalidMessageDeliveriesDecay:  pubsub.ScoreParameterDecay(time.Hour),
	}
}
