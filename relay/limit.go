package relay

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/peer"
)

// Burst sizing for NewLimiter: the larger of MinBurst and BurstWindow of
// the cap.
const (
	// MinBurst is 4 KiB (MinChunkSize): a burst at ADSL rates (512
	// kbit/s) queues 64 ms in the modem. Larger bursts overflow queues
	// that drop early (fq_codel aims at 5 ms), so the transport sees loss,
	// shrinks its window and blocks the next write, and with it every
	// IDONTWANT queued behind it: its peers, not told in time, send
	// copies nobody needs. On the swarm's quick preset, 16 KiB bursts
	// made six times the transport stalls (Limiter.Stalls) of 4 KiB ones.
	MinBurst = MinChunkSize
	// BurstWindow keeps fast caps from needing a timer for every small
	// write: at 10 Mbit/s it allows 25 kB at once.
	BurstWindow = 20 * time.Millisecond
	// StallAfter is how long a write must block in the transport, once its
	// tokens are there, to count as a stall (Limiter.Stalls): long enough
	// that only a shrunken transport window, not the copy itself, explains
	// it.
	StallAfter = 50 * time.Millisecond
)

// Spare-capacity writes (see PrioritizePeers).
const (
	// SpareWait is the longest a write to a peer that is not prioritized
	// waits for spare tokens; then it queues for tokens like a prioritized
	// one. pubsub gives each RPC write 30 s, then resets the stream, and
	// after a few resets stops talking to that peer: a node whose mesh
	// uses its whole cap must still answer a PRUNE or a subscription
	// announcement long before that.
	SpareWait = 5 * time.Second
	// SpareSlice is the least a waiting spare-capacity write takes when
	// the bucket holds some tokens but not the whole piece, so a large
	// piece goes out in slices as spare tokens come rather than waiting
	// for a bucket that the mesh never leaves full; large enough not to
	// cut writes into crumbs. Spare writes are not served in order among
	// themselves: smaller ones may keep taking tokens first, and SpareWait
	// bounds how long that can last.
	SpareSlice = 1 << 10
)

// Traffic is cumulative stream payload through a Limiter's host, in bytes:
// what pubsub wrote and read, without transport headers.
type Traffic struct {
	In, Out uint64
}

// Limiter enforces one upload cap over every stream of a node and counts
// its traffic. Build it with NewLimiter, give pubsub the host from WrapHost,
// and Close it when the node stops.
//
// With PrioritizePeers, writes to the peers it names come first: writes to
// any other peer use only tokens the bucket holds at the time, for up to
// SpareWait.
//
// Its methods are safe for concurrent use. It starts no goroutines: writers
// wait in their own goroutine, on a timer.
type Limiter struct {
	upload int64
	burst  int64

	mu     sync.Mutex // guards bucket
	bucket *TokenBucket

	urgent func(peer.ID) bool // nil: every write is urgent
	held   *Held              // nil: copies are sent whoever holds them
	asked  asked              // IWANTs sent, with SkipHeld

	offers    *Offers // nil: no lazy push
	lazyShare float64 // Redundancy at which a peer is served lazily

	seen      *Seen         // nil: pulls go out as pubsub makes them
	pullDelay time.Duration // how long DeferPulls holds a pull back
	pullLead  time.Duration // PreferFasterFeeders' lead; 0: off

	in, out       atomic.Uint64
	spared        atomic.Uint64 // copies left out of writes because the peer held them
	sparedBytes   atomic.Uint64
	wantsDropped  atomic.Uint64 // IWANT IDs left out: asked of another peer already
	controlBypass atomic.Uint64 // control frames sent without waiting
	stalls        atomic.Uint64 // writes that blocked StallAfter or more in the transport
	announced     atomic.Uint64 // chunks announced by IHAVE instead of sent (LazyPush)
	pullsDeferred atomic.Uint64 // IWANT IDs held back (DeferPulls)
	pullsSaved    atomic.Uint64 // of those, IDs not asked for: the chunk came meanwhile
	pullsLate     atomic.Uint64 // of those, IDs whose chunk came over pullLead after the IHAVE

	closeOnce sync.Once
	closed    chan struct{} // closed by Close; wakes waiting writers
}

// NewLimiter returns a limiter capping upload at upload bytes per second. 0
// means unlimited: it counts traffic and never waits. A negative upload is
// treated as 0; check the Budget with Validate first (PubSubOptions does).
//
// The burst is max(MinBurst, BurstWindow of upload), unless Burst sets it:
// the bucket starts full,
// and writes are cut into pieces of at most that size, each waiting for its
// own tokens, so in any window the node sends at most burst + upload×window.
//
// Create it inside a testing/synctest bubble if it is used in one: its
// channel and timers must belong to the bubble for virtual time to run.
func NewLimiter(upload int64, opts ...LimiterOption) *Limiter {
	l := &Limiter{closed: make(chan struct{})}
	for _, opt := range opts {
		opt(l)
	}
	if upload > 0 {
		l.upload = upload
		if l.burst <= 0 {
			l.burst = max(MinBurst, int64(float64(upload)*BurstWindow.Seconds()))
		}
		l.bucket = NewTokenBucket(upload, l.burst, time.Now())
	} else {
		l.burst = 0 // unlimited: nothing is cut or paced
	}
	return l
}

// LimiterOption configures a Limiter in NewLimiter.
type LimiterOption func(*Limiter)

// Burst sets the bucket size, and the largest piece a write is cut into,
// to n bytes instead of max(MinBurst, BurstWindow of the cap); n <= 0
// keeps that default. It exists to measure the burst's effect (see
// MinBurst); the default suits every cap.
func Burst(n int64) LimiterOption {
	return func(l *Limiter) { l.burst = max(n, 0) }
}

// PrioritizePeers makes writes to peers for which urgent returns true come
// first. A write to any other peer takes only tokens the bucket holds at the
// time, as much of its piece as they cover (at least SpareSlice, or the
// whole piece if smaller), and never goes into the debt that urgent writes
// queue behind. So spare upload goes to everyone, and a burst of traffic
// outside the mesh never delays the mesh by more than the bucket's burst.
// When urgent traffic uses the whole cap for SpareWait, a waiting write
// queues for tokens like an urgent one, so that no peer's stream starves.
//
// urgent is asked again each time a waiting write wakes, so a peer that
// becomes urgent while a write to it waits is served as urgent from then
// on. It is called from writers' goroutines, concurrently, and must be fast
// and safe for concurrent use. Monitor.InMesh suits it: gossip repair and
// control traffic to peers outside the mesh then never delay the mesh.
func PrioritizePeers(urgent func(peer.ID) bool) LimiterOption {
	return func(l *Limiter) { l.urgent = urgent }
}

// SkipHeld makes paced writes on GossipSub streams leave out every chunk
// that held records the peer as holding already: once when the write is
// made, and again when its tokens are there, if it had to wait. A chunk
// left out after the wait gives its tokens back. Monitor.Held suits it.
//
// pubsub checks a peer's IDONTWANTs only when it queues a chunk, so
// without this a relay whose upload is queueing sends, seconds late,
// copies its peers got long before from faster relays. With it a busy
// relay sends only what is still wanted, and relays with room to spare
// carry the stream: the tree the stream takes follows upload capacity.
//
// With SkipHeld, an IWANT also loses the chunks this node asked another
// peer for within IWantRetry: pubsub asks every peer that advertises a
// chunk it lacks, and each answers with a copy. And control frames of at
// most ControlBypass bytes and no chunks (IDONTWANT, IWANT, GRAFT, PRUNE)
// go out at once, charged to the bucket, so that an IDONTWANT is not held
// back by the chunks it is about.
func SkipHeld(held *Held) LimiterOption {
	return func(l *Limiter) { l.held = held }
}

// Spared counts what SkipHeld left out: copies of chunks, and their bytes
// (with framing), and chunk IDs left out of IWANTs.
type Spared struct {
	Copies, Bytes uint64
	Wants         uint64
	// ControlBypass counts control frames sent without waiting.
	ControlBypass uint64
	// Announced counts chunks LazyPush announced instead of sending.
	Announced uint64
	// PullsDeferred counts chunk IDs DeferPulls held back from IWANTs,
	// and PullsSaved those of them never asked for, because the chunk
	// came while they waited. PullsLate counts those of the saved whose
	// chunk came more than PreferFasterFeeders' lead after the IHAVE.
	PullsDeferred, PullsSaved, PullsLate uint64
}

// Spared returns what SkipHeld has left out so far.
func (l *Limiter) Spared() Spared {
	return Spared{Copies: l.spared.Load(), Bytes: l.sparedBytes.Load(), Wants: l.wantsDropped.Load(), ControlBypass: l.controlBypass.Load(), Announced: l.announced.Load(),
		PullsDeferred: l.pullsDeferred.Load(), PullsSaved: l.pullsSaved.Load(), PullsLate: l.pullsLate.Load()}
}

// Stalls returns how many writes to the transport have blocked for
// StallAfter or more, once their tokens were there: a sign that bursts
// overflow a queue on the path and the transport's window shrank (see
// MinBurst), or that a peer reads slowly.
func (l *Limiter) Stalls() uint64 { return l.stalls.Load() }

// countStall counts a transport write that began at sent if it blocked for
// StallAfter or more.
func (l *Limiter) countStall(sent time.Time) {
	if time.Since(sent) >= StallAfter {
		l.stalls.Add(1)
	}
}

// Cap returns the upload cap in bytes per second; 0 is unlimited.
func (l *Limiter) Cap() int64 { return l.upload }

// Burst returns the bucket size in bytes, and the largest piece a paced write
// is cut into; 0 when unlimited.
func (l *Limiter) Burst() int64 { return l.burst }

// Traffic returns the payload bytes read from and written to wrapped streams
// so far.
func (l *Limiter) Traffic() Traffic {
	return Traffic{In: l.in.Load(), Out: l.out.Load()}
}

// Close wakes every writer waiting for tokens; those writes, and every paced
// write after them, return ErrClosed. Reads still pass and are counted. Close
// does not close the host or its streams. It is safe to call twice and
// always returns nil.
func (l *Limiter) Close() error {
	l.closeOnce.Do(func() { close(l.closed) })
	return nil
}

// WrapHost returns a host that behaves as h except for streams:
//   - NewStream returns streams whose writes are paced by the limiter's
//     shared bucket (cut into pieces of at most Burst bytes, each waiting on
//     a timer for its tokens before it is written) and counted as Out;
//   - SetStreamHandler and SetStreamHandlerMatch hand the handler streams
//     whose writes are paced and counted the same way;
//   - reads on either kind count as In.
//
// Everything else, Close included, passes through to h. Give the returned
// host to pubsub.NewGossipSub so every byte the router sends is paced.
// Streams opened through h.Network() or handlers set on h.Mux() directly are
// not paced.
//
// A paced write that is waiting stops early when the limiter is closed
// (ErrClosed), its stream is reset (network.ErrReset) or closed
// (ErrStreamClosed), or its write deadline passes (os.ErrDeadlineExceeded).
// Tokens it had reserved stay spent: the cap errs on the safe side.
func (l *Limiter) WrapHost(h host.Host) host.Host {
	return &limitedHost{Host: h, l: l}
}

// Backlog returns how long an urgent write of one byte made now would wait
// for tokens: the upload queued in the bucket beyond its burst. It is 0
// when unlimited or when the node sends within its cap. Non-urgent writes
// waiting for spare capacity (see PrioritizePeers) are not in it.
func (l *Limiter) Backlog() time.Duration {
	if l.bucket == nil {
		return 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.bucket.Backlog(time.Now())
}

// takeUpTo takes up to most tokens the bucket holds at now, if at least
// least; see TokenBucket.TakeUpTo.
func (l *Limiter) takeUpTo(now time.Time, most, least int64) (int64, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.bucket.TakeUpTo(now, most, least)
}

// refund gives back the tokens of taken bytes of which only kept are sent.
func (l *Limiter) refund(taken, kept int64) {
	if l.bucket == nil || kept >= taken {
		return
	}
	l.mu.Lock()
	l.bucket.Refund(taken, kept)
	l.mu.Unlock()
}

// reserve takes n tokens at now and returns when the bytes may be sent;
// the zero time when unlimited.
func (l *Limiter) reserve(now time.Time, n int64) time.Time {
	if l.bucket == nil {
		return time.Time{}
	}
	l.mu.Lock()
	d := l.bucket.Reserve(now, n)
	l.mu.Unlock()
	return now.Add(d)
}
