package relay

import (
	"time"

	pubsub "github.com/libp2p/go-libp2p-pubsub"
)

// Queue sizes and limits. Queues count RPCs or messages, not bytes, so they
// are dimensioned from three design points: streams up to MaxBitrate, cut
// into chunks no smaller than MinChunkSize, with at most QueueDelay of
// backlog worth keeping (beyond it a chunk misses a live player's buffer).
const (
	// MaxBitrate is the highest stream bitrate, in bytes per second, the
	// queues are sized for: 2 Mbit/s, which a Fibre budget carries four
	// copies of.
	MaxBitrate = 2_000_000 / 8
	// MinChunkSize is the smallest chunk, in bytes, the queues are sized
	// for.
	MinChunkSize = 4 << 10
	// QueueDelay is the most backlog a per-peer queue is sized to hold.
	// A relay over its cap sends what it queued; pubsub does not take back
	// a queued chunk when the peer says IDONTWANT, so every second queued
	// is a second of stale copies on a full uplink, and a chunk queued for
	// longer than the playout deadline arrives too late to play.
	QueueDelay = time.Second

	// MaxMessageSize is the largest RPC, in bytes, a router sends or
	// accepts; every node must agree on it. 256 KiB holds any chunk (4–32
	// KiB) with its framing and signature, and a full IHAVE (5000 IDs),
	// while keeping RPCs, and so the head-of-line blocking behind one on a
	// peer's single stream, well under pubsub's default 1 MiB.
	MaxMessageSize = 256 << 10

	// OutboundQueueSize is the most RPCs queued per peer: QueueDelay ×
	// MaxBitrate / MinChunkSize ≈ 61 (62 at MaxBitrate), rounded up to 64.
	// OutboundQueueLen gives the size for a lower bitrate. When a peer's
	// queue is full pubsub drops new chunks to it (counted by
	// Monitor.DroppedRPCs), which is what bounds the staleness of what a
	// capped node sends.
	OutboundQueueSize = 64
	// minOutboundQueue is the floor at low bitrates. GRAFT and PRUNE
	// share the queue with chunks and are dropped with them when it is
	// full; below about 8 the mesh falls apart under load.
	minOutboundQueue = 8

	// ValidateQueueSize is how many received messages may wait for
	// validation; a full queue drops (without penalty). Near-simultaneous
	// copies of a chunk from several mesh peers all enter it, so it holds
	// about a second of MaxBitrate chunks from four peers.
	ValidateQueueSize = 256

	// SubscriptionBuffer is the buffer to give Topic.Subscribe with
	// pubsub.WithBufferSize: about 4 s of MaxBitrate chunks, so a reader
	// that stalls for that long loses nothing. Past it pubsub drops
	// messages for that subscriber (Monitor's Undeliverable).
	SubscriptionBuffer = 256

	// ScoreInspectPeriod is how often the Monitor receives peer scores.
	ScoreInspectPeriod = time.Second
)

// OutboundQueueLen returns the per-peer outbound queue length, in RPCs, for
// a stream of bitrate bytes per second: QueueDelay × bitrate / MinChunkSize,
// at least 8 and at most OutboundQueueSize.
func OutboundQueueLen(bitrate int64) int {
	if bitrate <= 0 {
		return minOutboundQueue
	}
	b := min(bitrate, 2*MaxBitrate) // past MaxBitrate the ceiling applies anyway
	n := (int64(QueueDelay/time.Millisecond)*b/1000 + MinChunkSize - 1) / MinChunkSize
	return int(min(max(n, minOutboundQueue), OutboundQueueSize))
}

// PubSubOptions returns the options that put the relay policy into effect on
// one GossipSub router, for pubsub.NewGossipSub (give it the host from
// Limiter.WrapHost):
//   - WithGossipSubParams(b.GossipSubParams(bitrate, role));
//   - WithPeerScore(PeerScoreParams(), PeerScoreThresholds()), where a
//     source with a Monitor scores peers by m.Uplinks().SourceScore(D), and
//     a viewer whose budget carries no whole copy by
//     m.Uplinks().WeakViewerScore(D);
//   - if m is not nil, WithPeerScoreInspect(m.InspectScores,
//     ScoreInspectPeriod), which must and does come after WithPeerScore, and
//     WithRawTracer(m);
//   - WithMessageIdFn(MessageID), WithMaxMessageSize(MaxMessageSize),
//     WithPeerOutboundQueueSize(OutboundQueueLen(bitrate)),
//     WithValidateQueueSize(ValidateQueueSize);
//   - WithFloodPublish(false): a source publishes to its mesh only, not to
//     every peer in the topic;
//   - WithPeerExchange(true): PRUNE carries other peers, so a viewer turned
//     away by a full mesh finds other relays;
//   - WithMessageSignaturePolicy(StrictSign).
//
// If b is invalid the first option fails, so the router's constructor
// returns an error wrapping ErrBadBudget. Options appended after these
// override them. Each channel topic also needs
// Topic.SetScoreParams(TopicScoreParams()).
func (b Budget) PubSubOptions(bitrate int64, role Role, m *Monitor) []pubsub.Option {
	params := b.GossipSubParams(bitrate, role)
	score := PeerScoreParams()
	switch {
	case m == nil:
	case role == RoleSource:
		score.AppSpecificScore = m.Uplinks().SourceScore(params.D)
	case b.Weak(bitrate):
		score.AppSpecificScore = m.Uplinks().WeakViewerScore(params.D)
	}
	opts := []pubsub.Option{
		func(*pubsub.PubSub) error { return b.Validate() },
		pubsub.WithGossipSubParams(params),
		pubsub.WithPeerScore(score, PeerScoreThresholds()),
	}
	if m != nil {
		opts = append(opts,
			pubsub.WithPeerScoreInspect(m.InspectScores, ScoreInspectPeriod),
			pubsub.WithRawTracer(m),
		)
	}
	return append(opts,
		pubsub.WithMessageIdFn(MessageID),
		pubsub.WithMaxMessageSize(MaxMessageSize),
		pubsub.WithPeerOutboundQueueSize(OutboundQueueLen(bitrate)),
		pubsub.WithValidateQueueSize(ValidateQueueSize),
		pubsub.WithFloodPublish(false),
		pubsub.WithPeerExchange(true),
		pubsub.WithMessageSignaturePolicy(pubsub.StrictSign),
	)
}
