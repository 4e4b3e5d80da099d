package main

import (
	"fmt"
	"maps"
	"strings"
	"time"

	libp2ppeer "github.com/libp2p/go-libp2p/core/peer"
)

// starvedLines describes, for -starved, up to n viewers that have played
// and still lack the chunk published three quarters of the deadline before
// t, with each one's mesh as that viewer's node sees it: every mesh peer's
// class, whether it holds the chunk, its share of this viewer's recent
// offers that the viewer had had elsewhere first (relay.Offers; 0 is fed
// eagerly) over how many offers, and whether the viewer is in its mesh
// too. A departed mesh peer shows as gone. It is how the weak viewers'
// islands (relay.Uplinks.WeakViewerScore) were found.
func (r *runner) starvedLines(t time.Time, n int) []string {
	age := r.w.Deadline * 3 / 4
	k := int64(t.Sub(r.started.Add(age)) / r.w.ChunkEvery)
	if n <= 0 || k < 0 {
		return nil
	}
	chunk := uint64(k)
	r.mu.Lock()
	present := make(map[libp2ppeer.ID]*pubsubMember, len(r.members))
	for _, m := range r.members {
		if pm, ok := m.(*pubsubMember); ok {
			if node := pm.peerNode(); node != nil {
				present[node.ID()] = pm
			}
		}
	}
	classes := maps.Clone(r.classes)
	r.mu.Unlock()

	var lines []string
	for id, m := range present {
		if len(lines) == n {
			break
		}
		node := m.peerNode()
		if node == nil || !m.rec.started() || m.rec.has(chunk) {
			continue
		}
		var b strings.Builder
		fmt.Fprintf(&b, "starved: %s(%s) lacks chunk %d at %.0fs; %d conns; mesh:", classes[id], shortID(id), chunk, t.Sub(r.started).Seconds(), len(node.Host().Network().Conns()))
		for _, p := range node.Monitor().MeshPeers(r.channel.Topic()) {
			pm, ok := present[p]
			if !ok || pm.peerNode() == nil {
				fmt.Fprintf(&b, " gone(%s)", shortID(p))
				continue
			}
			pn := pm.peerNode()
			share, offers := pn.Monitor().Offers().Redundancy(id)
			fmt.Fprintf(&b, " %s(%s has=%v lazy=%.2f/%.0f back=%v)", classes[p], shortID(p), pm.rec.has(chunk), share, offers, pn.Monitor().InMesh(id))
		}
		lines = append(lines, b.String())
	}
	return lines
}
