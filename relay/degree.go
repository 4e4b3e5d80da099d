package relay

import "fmt"

// Role is what a node does in a channel, which changes how many copies of a
// chunk its mesh costs it.
type Role int

const (
	// RoleViewer receives each chunk from one mesh peer and forwards it to
	// the others.
	RoleViewer Role = iota
	// RoleSource publishes: it sends every chunk to every mesh peer.
	RoleSource
)

func (r Role) String() string {
	switch r {
	case RoleViewer:
		return "viewer"
	case RoleSource:
		return "source"
	}
	return fmt.Sprintf("Role(%d)", int(r))
}

// Degree is GossipSub's mesh degree family, as in pubsub.GossipSubParams.
// Budget.Degree returns one that pubsub's own checks accept:
// Dlo <= D <= Dhi, Dscore <= D, Dout < Dlo and Dout < D/2.
type Degree struct {
	D      int // mesh size the heartbeat grafts up to and prunes down to
	Dlo    int // below this the heartbeat grafts back up to D
	Dhi    int // at or above this the heartbeat prunes to D; incoming GRAFTs are refused from here
	Dout   int // mesh peers kept on outbound connections when pruning
	Dscore int // mesh peers kept by score when pruning; the rest up to D are random
	Dlazy  int // peers outside the mesh sent IHAVE gossip every heartbeat
}

// maxDlazy is pubsub's default Dlazy, which the largest budgets keep.
const maxDlazy = 6

// MinViewerDegree is the smallest Dhi a viewer that can relay two copies or
// more gets. A mesh where every node has D = Dhi = 2 has no room for a
// GRAFT: a viewer whose neighbours' meshes are full is left to gossip
// repair, a heartbeat late. Dhi = 4 (D = 3, Dlo = 2) keeps a slot open; a
// viewer whose cap cannot carry three copies still never sends more than
// its cap (Budget.Oversubscribed reports it), and its neighbours get what
// it drops from their other mesh peers.
//
// A viewer that can relay at most one copy (LeafCopies) is a leaf
// instead: D = Dlo = Dhi = MinDegree, so it passes each chunk on to one
// peer at most, and only if that peer has not got it elsewhere first
// (SkipHeld). Held up to 4, such viewers sat in the middle of the mesh
// with a second of chunks queued behind their uplink; in the swarm's 2008
// mix, with a third of viewers on 1× uplinks, making them leaves took
// continuity from 84% to 94% on one topology (98.5% to 98.9% on another).
// The same for 3× viewers, which carry two copies, cut the mesh's
// backbone: 40% and 93%.
const MinViewerDegree = 4

// LeafCopies is the most copies a viewer's budget may carry and still be
// a leaf (see MinViewerDegree).
const LeafCopies = 1

// Degree returns the mesh degree for a node with budget b relaying a stream
// of bitrate bytes per second in the given role. See the package
// documentation for the formula and a table. It is a pure function of its
// arguments and non-decreasing in b.Upload.
func (b Budget) Degree(bitrate int64, role Role) Degree {
	c := b.Copies(bitrate)
	hi := c
	if role != RoleSource {
		// The peer a chunk came from does not get it back.
		hi = c + 1
	}
	leaf := b.leaf(bitrate, role)
	floor := MinDegree
	if role != RoleSource && !leaf {
		floor = MinViewerDegree
	}
	hi = min(max(hi, floor), MaxDegree)
	d := shrink(hi)
	lo := shrink(d)
	lazy := min(hi, maxDlazy)
	if leaf || role != RoleSource && b.Upload > 0 && hi-1 > c {
		// A leaf, or an oversubscribed viewer (held up by
		// MinViewerDegree), has no upload to spare for the IWANTs its IHAVEs invite: answered late
		// or not at all, they only made its neighbours wait and ask
		// again. In the swarm's 2008 mix, gossip from fibre viewers alone
		// took continuity from 34% to 84% on one topology and from 96% to
		// 98% on another.
		lazy = 0
	}
	if role == RoleSource {
		// The source's uplink is the stream's first bottleneck. Gossip
		// from it invites IWANTs for chunks still on their way down the
		// mesh, and each answer is one more full copy from the source:
		// measured in the swarm, that added 2.5 copies per chunk to 5
		// pushed. Repair comes from viewers instead.
		lazy = 0
	}
	return Degree{
		D:      d,
		Dlo:    lo,
		Dhi:    hi,
		Dout:   max(0, min(lo-1, d/2-1)),
		Dscore: 2 * d / 3,
		Dlazy:  lazy,
	}
}

// Weak reports whether budget b carries less than one whole copy of a
// stream of bitrate bytes per second: a viewer that cannot feed another
// one, and keeps such peers out of its mesh (Uplinks.WeakViewerScore).
func (b Budget) Weak(bitrate int64) bool { return b.Copies(bitrate) < 1 }

// leaf reports whether a viewer with budget b is a leaf of the mesh (see
// MinViewerDegree): its cap carries at most LeafCopies copies.
func (b Budget) leaf(bitrate int64, role Role) bool {
	return role != RoleSource && b.Upload != 0 && b.Copies(bitrate) <= LeafCopies
}

// shrink steps down by a quarter (at least one), never below MinDegree. It
// gives D from Dhi, leaving room for incoming GRAFTs between heartbeats, and
// Dlo from D, so the heartbeat regrafts once the mesh has lost about a
// quarter of D rather than on every departure. At MinDegree the three are
// equal and any loss is replaced at the next heartbeat.
func shrink(x int) int {
	if x <= MinDegree {
		return x
	}
	return max(MinDegree, x-max(1, x/4))
}
