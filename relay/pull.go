package relay

import (
	"sync"
	"time"

	pb "github.com/libp2p/go-libp2p-pubsub/pb"
)

// Holding back pulls (see DeferPulls).
const (
	// SeenTTL is how long Seen remembers a chunk: longer than any pull
	// is held back, so a held-back pull always sees the chunk if it came.
	SeenTTL = 2 * time.Second
	// MaxSeen is the most chunk IDs Seen holds: SeenTTL of chunks at
	// MaxBitrate in MinChunkSize chunks is a few hundred.
	MaxSeen = 4096
	// MaxDeferredPulls is the most chunk IDs a stream holds back at once,
	// pubsub's own bound on what it asks a peer for per heartbeat. Past it
	// an IWANT goes out at once.
	MaxDeferredPulls = MaxIHaveLength
	// MaxPullDelay is the longest DeferPulls accepts: a live chunk pulled
	// later than this has little of its playout deadline left.
	MaxPullDelay = time.Second
	// PullNeededShare is the share of a stream's recent held-back pulls
	// that had to be sent (the chunk did not come meanwhile) past which
	// its pulls go out at once: nobody else is feeding this node, and
	// waiting only makes every chunk late. It rests on at least
	// PullMinSamples pulls, counted as Offers counts offers (halving every
	// OfferHalfLife), so a stream asking at once holds pulls back again a
	// few seconds later, to see whether a feeder came.
	PullNeededShare = 0.5
	PullMinSamples  = 4
)

// Seen records which chunks this node has received, for DeferPulls.
// Monitor fills it as each chunk is first seen. It holds at most MaxSeen
// IDs, each for SeenTTL; IDs that are not MessageID values are ignored.
// Its methods are safe for concurrent use.
type Seen struct {
	mu  sync.Mutex
	rec idRecord
}

// Add records that this node has the chunk with message ID id, now.
func (s *Seen) Add(id string) {
	if len(id) != messageIDSize {
		return
	}
	s.mu.Lock()
	s.rec.put(time.Now(), [messageIDSize]byte([]byte(id)), SeenTTL, MaxSeen)
	s.mu.Unlock()
}

// Has reports whether the chunk with message ID id arrived within SeenTTL.
func (s *Seen) Has(id string) bool {
	_, ok := s.At(id)
	return ok
}

// At returns when the chunk with message ID id arrived, and whether it did
// within SeenTTL.
func (s *Seen) At(id string) (time.Time, bool) {
	if len(id) != messageIDSize {
		return time.Time{}, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rec.at(time.Now(), [messageIDSize]byte([]byte(id)), SeenTTL)
}

// DeferPulls makes a paced write hold back the chunk IDs of an IWANT for
// delay, then ask only for those seen has not recorded by then, unless
// most of the stream's recent held-back pulls had to be sent anyway
// (PullNeededShare): then it asks at once. delay <= 0,
// or seen nil, leaves pulls as pubsub makes them; a delay above
// MaxPullDelay is taken as MaxPullDelay. It needs SkipHeld, whose frame
// checks it rides on.
//
// This is Plumtree's timer on a missing chunk. pubsub asks for a chunk the
// moment an IHAVE names one it lacks, and with LazyPush an IHAVE goes out
// as control, ahead of the copies its sender queues, so it often arrives
// while the copy from this node's eager feeder is still on its way: the
// pull then brings a second copy. Held back, the pull is dropped when the
// copy comes, and sent when it does not, delay late.
//
// The held-back IDs wait in the stream, at most MaxDeferredPulls of them
// (past that an IWANT goes out at once), on one timer per stream, which
// stops when the stream is closed or reset or the limiter closes. The
// IWANT is written from the timer's goroutine, after any write in
// progress on the stream; if it fails, the stream is broken, and pubsub's
// next write on it says so.
func DeferPulls(seen *Seen, delay time.Duration) LimiterOption {
	return func(l *Limiter) {
		if seen != nil && delay > 0 {
			l.seen, l.pullDelay = seen, min(delay, MaxPullDelay)
		}
	}
}

// PreferFasterFeeders has DeferPulls count a held-back pull as one that
// had to be sent also when the chunk did come meanwhile, but more than
// lead after the peer announced it: that peer has the stream at least
// lead sooner than this node's eager feeder does. Once most of a
// stream's recent held-back pulls count so (PullNeededShare), its pulls go
// out at once; the first one tells the announcer this node wants its
// copies (Offers.Want, LazyPush), so it feeds this node eagerly from then
// on, and this node's IDONTWANTs make the slower feeder lazy in turn. This
// is Plumtree's optimisation of its tree, which keeps an eager link only
// while no lazy one is faster by a threshold; without it the first tree the
// stream takes stays, however slow, as long as its copies come within the
// pull delay. lead <= 0 leaves it off; it needs DeferPulls.
//
// lead must exceed what the announcer's own queue adds to a copy it sends
// rather than announces (its other eager copies, ahead of this one), or
// the swap gains nothing and the two feeders trade places.
func PreferFasterFeeders(lead time.Duration) LimiterOption {
	return func(l *Limiter) {
		l.pullLead = max(lead, 0)
	}
}

// FeederLead returns PreferFasterFeeders' lead, 0 when off or without
// DeferPulls.
func (l *Limiter) FeederLead() time.Duration {
	if l.pullDelay <= 0 {
		return 0
	}
	return l.pullLead
}

// PullDelay returns how long DeferPulls holds a pull back, 0 when off.
func (l *Limiter) PullDelay() time.Duration { return l.pullDelay }

// pendingPulls is a stream's held-back IWANT IDs, in the order they are
// due (every pull waits the same delay).
type pendingPulls struct {
	mu  sync.Mutex
	ids []pendingPull
	// timer is set, or its flush under way, exactly while ids holds any
	// (until the stream stops or the limiter closes).
	timer *time.Timer
	done  bool // the stream stopped: no more timers
	// needed counts held-back pulls (n) and those that had to be sent
	// (hits).
	needed decayingShare
}

type pendingPull struct {
	id  string
	due time.Time
}

// deferPull holds id back, and reports false, asking at once instead,
// when the stream already holds MaxDeferredPulls, has stopped, or has had
// to send most of its recent held-back pulls.
func (s *pacedStream) deferPull(id string) bool {
	q := &s.pulls
	now := time.Now()
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.done || len(q.ids) >= MaxDeferredPulls {
		return false
	}
	if share, samples := q.needed.share(now); samples >= PullMinSamples && share >= PullNeededShare {
		return false
	}
	q.ids = append(q.ids, pendingPull{id, now.Add(s.l.pullDelay)})
	switch {
	case len(q.ids) > 1: // the timer is set for the first
	case q.timer == nil:
		q.timer = time.AfterFunc(s.l.pullDelay, s.flushPulls)
	default:
		q.timer.Reset(s.l.pullDelay)
	}
	return true
}

// flushPulls asks for the held-back chunks that are due and still
// missing, and sets the timer for the next.
func (s *pacedStream) flushPulls() {
	select {
	case s.writing <- struct{}{}:
		defer func() { <-s.writing }()
	case <-s.stop:
		return
	case <-s.l.closed:
		return
	}
	now := time.Now()
	q := &s.pulls
	q.mu.Lock()
	var ask []string
	n := 0
	for ; n < len(q.ids) && !q.ids[n].due.After(now); n++ {
		id := q.ids[n].id
		at, came := s.l.seen.At(id)
		announced := q.ids[n].due.Add(-s.l.pullDelay) // every pull waits pullDelay
		late := came && s.l.pullLead > 0 && at.Sub(announced) > s.l.pullLead
		q.needed.add(now, !came || late)
		if !came {
			ask = append(ask, id)
			continue
		}
		s.l.pullsSaved.Add(1)
		if late {
			s.l.pullsLate.Add(1)
		}
	}
	s.l.asked.markSent(ask...)
	q.ids = append(q.ids[:0], q.ids[n:]...)
	if len(q.ids) > 0 {
		q.timer.Reset(q.ids[0].due.Sub(now))
	}
	q.mu.Unlock()
	if len(ask) == 0 || s.stopped() != nil {
		return
	}
	frame := iwantFrame(ask)
	if frame == nil {
		return
	}
	if len(frame) <= ControlBypass && s.l.bucket != nil {
		s.bypass(frame) //nolint:errcheck // a broken stream fails pubsub's next write
		return
	}
	s.pace(frame, len(frame), nil) //nolint:errcheck // as above
}

// stopPulls drops the held-back pulls of a stream that stopped.
func (s *pacedStream) stopPulls() {
	q := &s.pulls
	q.mu.Lock()
	defer q.mu.Unlock()
	q.done, q.ids = true, nil
	if q.timer != nil {
		q.timer.Stop()
	}
}

// iwantFrame is a frame holding one RPC that asks for ids.
func iwantFrame(ids []string) []byte {
	out, ok := encodeFrame(&pb.RPC{Control: &pb.ControlMessage{Iwant: []*pb.ControlIWant{{MessageIDs: ids}}}})
	if !ok {
		return nil
	}
	return out
}
