package relay

import (
	"sync"
	"sync/atomic"

	"github.com/libp2p/go-libp2p/core/peer"
)

// The source's choice of mesh peers (see Uplinks.SourceScore).
const (
	// FeedMinCopies is the fewest copies of the stream a viewer's budget
	// must carry for a source to feed it: one to keep, Dhi-1 to pass on
	// with a mesh of at least 3. A viewer that can pass on fewer turns the
	// source's scarce copies into a trickle for everyone below it.
	FeedMinCopies = 2
	// FeedStrongCopies is as high as FeedStrongest raises the bar: a
	// peer announcing this many copies stays fit to feed, however many
	// claim more. Without it two peers claiming MaxAnnouncedCopies
	// would keep every honest viewer out of a source's mesh of two and
	// take the stream down with them (0% continuity in the swarm's
	// quick preset with 10% attackers); with it they compete with every
	// honest peer this strong. Four is twice FeedMinCopies and half the 8
	// copies a 10× line announces under a 90% cap, so 10× and 3× lines
	// still differ. The bar also needs 2·d peers to clear it: with no
	// honest peer this strong, d claims would otherwise be all that
	// clears it (0% again, with every viewer on a 3× line).
	FeedStrongCopies = 4
	// MaxAnnouncedCopies bounds what a peer may claim; more is read as
	// this much.
	MaxAnnouncedCopies = 64
	// weakFeedScore is the application score a source gives a viewer too
	// weak to feed, and a weak viewer gives another, while enough strong
	// ones are connected: below every
	// positive score a topic can add (TopicScoreCap), so the peer is pruned
	// and its GRAFTs refused, yet far above GossipThreshold, so nothing
	// else about the peer changes.
	weakFeedScore = -(TopicScoreCap + 1)
)

// Uplinks records the relay capacity each connected peer announced: how
// many whole copies of the stream its budget carries (Budget.Copies). The
// node fills it from its peers' announcements (peer.Node does so over
// /gridcast/uplink) and forgets a peer when it disconnects. An announcement
// is a claim, not a measurement; see SourceScore for what a false one can
// cost.
//
// Its methods are safe for concurrent use.
type Uplinks struct {
	mu     sync.Mutex
	copies map[peer.ID]int
	// strongest has SourceScore keep to the d strongest peers.
	strongest atomic.Bool
}

// FeedStrongest has SourceScore feed only the strongest peers known: those
// that announced at least as many copies as the d-th strongest, or
// FeedStrongCopies if that is fewer, and at least FeedMinCopies. The bar
// is raised only while at least 2·d peers clear it; otherwise, and with
// fewer than d peers at FeedMinCopies, SourceScore scores as without it.
// It is off in a new Uplinks; peer.Node turns it on by default
// (peer.DefaultFeedStrongest).
func (u *Uplinks) FeedStrongest(on bool) { u.strongest.Store(on) }

// Set records that p announced copies (clamped to [0, MaxAnnouncedCopies]).
func (u *Uplinks) Set(p peer.ID, copies int) {
	copies = min(max(copies, 0), MaxAnnouncedCopies)
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.copies == nil {
		u.copies = make(map[peer.ID]int)
	}
	u.copies[p] = copies
}

// Forget drops p's announcement.
func (u *Uplinks) Forget(p peer.ID) {
	u.mu.Lock()
	defer u.mu.Unlock()
	delete(u.copies, p)
}

// Copies returns what p announced, and whether it did.
func (u *Uplinks) Copies(p peer.ID) (int, bool) {
	u.mu.Lock()
	defer u.mu.Unlock()
	c, ok := u.copies[p]
	return c, ok
}

// SourceScore returns the application-specific score function
// (PeerScoreParams.AppSpecificScore) of a source whose mesh holds d peers.
//
// While at least d connected peers announced FeedMinCopies or more, every
// other peer (weaker, or silent) scores weakFeedScore: pubsub prunes it from
// the source's mesh at the next heartbeat, refuses its GRAFTs and grafts
// only the strong, so the source's few copies go to viewers that pass them
// on. Weak viewers get the stream one hop further down. With fewer strong
// peers connected every peer scores 0 and the mesh forms as it would
// without this, so a swarm of weak viewers is still fed.
//
// A peer that claims a capacity it lacks can take one of the d places, as
// any peer could by grafting; scoring still prunes it for invalid chunks.
// Claims can take them all only if there are d of them and the source
// picks them all from the peers that clear the bar: with FeedStrongest,
// at least 2·d (see FeedStrongCopies).
func (u *Uplinks) SourceScore(d int) func(peer.ID) float64 {
	return func(p peer.ID) float64 { return u.feed(p, d, FeedMinCopies, u.strongest.Load()) }
}

// WeakViewerScore returns the application-specific score function of a
// viewer whose own budget carries less than one whole copy of the stream
// (Budget.Copies is 0: a weak viewer, such as a 1× ADSL line), with a mesh
// of d peers.
//
// A weak viewer cannot feed another one: a mesh peer that has its chunks
// from it has them late or not at all. Meshes are drawn at random, so left
// alone some weak viewers hold only weak mesh peers and starve together,
// each taking the other for a feeder, while the stream passes them by. So
// while at least d connected peers announced a whole copy or more, every
// other peer (as weak, or silent) scores weakFeedScore, as for a source
// (SourceScore): its mesh holds only peers that can feed it, and weak
// viewers hang off strong ones as leaves. They still pass chunks on to
// strong mesh peers, and, announced lazily (LazyPush), repair them. With
// fewer such peers connected every peer scores 0.
func (u *Uplinks) WeakViewerScore(d int) func(peer.ID) float64 {
	return u.feedScore(d, 1)
}

// feedScore scores weakFeedScore every peer that announced fewer than least
// copies, or none, while at least d peers announced least or more; 0
// otherwise.
func (u *Uplinks) feedScore(d, least int) func(peer.ID) float64 {
	return func(p peer.ID) float64 { return u.feed(p, d, least, false) }
}

// feed is feedScore's score of p, in one pass under the lock; with top,
// least rises to the d-th largest announcement, up to FeedStrongCopies.
// Announcements are clamped to [0, MaxAnnouncedCopies], so a count per
// value ranks them without sorting or allocating on every score.
func (u *Uplinks) feed(p peer.ID, d, least int, top bool) float64 {
	u.mu.Lock()
	defer u.mu.Unlock()
	var count [MaxAnnouncedCopies + 1]int
	for _, c := range u.copies {
		count[c]++
	}
	if top && d > 0 {
		bar := min(nthLargest(&count, d), FeedStrongCopies)
		// Raised only while twice d peers clear it, so that d peers
		// claiming more than they have cannot be all that clears it.
		if bar >= 0 && nthLargest(&count, 2*d) >= bar {
			least = max(least, bar)
		}
	}
	if c, ok := u.copies[p]; ok && c >= least {
		return 0
	}
	strong := 0
	for c := least; c <= MaxAnnouncedCopies; c++ {
		strong += count[c]
	}
	if strong < d {
		return 0
	}
	return weakFeedScore
}

// nthLargest returns the n-th largest announcement counted in count, or
// -1 if fewer than n were.
func nthLargest(count *[MaxAnnouncedCopies + 1]int, n int) int {
	for c := MaxAnnouncedCopies; c >= 0; c-- {
		if n -= count[c]; n <= 0 {
			return c
		}
	}
	return -1
}
