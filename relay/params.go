package relay

import (
	"time"

	pubsub "github.com/libp2p/go-libp2p-pubsub"
)

// Router settings a live stream needs that differ from, or are pinned
// against changes to, pubsub's defaults. They are the same for every node so
// that peers agree on them; only the degree depends on the budget.
const (
	// HistoryGossip is how many heartbeats (seconds) of chunk IDs IHAVE
	// advertises: a chunk repaired later than ~3 s is likely to miss a live
	// player's buffer, and the IWANT it triggers would spend upload for
	// nothing. Five (swarm quick preset, 30 s, seeds 1 to 5) kept
	// continuity within 0.1 point on seeds 2 to 5, cost 0.03 copies more
	// and raised the median latency p99 from 1.17 s to 1.26 s; seed 1,
	// whose runs swing by tens of points whatever the setting, gave 94.4%
	// against 49.9%.
	HistoryGossip = 3
	// HistoryLength is how many heartbeats chunks stay in the message
	// cache: two more than HistoryGossip, so an IWANT for the oldest
	// advertised chunk still finds it after a round trip.
	HistoryLength = HistoryGossip + 2
	// IDontWantThreshold is the smallest message, in bytes, that makes a
	// node send IDONTWANT to its mesh. Every chunk (4–32 KiB) is above it,
	// so every chunk suppresses duplicates; small control messages are not,
	// and it stays above MaxDegree × 32-byte IDs so an IDONTWANT is never
	// larger than the message that caused it. Above every chunk (no
	// IDONTWANT at all; swarm quick preset, 30 s, seeds 1 to 5) viewers
	// downloaded 1.99 copies instead of 1.31, with 0.86 duplicates a chunk
	// instead of 0.19.
	IDontWantThreshold = 1024
	// IWantFollowup is how long a node waits for a chunk it asked for with
	// IWANT before counting a broken promise (a behaviour penalty). Under a
	// tight cap an honest answer can queue behind a few seconds of chunks,
	// so it is longer than pubsub's 3 s.
	IWantFollowup = 5 * time.Second
	// OpportunisticGraftTicks is how many heartbeats pass between attempts
	// to graft better-scoring peers when the mesh's median score is low:
	// every 15 s rather than every 60, since a minute stuck behind slow
	// relays is a minute of stalled video. Each attempt costs at most two
	// extra copies until the next heartbeat prunes back to D.
	OpportunisticGraftTicks = 15
	// MaxIHaveLength is how many chunk IDs a node asks one peer for with
	// IWANT per heartbeat, and reads from its IHAVEs. An honest IHAVE holds
	// HistoryGossip seconds of chunk IDs: about 30 at 300 kbit/s in 4 KiB
	// chunks, at most HistoryGossip × MaxBitrate / MinChunkSize ≈ 183.
	// pubsub's 5000 would let a peer advertising made-up IDs draw 160 KB
	// of IWANTs a second from every honest neighbour; 256 holds that to
	// 8 KB.
	MaxIHaveLength = 256
	// MaxIHaveMessages is how many IHAVE RPCs a node reads from one peer
	// per heartbeat. A neighbour with LazyPush announces each chunk in an
	// IHAVE of its own: up to MaxBitrate / MinChunkSize ≈ 61 a second, on
	// top of its gossip, against pubsub's 10. IDs are still bounded by
	// MaxIHaveLength, so this lets a flood cost reading a few more RPCs,
	// not more IWANTs.
	MaxIHaveMessages = 10 + OutboundQueueSize
	// ViewerGossipRetransmission is how many times a viewer answers one
	// peer's IWANT for the same chunk. An honest peer asks once (again
	// only if the answer was lost); pubsub's 3 would let a leech asking
	// for every chunk it hears of take three copies of the stream from
	// each neighbour.
	ViewerGossipRetransmission = 1
	// SourceGossipRetransmission is 0: the source answers no IWANT. It
	// never gossips (its Dlazy is 0), so no honest peer has an IHAVE of
	// its to ask about, and its uplink is the stream's first bottleneck.
	SourceGossipRetransmission = 0
)

// GossipSubParams returns router parameters for a node with budget b relaying
// a stream of bitrate bytes per second in the given role. They start from
// pubsub.DefaultGossipSubParams and change only what a live stream needs;
// flood publishing, which is not a parameter, is set off by PubSubOptions.
//
// The parameters are fixed for the router's lifetime: pubsub has no way to
// change them on a running router, so a new budget means a new router.
func (b Budget) GossipSubParams(bitrate int64, role Role) pubsub.GossipSubParams {
	p := pubsub.DefaultGossipSubParams()
	d := b.Degree(bitrate, role)

	// Upload is budgeted on Dhi, not D (see the package documentation).
	p.D, p.Dlo, p.Dhi = d.D, d.Dlo, d.Dhi
	p.Dout, p.Dscore = d.Dout, d.Dscore

	// Every IHAVE can come back as an IWANT for a whole chunk, paid from this
	// node's upload, so gossip reaches Dlazy peers (which grows with a
	// viewer's budget, and is 0 for a source) and no more: a GossipFactor
	// share of all connected peers would make control traffic grow with the
	// connection count instead, and would have the source gossip after all.
	// Measured with pubsub's 0.25 on viewers (swarm quick preset, 30 s,
	// seeds 1 to 5): median continuity 98.74% against 99.78%, download 1.65
	// copies against 1.31, median latency p99 2.46 s against 1.17 s.
	p.Dlazy = d.Dlazy
	p.GossipFactor = 0

	p.HistoryGossip = HistoryGossip
	p.HistoryLength = HistoryLength
	p.IDontWantMessageThreshold = IDontWantThreshold
	p.IWantFollowupTime = IWantFollowup
	p.OpportunisticGraftTicks = OpportunisticGraftTicks
	p.MaxIHaveLength = MaxIHaveLength
	p.MaxIHaveMessages = MaxIHaveMessages
	p.GossipRetransmission = ViewerGossipRetransmission
	if role == RoleSource {
		p.GossipRetransmission = SourceGossipRetransmission
	}
	return p
}
