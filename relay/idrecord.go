package relay

import (
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
)

// idRecord is a bounded set of chunk IDs, each with the time it was put,
// for one peer. Its owner holds the lock.
type idRecord struct {
	ids    map[[messageIDSize]byte]time.Time // ID → when put
	swept  time.Time                         // last sweep of expired IDs
	latest time.Time                         // last put
}

func (r *idRecord) lastSeen() time.Time { return r.latest }

// put records key at now, keeping at most limit IDs put within ttl. A full
// record is swept at most every heldSweepEvery, so that a flood of made-up
// IDs costs a map lookup each, not a sweep each; while it stays full of
// live IDs the newest go unrecorded.
func (r *idRecord) put(now time.Time, key [messageIDSize]byte, ttl time.Duration, limit int) {
	if r.ids == nil {
		r.ids = make(map[[messageIDSize]byte]time.Time)
		r.swept = now
	}
	r.latest = now
	if since := now.Sub(r.swept); since > ttl || len(r.ids) >= limit && since >= heldSweepEvery {
		r.sweep(now, ttl)
	}
	if len(r.ids) >= limit {
		return
	}
	r.ids[key] = now
}

// has reports whether key was put within ttl before now.
func (r *idRecord) has(now time.Time, key [messageIDSize]byte, ttl time.Duration) bool {
	_, ok := r.at(now, key, ttl)
	return ok
}

// at returns when key was put, and whether that was within ttl before now.
func (r *idRecord) at(now time.Time, key [messageIDSize]byte, ttl time.Duration) (time.Time, bool) {
	at, ok := r.ids[key]
	if !ok || now.Sub(at) > ttl {
		return time.Time{}, false
	}
	return at, true
}

// take is has, and removes key.
func (r *idRecord) take(now time.Time, key [messageIDSize]byte, ttl time.Duration) bool {
	ok := r.has(now, key, ttl)
	delete(r.ids, key)
	return ok
}

// sweep drops the IDs put more than ttl before now.
func (r *idRecord) sweep(now time.Time, ttl time.Duration) {
	for k, at := range r.ids {
		if now.Sub(at) > ttl {
			delete(r.ids, k)
		}
	}
	r.swept = now
}

// roomFor reports whether records may take one more peer: they hold fewer
// than HeldPeers, or do after the records idle for over HeldTTL are
// dropped. The bound only bites if departed peers were never forgotten.
func roomFor[R interface{ lastSeen() time.Time }](records map[peer.ID]R, now time.Time) bool {
	if len(records) < HeldPeers {
		return true
	}
	for q, r := range records {
		if now.Sub(r.lastSeen()) > HeldTTL {
			delete(records, q)
		}
	}
	return len(records) < HeldPeers
}
