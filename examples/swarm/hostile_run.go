package main

import (
	"context"
	"math"
	"slices"

	"github.com/gridcast/gridcast/peer"
	"github.com/gridcast/gridcast/relay"
	libp2ppeer "github.com/libp2p/go-libp2p/core/peer"
)

// HostileReport is what happened to one behaviour's peers, as seen by the
// honest viewers present at the end of the run.
type HostileReport struct {
	Kind  string `json:"kind"`
	Peers int    `json:"peers"`
	// Scores are the hostile peers' GossipSub scores at honest viewers
	// that still track them (min, mean, max; 0 when none does).
	ScoreMin  float64 `json:"score_min"`
	ScoreMean float64 `json:"score_mean"`
	ScoreMax  float64 `json:"score_max"`
	// Graylisted counts (honest viewer, hostile peer) pairs with the peer
	// under the graylist threshold: every RPC from it is ignored.
	Graylisted int `json:"graylisted_pairs"`
	// InMesh counts pairs with the hostile peer in the viewer's mesh at
	// the end; Connected counts pairs still connected.
	InMesh    int `json:"in_honest_meshes"`
	Connected int `json:"connected_honest"`
	// InSourceMesh counts the hostile peers in the source's mesh at the
	// end (the black hole claims to be the strongest relay there is).
	InSourceMesh int `json:"in_source_mesh"`
	// Grafts and Prunes are the GRAFTs and PRUNEs the hostile peers
	// received over the run: honest viewers taking them into a mesh and
	// throwing them out.
	Grafts uint64 `json:"grafts_received"`
	Prunes uint64 `json:"prunes_received"`
	// Sent counts the RPCs (or bad frames) they sent; StreamResets the
	// streams honest routers reset on them.
	Sent         uint64 `json:"rpcs_sent"`
	StreamResets uint64 `json:"stream_resets"`
}

// hostileCount is how many of the workload's peers are hostile.
func (w Workload) hostileCount() int {
	return int(math.Round(w.Hostile * float64(w.Viewers)))
}

// startHostiles starts the run's hostile peers, behaviours in turn, each
// dialling the source and Dials present viewers. Attackers get uplinks of
// 10× the bitrate.
func (r *runner) startHostiles(ctx context.Context) error {
	n := r.w.hostileCount()
	if n == 0 || r.mode == ModeClientServer {
		return nil
	}
	source := libp2ppeer.AddrInfo{ID: r.src.host().ID(), Addrs: r.src.host().Addrs()}
	for i := range n {
		h, err := r.net.newHost(10*r.w.Bitrate, int64(r.w.Downlink*float64(r.w.Bitrate)))
		if err != nil {
			return err
		}
		hp, err := newHostilePeer(hostileKinds[i%len(hostileKinds)], h, r.channel, r.w.ChunkEvery, r.w.ChunkSize())
		if err != nil {
			h.Close()
			return err
		}
		targets := []libp2ppeer.AddrInfo{source}
		r.mu.Lock()
		for _, j := range r.rng.Perm(len(r.members))[:min(r.w.Dials, len(r.members))] {
			if mh := r.members[j].host(); mh != nil {
				targets = append(targets, libp2ppeer.AddrInfo{ID: mh.ID(), Addrs: mh.Addrs()})
			}
		}
		r.hostiles = append(r.hostiles, hp)
		r.mu.Unlock()
		hp.join(ctx, targets)
	}
	return nil
}

// hostileTargets are the hostile peers as dial targets for honest
// joiners: to a viewer, an attacker is just another peer in the swarm.
func (r *runner) hostileTargets() []libp2ppeer.AddrInfo {
	out := make([]libp2ppeer.AddrInfo, 0, len(r.hostiles))
	for _, hp := range r.hostiles {
		out = append(out, libp2ppeer.AddrInfo{ID: hp.h.ID(), Addrs: hp.h.Addrs()})
	}
	return out
}

// hostileReport looks at each hostile peer from every honest viewer
// present.
func (r *runner) hostileReport() []HostileReport {
	r.mu.Lock()
	hostiles := slices.Clone(r.hostiles)
	r.mu.Unlock()
	if len(hostiles) == 0 {
		return nil
	}
	type honest struct {
		node *peer.Node
		mesh []libp2ppeer.ID
	}
	var viewers []honest
	for _, n := range r.liveNodes() {
		viewers = append(viewers, honest{n, n.Monitor().MeshPeers(r.channel.Topic())})
	}
	var sourceMesh []libp2ppeer.ID
	if s, ok := r.src.(*pubsubSource); ok {
		sourceMesh = s.node.Monitor().MeshPeers(r.channel.Topic())
	}
	byKind := map[string]*HostileReport{}
	scores := map[string][]float64{}
	for _, hp := range hostiles {
		rep := byKind[hp.kind]
		if rep == nil {
			rep = &HostileReport{Kind: hp.kind}
			byKind[hp.kind] = rep
		}
		rep.Peers++
		rep.Grafts += hp.grafts.Load()
		rep.Prunes += hp.prunes.Load()
		rep.Sent += hp.sent.Load()
		rep.StreamResets += hp.resets.Load()
		id := hp.h.ID()
		if slices.Contains(sourceMesh, id) {
			rep.InSourceMesh++
		}
		for _, v := range viewers {
			if s, ok := v.node.Monitor().Score(id); ok {
				scores[hp.kind] = append(scores[hp.kind], s)
				if s < relay.GraylistThreshold {
					rep.Graylisted++
				}
			}
			if slices.Contains(v.mesh, id) {
				rep.InMesh++
			}
			if len(v.node.Host().Network().ConnsToPeer(id)) > 0 {
				rep.Connected++
			}
		}
	}
	var out []HostileReport
	for _, kind := range hostileKinds {
		rep := byKind[kind]
		if rep == nil {
			continue
		}
		if s := scores[kind]; len(s) > 0 {
			rep.ScoreMin, rep.ScoreMax = slices.Min(s), slices.Max(s)
			rep.ScoreMean = mean(s)
		}
		out = append(out, *rep)
	}
	return out
}

func (r *runner) closeHostiles() {
	r.mu.Lock()
	hostiles := r.hostiles
	r.hostiles = nil
	r.mu.Unlock()
	for _, hp := range hostiles {
		hp.Close()
	}
}
