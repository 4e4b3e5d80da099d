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

// Asked reports whether this node asked for the chunk with message ID id
// by IWANT within IWantRetry. Only a Limiter with SkipHeld records what it
// asks for; without it Asked is always false. Monitor.SetAsked takes it.
func (l *Limiter) Asked(id string) bool { return l.asked.within(id) }

// asked records which chunks this node asked for by IWANT, and when.
type asked struct {
	mu    sync.Mutex
	ids   map[[messageIDSize]byte]time.Time
	swept time.Time
}

// within reports whether id was asked for within IWantRetry.
func (a *asked) within(id string) bool {
	if len(id) != messageIDSize {
		return false
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	at, ok := a.ids[[messageIDSize]byte([]byte(id))]
	return ok && time.Since(at) <= IWantRetry
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
	if at, ok := a.ids[key]; ok && now.Sub(at) <= IWantRetry {
		return true
	}
	if a.ids == nil {
		a.ids = make(map[[messageIDSize]byte]time.Time)
	}
	if len(a.ids) >= MaxAsked && now.Sub(a.swept) >= heldSweepEvery {
		for k, at := range a.ids {
			if now.Sub(at) > IWantRetry {
				delete(a.ids, k)
			}
		}
		a.swept = now
	}
	if len(a.ids) < MaxAsked {
		a.ids[key] = now
	}
	return false
}
