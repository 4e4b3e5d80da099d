package main

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gridcast/gridcast/broadcast"
	"github.com/gridcast/gridcast/internal/lru"
	pubsub "github.com/libp2p/go-libp2p-pubsub"
	libp2ppeer "github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"
)

// Latency grows with the number of relays a chunk passes and with how long
// each holds it. Neither shows in the viewers' latencies, so for every
// hopEvery-th chunk each viewer records which peer it first got the chunk
// from, and when: the chunk's delivery tree. A viewer's depth is its
// forwarder's plus one, the source's 0; a hop's delay is the viewer's
// arrival less its forwarder's (the publish time for the source), which
// takes in the forwarder's queue and upload, the link and the viewer's
// validation.
const hopEvery = 10

// maxHopDepth bounds the depth histogram; deeper arrivals count in its
// last bucket.
const maxHopDepth = 64

// HopReport is the delivery trees of the sampled chunks.
type HopReport struct {
	// Chunks is how many chunks were sampled; Arrivals how many first
	// arrivals they had, and Unlinked how many of those came from a peer
	// with no arrival of its own (a hostile peer, say), which have no depth.
	Chunks   int `json:"chunks"`
	Arrivals int `json:"arrivals"`
	Unlinked int `json:"unlinked"`
	// Depth is the hops from the source, as p50, p95 and p99.
	Depth Quantiles `json:"depth"`
	// DelayMs is one hop's delay, and HeldMs that delay less the link's
	// one-way latency: what the chunk spent at the forwarder (its queues
	// and upload) and the receiver (its downlink and validation).
	// ByForwarder splits them by the uplink class of the peer that
	// forwarded ("source" for the first hop).
	DelayMs     Quantiles            `json:"delay_ms"`
	HeldMs      Quantiles            `json:"held_ms"`
	ByForwarder map[string]HopDelays `json:"by_forwarder,omitempty"`
}

// HopDelays is the delay of the hops one class of forwarder made: all of
// them, and those that answered the receiver's IWANT (a pull).
type HopDelays struct {
	Hops          uint64    `json:"hops"`
	DelayMs       Quantiles `json:"delay_ms"`
	HeldMs        Quantiles `json:"held_ms"`
	Pulled        uint64    `json:"pulled"`
	PulledDelayMs Quantiles `json:"pulled_delay_ms"`
}

// hopTracer is a viewer's pubsub tracer that records its first arrival of
// each sampled chunk in the mode's tree. pubsub calls DeliverMessage once
// per message, after validation and before forwarding it.
type hopTracer struct {
	tree  *hopTree
	self  libp2ppeer.ID
	class string

	// asked is whom pubsub last sent an IWANT for each message ID, for
	// the last maxAsked IDs. A chunk that first arrives from the peer it
	// was asked of is a pull. (The write path may hold an IWANT back and
	// drop it; a chunk whose push won that race came from a mesh peer,
	// which was not asked.)
	mu    sync.Mutex
	asked *lru.Cache[string, libp2ppeer.ID]
}

const maxAsked = 1024

func (h *hopTracer) DeliverMessage(msg *pubsub.Message) {
	c, ok := msg.ValidatorData.(broadcast.Chunk)
	if !ok {
		return
	}
	idx, published, ok := readRecord(c.Payload)
	if !ok || idx%hopEvery != 0 || !authentic(c.Payload) {
		return
	}
	h.mu.Lock()
	from, asked := h.asked.Get(msg.ID)
	h.mu.Unlock()
	pulled := asked && from == msg.ReceivedFrom
	h.tree.arrive(idx, published, h.self, msg.ReceivedFrom, h.class, pulled, time.Now())
}

func (h *hopTracer) SendRPC(rpc *pubsub.RPC, p libp2ppeer.ID) {
	iwants := rpc.GetControl().GetIwant()
	if len(iwants) == 0 {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, w := range iwants {
		for _, id := range w.GetMessageIDs() {
			h.asked.Put(id, p)
		}
	}
}

func (*hopTracer) AddPeer(libp2ppeer.ID, protocol.ID)                         {}
func (*hopTracer) RemovePeer(libp2ppeer.ID)                                   {}
func (*hopTracer) OnNewOutboundStream(libp2ppeer.ID, protocol.ID)             {}
func (*hopTracer) OnClosedOutboundStream(libp2ppeer.ID)                       {}
func (*hopTracer) Join(string)                                                {}
func (*hopTracer) Leave(string)                                               {}
func (*hopTracer) Graft(libp2ppeer.ID, string)                                {}
func (*hopTracer) Prune(libp2ppeer.ID, string)                                {}
func (*hopTracer) ValidateMessage(*pubsub.Message)                            {}
func (*hopTracer) RejectMessage(*pubsub.Message, string)                      {}
func (*hopTracer) DuplicateMessage(*pubsub.Message)                           {}
func (*hopTracer) ThrottlePeer(libp2ppeer.ID)                                 {}
func (*hopTracer) RecvRPC(*pubsub.RPC)                                        {}
func (*hopTracer) SendRPCCompleted(*pubsub.RPC, libp2ppeer.ID, time.Duration) {}
func (*hopTracer) DropRPC(*pubsub.RPC, libp2ppeer.ID)                         {}
func (*hopTracer) UndeliverableMessage(*pubsub.Message)                       {}

type hopArrival struct {
	from   libp2ppeer.ID
	at     time.Time
	class  string // the receiver's uplink class
	pulled bool
}

type hopChunk struct {
	published time.Time
	arrivals  map[libp2ppeer.ID]hopArrival
}

// hopTree collects the sampled chunks' arrivals and folds each finished
// chunk into histograms, so that a long run's records stay bounded.
type hopTree struct {
	source libp2ppeer.ID
	// link is the one-way latency between two peers, false if unknown.
	link func(a, b libp2ppeer.ID) (time.Duration, bool)

	mu     sync.Mutex
	chunks map[uint64]*hopChunk
	// foldedTo is the last index folded: a later arrival of a chunk up to
	// it, past its deadline, is not recorded.
	foldedTo *uint64
	folded   int
	arrivals int
	unlinked int
	depths   [maxHopDepth + 1]uint64
	delay    durationHistogram
	held     durationHistogram
	byClass  map[string]*hopHistograms
}

type hopHistograms struct{ all, held, pulled durationHistogram }

func newHopTree(source libp2ppeer.ID, link func(a, b libp2ppeer.ID) (time.Duration, bool)) *hopTree {
	return &hopTree{source: source, link: link, chunks: make(map[uint64]*hopChunk), byClass: make(map[string]*hopHistograms)}
}

// tracer returns the tracer of the viewer self, of uplink class class.
func (t *hopTree) tracer(self libp2ppeer.ID, class string) *hopTracer {
	return &hopTracer{tree: t, self: self, class: class, asked: lru.New[string, libp2ppeer.ID](maxAsked)}
}

func (t *hopTree) arrive(idx uint64, published time.Time, self, from libp2ppeer.ID, class string, pulled bool, at time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.foldedTo != nil && idx <= *t.foldedTo {
		return
	}
	c := t.chunks[idx]
	if c == nil {
		c = &hopChunk{published: published, arrivals: make(map[libp2ppeer.ID]hopArrival)}
		t.chunks[idx] = c
	}
	if _, ok := c.arrivals[self]; !ok {
		c.arrivals[self] = hopArrival{from: from, at: at, class: class, pulled: pulled}
	}
}

// fold moves the chunks up to index last into the histograms.
func (t *hopTree) fold(last uint64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.foldedTo = &last
	for idx, c := range t.chunks {
		if idx > last {
			continue
		}
		t.foldChunk(c)
		delete(t.chunks, idx)
	}
}

// pathUp returns p and its forwarders up to the source's child, p first,
// and whether that chain reaches the source. It stops after
// len(c.arrivals) peers: first arrivals cannot loop, but records made from
// a hostile peer's bytes might.
func (c *hopChunk) pathUp(p, source libp2ppeer.ID, buf []libp2ppeer.ID) ([]libp2ppeer.ID, bool) {
	path := buf[:0]
	for range len(c.arrivals) {
		a, ok := c.arrivals[p]
		if !ok {
			return path, false
		}
		path = append(path, p)
		if a.from == source {
			return path, true
		}
		p = a.from
	}
	return path, false
}

func (t *hopTree) foldChunk(c *hopChunk) {
	t.folded++
	var buf []libp2ppeer.ID
	for p, a := range c.arrivals {
		t.arrivals++
		path, linked := c.pathUp(p, t.source, buf)
		buf = path
		if !linked {
			t.unlinked++
			continue
		}
		t.depths[min(len(path), maxHopDepth)]++
		sent, class := c.published, "source"
		if a.from != t.source {
			fwd := c.arrivals[a.from]
			sent, class = fwd.at, fwd.class
		}
		delay := a.at.Sub(sent)
		t.delay.add(delay)
		h := t.byClass[class]
		if h == nil {
			h = new(hopHistograms)
			t.byClass[class] = h
		}
		h.all.add(delay)
		if l, ok := t.link(a.from, p); ok {
			t.held.add(delay - l)
			h.held.add(delay - l)
		}
		if a.pulled {
			h.pulled.add(delay)
		}
	}
}

// describe sums up the tree of chunk idx for the progress line: how many
// viewers it reached and how many of those after deadline, and how many
// arrivals descend from each of the source's children (itself included),
// largest first. "" when the chunk was not sampled or is folded.
func (t *hopTree) describe(idx uint64, deadline time.Duration) string {
	t.mu.Lock()
	defer t.mu.Unlock()
	c := t.chunks[idx]
	if c == nil {
		return ""
	}
	late := 0
	subtree := make(map[libp2ppeer.ID]int) // "" for arrivals with no path to the source
	var buf []libp2ppeer.ID
	for p, a := range c.arrivals {
		if a.at.Sub(c.published) > deadline {
			late++
		}
		path, linked := c.pathUp(p, t.source, buf)
		buf = path
		var root libp2ppeer.ID
		if linked {
			root = path[len(path)-1]
		}
		subtree[root]++
	}
	children := slices.SortedFunc(maps.Keys(subtree), func(a, b libp2ppeer.ID) int { return subtree[b] - subtree[a] })
	var b strings.Builder
	fmt.Fprintf(&b, "chunk %d reached %d, %d late; under the source's children:", idx, len(c.arrivals), late)
	for _, ch := range children {
		name := "no path"
		if ch != "" {
			name = c.arrivals[ch].class + "(" + shortID(ch) + ")"
		}
		fmt.Fprintf(&b, " %d %s", subtree[ch], name)
	}
	return b.String()
}

// largestFeeder returns the viewer with the most arrivals below it in the
// newest sampled chunk's tree, its class and that count; ok is false when
// no chunk is recorded.
func (t *hopTree) largestFeeder() (id libp2ppeer.ID, class string, below int, ok bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	var c *hopChunk
	var newest uint64
	for idx, ch := range t.chunks {
		if c == nil || idx > newest {
			c, newest = ch, idx
		}
	}
	if c == nil {
		return "", "", 0, false
	}
	counts := make(map[libp2ppeer.ID]int)
	var buf []libp2ppeer.ID
	for p := range c.arrivals {
		path, _ := c.pathUp(p, t.source, buf)
		buf = path
		for _, up := range path[min(1, len(path)):] {
			counts[up]++
		}
	}
	for p, n := range counts {
		if n > below || n == below && p < id {
			id, below = p, n
		}
	}
	return id, c.arrivals[id].class, below, id != ""
}

// shortID is the end of a peer ID, enough to tell peers apart in one run.
func shortID(p libp2ppeer.ID) string {
	s := p.String()
	return s[max(0, len(s)-6):]
}

// report folds what is left and summarises every chunk sampled.
func (t *hopTree) report() *HopReport {
	t.fold(math.MaxUint64)
	t.mu.Lock()
	defer t.mu.Unlock()
	rep := &HopReport{Chunks: t.folded, Arrivals: t.arrivals, Unlinked: t.unlinked,
		Depth:   depthQuantiles(t.depths[:]),
		DelayMs: t.delay.quantiles(), HeldMs: t.held.quantiles()}
	if len(t.byClass) > 0 {
		rep.ByForwarder = make(map[string]HopDelays, len(t.byClass))
	}
	for k, h := range t.byClass {
		rep.ByForwarder[k] = HopDelays{Hops: h.all.n, DelayMs: h.all.quantiles(), HeldMs: h.held.quantiles(),
			Pulled: h.pulled.n, PulledDelayMs: h.pulled.quantiles()}
	}
	return rep
}

// depthQuantiles returns the nearest-rank p50, p95 and p99 of a depth
// histogram.
func depthQuantiles(counts []uint64) Quantiles {
	var n uint64
	for _, c := range counts {
		n += c
	}
	at := func(q float64) float64 {
		if n == 0 {
			return 0
		}
		rank := max(uint64(math.Ceil(q*float64(n))), 1)
		var seen uint64
		for d, c := range counts {
			if seen += c; seen >= rank {
				return float64(d)
			}
		}
		return float64(len(counts) - 1)
	}
	return Quantiles{P50: at(0.5), P95: at(0.95), P99: at(0.99)}
}
