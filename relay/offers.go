package relay

import (
	"math"
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
)

// Lazy push (see LazyPush).
const (
	// OfferMatch is how long after this node offers a peer a chunk (a copy
	// or an IHAVE) an IDONTWANT for it from that peer still counts as the
	// peer having had it from someone else first: longer than the skew
	// between two relays' copies of one chunk, which is what a mesh race
	// is, and than a copy queues (QueueDelay).
	OfferMatch = 2 * time.Second
	// OfferHalfLife is how fast a peer's record forgets: a tree the stream
	// took a few seconds ago says little about the one it takes now, when
	// viewers come and go, but a few dozen chunks are needed before one
	// peer's share means anything.
	OfferHalfLife = 3 * time.Second
	// OfferMinSamples is how many offers (decayed) a peer's record must
	// hold before LazyPush may announce to it instead of sending: a
	// newly grafted peer gets copies first, and so does one that has just
	// asked by IWANT (Offers.Want). Those copies are most of the
	// duplicates left (DuplicateCauses.Crossed). On the swarm's quick
	// preset (30 s, seeds 2 to 7) 3 took the mean download from 1.31 to
	// 1.27 copies and crossed copies from 0.11 to 0.07 a chunk, and 16
	// raised them to 1.38 and 0.16 (seeds 2 and 3), at about the same
	// continuity; but on the seed preset (seed 1, 60 s) 3 played 99.44%
	// against 99.59%, with latency p99 1.61 s against 1.43 s, for 0.01
	// copies less.
	OfferMinSamples = 8
	// OffersPerPeer is the most offered chunk IDs kept per peer: OfferMatch
	// of chunks at MaxBitrate in MinChunkSize chunks (122), with room.
	OffersPerPeer = 256
)

// Offers records, for each peer, the chunks this node offered it and how
// many of those it turned out to have had from another peer first: it sent
// an IDONTWANT for the chunk after the offer. pubsub sends an IDONTWANT to
// every mesh peer but the one it got the chunk from, so a peer that keeps
// telling this node IDONTWANT for chunks it was just offered is fed by
// someone faster; this node's copies to it are mesh races that a later
// check cannot stop. LazyPush announces chunks to such a peer rather than
// sending them.
//
// Monitor fills the IDONTWANT and IWANT side from the router's trace; the
// Limiter's LazyPush records the offers. The record holds, per peer, at
// most OffersPerPeer offered IDs, each for OfferMatch, and MaxIHaveLength
// asked-for IDs, each for HeldTTL, for at most HeldPeers peers; Forget
// drops a peer. The zero Offers is ready to use; its methods are safe for
// concurrent use.
type Offers struct {
	mu    sync.Mutex
	peers map[peer.ID]*offered
}

type offered struct {
	ids   idRecord // chunks offered, for OfferMatch
	wants idRecord // chunks the peer asked for by IWANT, for HeldTTL
	// offers counts offers (n) and those the peer had had elsewhere
	// first (hits).
	offers decayingShare
}

func (o *offered) lastSeen() time.Time {
	if o.wants.latest.After(o.ids.latest) {
		return o.wants.latest
	}
	return o.ids.latest
}

// decayingShare counts events, and those of them that turned out one way
// (hits), both halving every OfferHalfLife: a share of the last few
// seconds. Its owner holds the lock.
type decayingShare struct {
	n, hits float64
	at      time.Time // as of when n and hits are
}

// decay brings the counts forward to now.
func (d *decayingShare) decay(now time.Time) {
	if d.at.IsZero() {
		d.at = now
	}
	if dt := now.Sub(d.at); dt > 0 {
		f := math.Exp2(-dt.Seconds() / OfferHalfLife.Seconds())
		d.n *= f
		d.hits *= f
	}
	d.at = now
}

// add counts one event now, and one hit if hit.
func (d *decayingShare) add(now time.Time, hit bool) {
	d.decay(now)
	d.n++
	if hit {
		d.hits++
	}
}

// share returns hits ÷ events as of now, and the events it rests on.
func (d *decayingShare) share(now time.Time) (share, samples float64) {
	d.decay(now)
	if d.n <= 0 {
		return 0, 0
	}
	return min(d.hits/d.n, 1), d.n
}

// record returns p's record, creating it if there is room. r.mu must be
// held.
func (r *Offers) record(p peer.ID, now time.Time) *offered {
	if r.peers == nil {
		r.peers = make(map[peer.ID]*offered)
	}
	o, ok := r.peers[p]
	if !ok {
		if !roomFor(r.peers, now) {
			return nil
		}
		o = &offered{}
		r.peers[p] = o
	}
	return o
}

// update runs f on p's record, created if there is room, under the lock.
func (r *Offers) update(p peer.ID, f func(o *offered, now time.Time)) {
	now := time.Now()
	r.mu.Lock()
	defer r.mu.Unlock()
	if o := r.record(p, now); o != nil {
		f(o, now)
	}
}

// Offer records that this node offered p the chunk with ID key now.
func (r *Offers) Offer(p peer.ID, key [messageIDSize]byte) {
	r.update(p, func(o *offered, now time.Time) { o.offer(now, key) })
}

func (o *offered) offer(now time.Time, key [messageIDSize]byte) {
	o.offers.add(now, false)
	o.ids.put(now, key, OfferMatch, OffersPerPeer)
}

// offerUnlessWanted is Wanted, then Offer if p did not ask for key, under
// one lock: the paced write asks both of every chunk to every peer.
func (r *Offers) offerUnlessWanted(p peer.ID, key [messageIDSize]byte) (wanted bool) {
	r.update(p, func(o *offered, now time.Time) {
		if wanted = o.wants.has(now, key, HeldTTL); !wanted {
			o.offer(now, key)
		}
	})
	return wanted
}

// Want records that p asked this node for the chunks ids by IWANT, so
// that the answers go out whole however lazily p is served, and clears
// p's share: a peer that has to ask is not being fed by someone faster
// (any more), so it gets copies again until OfferMinSamples new offers
// say otherwise. This is Plumtree's GRAFT on a missing message. Without
// it the share would fall only as fast as it decays, and when a relay
// high in the tree leaves, every viewer below it would pull each chunk,
// hop after hop, for seconds.
func (r *Offers) Want(p peer.ID, ids []string) {
	r.update(p, func(o *offered, now time.Time) {
		asked := false
		for _, id := range ids {
			if len(id) == messageIDSize {
				o.wants.put(now, [messageIDSize]byte([]byte(id)), HeldTTL, MaxIHaveLength)
				asked = true
			}
		}
		if asked {
			o.offers = decayingShare{}
		}
	})
}

// Wanted reports whether p asked for the chunk key within HeldTTL.
func (r *Offers) Wanted(p peer.ID, key [messageIDSize]byte) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	o, ok := r.peers[p]
	return ok && o.wants.has(time.Now(), key, HeldTTL)
}

// DontWant records p's IDONTWANT for the chunks ids: each one offered to p
// within OfferMatch counts as redundant, once.
func (r *Offers) DontWant(p peer.ID, ids []string) {
	now := time.Now()
	r.mu.Lock()
	defer r.mu.Unlock()
	o, ok := r.peers[p]
	if !ok {
		return
	}
	for _, id := range ids {
		if len(id) == messageIDSize && o.ids.take(now, [messageIDSize]byte([]byte(id)), OfferMatch) {
			o.offers.decay(now)
			o.offers.hits++
		}
	}
}

// Redundancy returns the share of recent offers to p that p had had from
// another peer first, and how many offers (decayed) that share rests on.
func (r *Offers) Redundancy(p peer.ID) (share, samples float64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	o, ok := r.peers[p]
	if !ok {
		return 0, 0
	}
	return o.offers.share(time.Now())
}

// Forget drops p's record, when p disconnects.
func (r *Offers) Forget(p peer.ID) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.peers, p)
}
