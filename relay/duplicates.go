package relay

import (
	"sync/atomic"
	"time"
)

// CrossingWindow is how soon after a chunk's first copy another copy from
// a mesh peer counts as crossed: sent before the peer could have heard
// this node's IDONTWANT. It is about two one-way delays of a long home
// link plus a chunk's time on a slow uplink.
const CrossingWindow = 200 * time.Millisecond

// DuplicateCauses counts the duplicates a node received, all topics, by
// what most likely caused each. See Monitor.SetAsked.
type DuplicateCauses struct {
	// Pulled came while an IWANT this node sent for the chunk within
	// IWantRetry was out (Limiter.Asked): the answer and an eager copy
	// both came.
	Pulled uint64
	// Crossed came from a mesh peer within CrossingWindow of the first
	// copy: two relays that got the chunk at about the same time passed it
	// to each other. Lazy push is what keeps these down.
	Crossed uint64
	// Late came from a mesh peer after CrossingWindow: a copy that queued
	// or crawled on a slow uplink after the peer was told.
	Late uint64
	// Other came from a peer outside the mesh, or after this node had
	// forgotten the first copy (SeenTTL).
	Other uint64
}

// duplicateCounters are DuplicateCauses as atomics.
type duplicateCounters struct {
	pulled, crossed, late, other atomic.Uint64
}

func (d *duplicateCounters) load() DuplicateCauses {
	return DuplicateCauses{Pulled: d.pulled.Load(), Crossed: d.crossed.Load(), Late: d.late.Load(), Other: d.other.Load()}
}

// SetAsked gives the Monitor asked, which reports whether this node asked
// for a chunk by IWANT lately (Limiter.Asked; peer.Node wires it), so that
// RPCStats can tell duplicates that came while a pull was out. Without it
// none are counted as Pulled. asked is called on pubsub's event loop and
// its validation goroutines, so it must be quick, must not block, and must
// be safe for concurrent use. SetAsked may be called while the router runs.
func (m *Monitor) SetAsked(asked func(id string) bool) {
	if asked == nil {
		m.asked.Store(nil)
		return
	}
	m.asked.Store(&asked)
}

// countDuplicate records the cause of a duplicate of id from a mesh peer
// (inMesh) or another.
func (m *Monitor) countDuplicate(id string, inMesh bool) {
	if asked := m.asked.Load(); asked != nil && (*asked)(id) {
		m.dups.pulled.Add(1)
		return
	}
	first, ok := m.seen.At(id)
	switch {
	case !inMesh || !ok:
		m.dups.other.Add(1)
	case time.Since(first) < CrossingWindow:
		m.dups.crossed.Add(1)
	default:
		m.dups.late.Add(1)
	}
}
