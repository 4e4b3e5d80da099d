package relay

import (
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
)

// Bounds of a Held record.
const (
	// HeldTTL is how long a peer is taken to still hold a chunk it showed
	// it had: longer than a mesh write queues (QueueDelay) and than a
	// repair answer waits for spare upload (SpareWait), so a copy that
	// waited that long is still checked, and longer than the message cache
	// (HistoryLength heartbeats), past which nobody sends the chunk anyway.
	HeldTTL = SpareWait + time.Second
	// HeldPerPeer is the most chunk IDs kept per peer. An honest peer shows
	// a node about one ID per chunk per HeldTTL (its IDONTWANT, its copy,
	// its IHAVEs repeat the same IDs): 60 at 300 kbit/s in 4 KiB chunks,
	// 366 at MaxBitrate. A peer advertising made-up IDs only fills its own
	// record, and only spares itself copies.
	HeldPerPeer = 512
	// HeldPeers is the most peers a Held keeps records for: well above the
	// connections a node keeps (peer.DefaultConnHigh, 64), so it only
	// bites if records of departed peers were never forgotten.
	HeldPeers = 1024
)

// Held records which chunks each peer is known to hold, because it said so
// (IDONTWANT, IHAVE) or sent the chunk itself, so that a copy waiting for
// upload is not sent to a peer that has since got it from someone else.
// Monitor fills it from the router's trace; Limiter's SkipHeld reads it
// when a write is about to go out.
//
// IDs are MessageID values (32 bytes); others are ignored. Each peer's
// record holds at most HeldPerPeer IDs, each for HeldTTL, and at most
// HeldPeers peers have one; Forget drops a peer's record. Its methods are
// safe for concurrent use.
type Held struct {
	mu    sync.Mutex
	peers map[peer.ID]*idRecord
}

// heldSweepEvery is the shortest time between sweeps of a full record.
const heldSweepEvery = 100 * time.Millisecond

// messageIDSize is the length of a MessageID.
const messageIDSize = 32

// NewHeld returns an empty record. The zero Held is also ready to use.
func NewHeld() *Held { return &Held{} }

// Add records that p holds the chunk with message ID id, now.
func (h *Held) Add(p peer.ID, id string) {
	if len(id) != messageIDSize {
		return
	}
	h.add(p, time.Now(), [messageIDSize]byte([]byte(id)))
}

// add records key for p at now. It takes the mutex.
func (h *Held) add(p peer.ID, now time.Time, key [messageIDSize]byte) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.peers == nil {
		h.peers = make(map[peer.ID]*idRecord)
	}
	r, ok := h.peers[p]
	if !ok {
		if !roomFor(h.peers, now) {
			return // every record is live: this peer goes unrecorded
		}
		r = &idRecord{}
		h.peers[p] = r
	}
	r.put(now, key, HeldTTL, HeldPerPeer)
}

// Holds reports whether p was recorded holding the chunk whose ID is key
// within the last HeldTTL.
func (h *Held) Holds(p peer.ID, key [messageIDSize]byte) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	r, ok := h.peers[p]
	if !ok {
		return false
	}
	return r.has(time.Now(), key, HeldTTL)
}

// Forget drops p's record, when p disconnects.
func (h *Held) Forget(p peer.ID) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.peers, p)
}

// Peers returns how many peers have a record, for tests and stats.
func (h *Held) Peers() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.peers)
}

// Asking for chunks by IWANT (see SkipHeld).
const (
	// IWantRetry is how long after asking one peer for a chunk a node does
	// not ask another: pubsub asks every peer that advertises a chunk it
	// lacks, so without this one missing chunk draws a copy from each. A
	// live chunk asked for later than this is unlikely to play in time
	// from the first answer, so a second asking is worth its copy.
	IWantRetry = time.Second
	// MaxAsked is the most chunk IDs a node remembers asking for: IWantRetry
	// of IWANTs at MaxIHaveLength IDs per peer per heartbeat from 16 peers
	// is far more than a live stream needs.
	MaxAsked = 4096
)

// Asked reports whether an IWANT this node wrote within IWantRetry asked
// for the chunk with message ID id. A pull DeferPulls held back counts
// from when it is sent, and not at all if the chunk came meanwhile; an
// IWANT pubsub sends in the same RPC as chunks is not seen. Only a Limiter
// with SkipHeld records pulls; without it Asked is always false. It is
// safe for concurrent use and does not block: Monitor.SetAsked takes it.
func (l *Limiter) Asked(id string) bool { return l.asked.sentWithin(id) }

// asked records which chunks this node asked for by IWANT, and when: ids
// from when an IWANT named them, even if DeferPulls then held them back
// (so that no other peer is asked meanwhile), sent from when they went
// out. Each holds at most MaxAsked IDs, each for IWantRetry.
type asked struct {
	mu        sync.Mutex
	ids, sent idRecord
}

// sentWithin reports whether an IWANT for id went out within IWantRetry.
func (a *asked) sentWithin(id string) bool {
	if len(id) != messageIDSize {
		return false
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.sent.has(time.Now(), [messageIDSize]byte([]byte(id)), IWantRetry)
}

// markSent records that IWANTs for ids go out now.
func (a *asked) markSent(ids ...string) {
	now := time.Now()
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, id := range ids {
		if len(id) == messageIDSize {
			a.sent.put(now, [messageIDSize]byte([]byte(id)), IWantRetry, MaxAsked)
		}
	}
}

// claim reports whether id was asked for within IWantRetry; if not, it
// records id as asked now and returns false, so the caller asks.
func (a *asked) claim(id string) bool {
	if len(id) != messageIDSize {
		return false
	}
	key := [messageIDSize]byte([]byte(id))
	now := time.Now()
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.ids.has(now, key, IWantRetry) {
		return true
	}
	a.ids.put(now, key, IWantRetry, MaxAsked)
	return false
}
