package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"sync"
	"time"

	"github.com/gridcast/gridcast/relay"
)

// A chunk's payload starts with a record header: its index in the run and
// its publish time, so a viewer's in-order byte stream tells which chunk is
// playing and how late it is. A MAC over the whole payload follows, keyed
// with a secret only the harness's source knows, so a viewer can tell a
// forged chunk that got through from a real one (forged_delivered).
const (
	minRecord = 16
	macSize   = 8
)

// macKey is the source's secret; hostile peers never use it.
var macKey = []byte("gridcast swarm source secret")

func putRecord(payload []byte, index uint64, at time.Time) {
	binary.BigEndian.PutUint64(payload[0:8], index)
	binary.BigEndian.PutUint64(payload[8:16], uint64(at.UnixNano()))
}

// seal writes the payload's MAC; payload must hold minRecord+macSize bytes.
func seal(payload []byte) {
	copy(payload[minRecord:minRecord+macSize], mac(payload))
}

// authentic reports whether payload carries the source's MAC.
func authentic(payload []byte) bool {
	return len(payload) >= minRecord+macSize && hmac.Equal(payload[minRecord:minRecord+macSize], mac(payload))
}

func mac(payload []byte) []byte {
	h := hmac.New(sha256.New, macKey)
	h.Write(payload[:minRecord])
	h.Write(payload[minRecord+macSize:])
	return h.Sum(nil)[:macSize]
}

func readRecord(payload []byte) (index uint64, at time.Time, ok bool) {
	if len(payload) < minRecord {
		return 0, time.Time{}, false
	}
	return binary.BigEndian.Uint64(payload[0:8]), time.Unix(0, int64(binary.BigEndian.Uint64(payload[8:16]))), true
}

// recorder collects what one viewer saw. Its loops write and the progress
// printer reads, so mu guards everything.
type recorder struct {
	mu        sync.Mutex
	joined    time.Time
	left      time.Time
	firstPlay time.Time
	// firstPublish is when the first chunk played was published: where
	// the viewer's continuity is counted from.
	firstPublish time.Time
	plays        map[uint64]time.Time // chunk index → when it was played
	latencies    []time.Duration      // first arrival of each chunk, publish → receive
	arrived      map[uint64]bool
	// pendingDue counts chunks folded away (see runner.fold) while the
	// viewer had not started: due if it never starts.
	pendingDue int
	// folded counts the chunks folded away once the viewer had started.
	folded dues
	// Filled when the viewer leaves or the run ends.
	bytesIn              uint64
	received             relay.ReceivedBytes
	delivered, duplicate uint64
	causes               relay.DuplicateCauses
	// forged counts chunks the viewer was given that the source never
	// sealed.
	forged uint64
}

func newRecorder(joined time.Time) *recorder {
	return &recorder{joined: joined, plays: make(map[uint64]time.Time), arrived: make(map[uint64]bool)}
}

// play records that chunk index, published at publishedAt, played at at.
func (r *recorder) play(index uint64, publishedAt, at time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.firstPlay.IsZero() {
		r.firstPlay, r.firstPublish = at, publishedAt
	}
	if _, ok := r.plays[index]; !ok {
		r.plays[index] = at
	}
}

func (r *recorder) arrive(index uint64, latency time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.arrived[index] {
		r.arrived[index] = true
		r.latencies = append(r.latencies, latency)
	}
}

// started reports whether the viewer has played a chunk.
func (r *recorder) started() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return !r.firstPlay.IsZero()
}

// has reports whether chunk index has arrived (and is not yet folded).
func (r *recorder) has(index uint64) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.arrived[index]
}

// snapshot copies what the metrics need.
func (r *recorder) snapshot(end time.Time) viewerResult {
	r.mu.Lock()
	defer r.mu.Unlock()
	left := r.left
	if left.IsZero() {
		left = end
	}
	plays := make(map[uint64]time.Time, len(r.plays))
	for k, v := range r.plays {
		plays[k] = v
	}
	return viewerResult{
		Joined: r.joined, Left: left, FirstPlay: r.firstPlay, FirstPublish: r.firstPublish, Plays: plays,
		PendingDue: r.pendingDue, Folded: r.folded,
		Latencies: append([]time.Duration(nil), r.latencies...),
		BytesIn:   r.bytesIn, Received: r.received, Delivered: r.delivered, Duplicates: r.duplicate, Causes: r.causes, Forged: r.forged,
	}
}

// fold forgets the plays of chunks up to index last, keeping their counts
// (counted), and hands over the latencies recorded so far, so that a long
// run's records stay bounded.
func (r *recorder) fold(last uint64, pendingDue int, counted dues) []time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	for idx := range r.plays {
		if idx <= last {
			delete(r.plays, idx)
		}
	}
	for idx := range r.arrived {
		if idx <= last {
			delete(r.arrived, idx)
		}
	}
	// A Go map keeps its buckets after deletes, and so does maps.Clone:
	// copy what is left into new maps, or a departed viewer would hold its
	// largest minute of buckets (about 60 kB) for the rest of the run.
	r.plays, r.arrived = compacted(r.plays), compacted(r.arrived)
	if r.firstPlay.IsZero() {
		r.pendingDue += pendingDue
	}
	r.folded = r.folded.plus(counted)
	lat := r.latencies
	r.latencies = nil
	return lat
}

func (r *recorder) forgery() {
	r.mu.Lock()
	r.forged++
	r.mu.Unlock()
}

// compacted returns a new map with m's entries, sized for them alone.
func compacted[K comparable, V any](m map[K]V) map[K]V {
	c := make(map[K]V, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}
