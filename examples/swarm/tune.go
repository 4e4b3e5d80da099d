package main

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gridcast/gridcast/peer"
	pubsub "github.com/libp2p/go-libp2p-pubsub"
)

// Tune overrides router parameters in gridcast mode, to measure one relay
// lever at a time without rebuilding: scope → parameter → value. A scope is
// "all", a role ("source", "viewer") or an uplink class name ("adsl").
// Later, narrower scopes win: all, then the role, then the class.
type Tune map[string]map[string]int

// tuneParams are the GossipSubParams fields -tune can set.
var tuneParams = map[string]func(*pubsub.GossipSubParams, int){
	"D":      func(p *pubsub.GossipSubParams, v int) { p.D = v },
	"Dlo":    func(p *pubsub.GossipSubParams, v int) { p.Dlo = v },
	"Dhi":    func(p *pubsub.GossipSubParams, v int) { p.Dhi = v },
	"Dout":   func(p *pubsub.GossipSubParams, v int) { p.Dout = v },
	"Dscore": func(p *pubsub.GossipSubParams, v int) { p.Dscore = v },
	"Dlazy":  func(p *pubsub.GossipSubParams, v int) { p.Dlazy = v },
	// history is HistoryGossip in heartbeats; the cache keeps two more.
	"history": func(p *pubsub.GossipSubParams, v int) {
		p.HistoryGossip, p.HistoryLength = v, v+2
	},
	"idontwant": func(p *pubsub.GossipSubParams, v int) { p.IDontWantMessageThreshold = v },
	// gossipfactor is GossipFactor in percent: the share of non-mesh peers
	// that get IHAVE each heartbeat, when more than Dlazy.
	"gossipfactor": func(p *pubsub.GossipSubParams, v int) { p.GossipFactor = float64(v) / 100 },
	// backoff is PruneBackoff in seconds. The graft-flood threshold follows
	// it down, so a GRAFT sent as the shorter backoff ends is not punished.
	"backoff": func(p *pubsub.GossipSubParams, v int) {
		p.PruneBackoff = time.Duration(v) * time.Second
		p.GraftFloodThreshold = min(p.GraftFloodThreshold, p.PruneBackoff)
	},
	// opgraft is OpportunisticGraftTicks; 0 turns opportunistic grafting off.
	"opgraft": func(p *pubsub.GossipSubParams, v int) {
		if v <= 0 {
			v = 1 << 30
		}
		p.OpportunisticGraftTicks = uint64(v)
	},
}

// tuneNodeParams are the node settings -tune can set, beside the router's:
// switches (0 off, 1 on) and the upload burst.
var tuneNodeParams = map[string]func(v int) peer.Option{
	"skipheld": func(v int) peer.Option { return peer.WithSkipHeld(v != 0) },
	"uplinks":  func(v int) peer.Option { return peer.WithUplinkExchange(v != 0) },
	// lazy is the lazy-push share in percent (0: off; see peer.WithLazyPush).
	"lazy": func(v int) peer.Option { return peer.WithLazyPush(float64(v) / 100) },
	// pulldelay is how long a viewer holds back an IWANT, in milliseconds
	// (0: asks at once; see peer.WithPullDelay).
	"pulldelay": func(v int) peer.Option { return peer.WithPullDelay(time.Duration(v) * time.Millisecond) },
	// lead is how much sooner a lazy mesh peer's announcements must come
	// than the eager feeder's copies for a viewer to switch, in
	// milliseconds (0: off; see peer.WithFeederLead).
	"lead": func(v int) peer.Option { return peer.WithFeederLead(time.Duration(v) * time.Millisecond) },
	// meshping is how long a mesh peer may be silent before it is pinged,
	// in milliseconds (0: off; see peer.WithMeshPing).
	"meshping": func(v int) peer.Option { return peer.WithMeshPing(time.Duration(v) * time.Millisecond) },
	// feedtop has a source feed only its strongest peers (0 or 1; see
	// peer.WithFeedStrongest).
	"feedtop": func(v int) peer.Option { return peer.WithFeedStrongest(v != 0) },
	// burst is the upload limiter's burst in bytes (0: relay's default).
	"burst": func(v int) peer.Option { return peer.WithUploadBurst(int64(v)) },
}

// parseTune reads "scope.param=value,...", e.g. "viewer.Dlazy=0,source.D=3".
func parseTune(s string) (Tune, error) {
	t := Tune{}
	for item := range strings.SplitSeq(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		key, value, ok := strings.Cut(item, "=")
		scope, param, dotted := strings.Cut(key, ".")
		if !ok || !dotted || scope == "" {
			return nil, fmt.Errorf("-tune %q: want scope.param=value", item)
		}
		_, router := tuneParams[param]
		_, node := tuneNodeParams[param]
		if !router && !node {
			known := append(slices.Collect(maps.Keys(tuneParams)), slices.Collect(maps.Keys(tuneNodeParams))...)
			slices.Sort(known)
			return nil, fmt.Errorf("-tune %q: unknown parameter %q (have %s)", item, param, strings.Join(known, ", "))
		}
		v, err := strconv.Atoi(value)
		if err != nil || v < 0 {
			return nil, fmt.Errorf("-tune %q: value must be a whole number >= 0", item)
		}
		if t[scope] == nil {
			t[scope] = map[string]int{}
		}
		t[scope][param] = v
	}
	return t, nil
}

// apply returns p with the router overrides for the given scopes, in
// order, and whether any applied.
func (t Tune) apply(p pubsub.GossipSubParams, scopes ...string) (pubsub.GossipSubParams, bool) {
	changed := false
	for _, scope := range scopes {
		for param, v := range t[scope] {
			if set, ok := tuneParams[param]; ok {
				set(&p, v)
				changed = true
			}
		}
	}
	return p, changed
}

// nodeOptions returns the node overrides for the given scopes, in order:
// later options win.
func (t Tune) nodeOptions(scopes ...string) []peer.Option {
	var opts []peer.Option
	for _, scope := range scopes {
		for _, param := range slices.Sorted(maps.Keys(t[scope])) {
			if opt, ok := tuneNodeParams[param]; ok {
				opts = append(opts, opt(t[scope][param]))
			}
		}
	}
	return opts
}

// String is the canonical form, sorted, for the report.
func (t Tune) String() string {
	var items []string
	for scope, params := range t {
		for param, v := range params {
			items = append(items, fmt.Sprintf("%s.%s=%d", scope, param, v))
		}
	}
	slices.Sort(items)
	return strings.Join(items, ",")
}
