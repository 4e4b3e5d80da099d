package broadcast

import "time"

const (
	defaultPlayoutCapacity = 512
	defaultPlayoutDeadline = 2 * time.Second
	defaultStartHold       = 250 * time.Millisecond
)

// PlayoutConfig tunes a Playout. NewPlayout replaces out-of-range values as
// each field says, so the zero PlayoutConfig works.
type PlayoutConfig struct {
	// Capacity is the most chunks the reorder buffer holds; beyond it the
	// lowest chunk is given up to make room, and counted. Zero or less means
	// 512.
	Capacity int
	// Deadline is how long playout waits for a missing chunk: the chunks
	// after a gap play without it once Deadline has passed since the first
	// of them was due (its publish time plus the fastest delay seen). Zero
	// or less means 2 s.
	Deadline time.Duration
	// StartHold is how long a viewer joining mid-stream waits for an earlier
	// clean start point before it commits to the one it has, counted from
	// its first chunk. Zero means no wait; less is taken as zero.
	StartHold time.Duration
}

// DefaultPlayoutConfig returns Capacity 512, Deadline 2 s and StartHold
// 250 ms.
func DefaultPlayoutConfig() PlayoutConfig {
	return PlayoutConfig{
		Capacity:  defaultPlayoutCapacity,
		Deadline:  defaultPlayoutDeadline,
		StartHold: defaultStartHold,
	}
}

// PlayoutStats counts what a Playout did with the chunks it was offered.
// Every inserted chunk ends up in exactly one of Played, Late, Duplicates,
// Overflowed and Discarded, or is still Buffered.
type PlayoutStats struct {
	Played     uint64 // returned by Pop
	Skipped    uint64 // sequence numbers given up on: never arrived before playout passed them
	Late       uint64 // arrived after playout had passed them, or after the end of the stream
	Duplicates uint64 // a chunk with the same sequence number was already held
	Overflowed uint64 // given up to keep the buffer within Capacity
	Discarded  uint64 // dropped before the start point, or by a joiner that never found one
	Restarts   uint64 // jumps to a new run, or over a gap too large to be loss
	Buffered   int    // held now
}

// Playout puts the chunks of one channel back in order for playing, and
// decides when a missing chunk is given up on. It is a pure state machine:
// it has no goroutines and reads no clock (every call takes now), and it is
// not safe for concurrent use. A reader calls Insert for each arriving
// chunk, and Pop in a loop, sleeping until NextWake or the next Insert when
// Pop has nothing.
//
// Clock offset. The playout keeps offset, the least (arrival − chunk.Time)
// over every chunk ever inserted: the fastest path's delay plus the skew
// between the broadcaster's clock and now's. A chunk's deadline is
// c.Time + offset + Deadline, so a constant skew in either direction does
// not change when chunks are given up on.
//
// Start. Before starting, chunks are buffered. If one has FlagStreamStart,
// playout starts at the lowest such chunk at once: nothing earlier exists in
// its run. Otherwise, once now ≥ (arrival of the first chunk) + StartHold,
// it starts at the lowest buffered chunk with FlagCleanStart, or at the
// first one to arrive after that. Chunks below the start point are dropped
// and counted as Discarded. A joiner that holds the end-of-stream chunk
// but no start point once the hold is over ends (Ended) without playing.
//
// Playing. next is the sequence number to play. If it is buffered, Pop
// returns it at once, whatever its deadline. If not, let c be the lowest
// buffered chunk: once now ≥ deadline(c), playout gives up on next..c.Seq-1
// (Skipped) and continues at c. A chunk below next is Late; a second chunk
// with a held sequence number is a Duplicate.
//
// Restart. When the lowest buffered chunk above next has FlagStreamStart,
// the broadcaster began a new run with a new sequence base: playout jumps
// to it at once, counting a Restart, not the gap as Skipped. A run must start
// above every sequence number of the run before it (a base from the wall
// clock does), since chunks below next are Late whatever their flags.
//
// Far ahead. A chunk more than 4×Capacity above next is far ahead. It takes
// one buffer slot like any other, and it never causes other chunks to be
// given up while nearer ones are held. Playout jumps to it only when it is
// the lowest buffered chunk, its deadline has passed and, in addition, no
// chunk within 4×Capacity of next has arrived for Deadline: the stream has
// moved on (say, a new run whose first chunk was lost). A stray far chunk
// in a live stream thus waits harmlessly instead of dragging playout
// forward. However it is reached, a gap of more than 4×Capacity counts as
// one Restart, not as Skipped: it is a resynchronisation, not loss.
//
// End. Once the end-of-stream chunk is played, or given up to make room,
// Ended reports true; chunks still held and later inserts count as Late.
//
// Capacity. Insert never leaves more than Capacity chunks held. Before the
// start, a full buffer starts playout at once if it holds a start point, and
// otherwise drops its lowest chunk (Discarded). After the start, it gives up
// its lowest chunk (Overflowed) together with any gap before it (Skipped),
// and playout continues after it: live data never waits for a slow reader.
type Playout struct {
	cfg      PlayoutConfig
	farAhead uint64
	buf      reorderBuf

	seen    bool
	first   time.Time     // arrival of the first chunk inserted
	offset  time.Duration // least arrival − chunk.Time seen
	started bool
	ended   bool
	next    uint64    // sequence number to play next, once started
	near    time.Time // last arrival of a chunk within farAhead of next
	stats   PlayoutStats
}

// NewPlayout returns an empty playout; see PlayoutConfig for how
// out-of-range fields are replaced.
func NewPlayout(cfg PlayoutConfig) *Playout {
	if cfg.Capacity <= 0 {
		cfg.Capacity = defaultPlayoutCapacity
	}
	if cfg.Deadline <= 0 {
		cfg.Deadline = defaultPlayoutDeadline
	}
	cfg.StartHold = max(cfg.StartHold, 0)
	return &Playout{cfg: cfg, farAhead: 4 * uint64(cfg.Capacity)}
}

// Insert offers c, which arrived at now. The playout keeps c.Payload until
// the chunk is popped or dropped: the caller must not reuse it.
func (p *Playout) Insert(c Chunk, now time.Time) {
	if p.ended {
		p.stats.Late++
		return
	}
	if d := now.Sub(c.Time); !p.seen || d < p.offset {
		p.offset = d
	}
	if !p.seen {
		p.seen, p.first = true, now
	}
	if p.started && c.Seq < p.next {
		p.stats.Late++
		return
	}
	if !p.buf.insert(c) {
		p.stats.Duplicates++
		return
	}
	if p.started && c.Seq-p.next <= p.farAhead {
		p.near = now
	}
	for p.buf.len() > p.cfg.Capacity && !p.ended {
		p.overflow(now)
	}
}

// Pop returns the next chunk to play, in sequence order, if one is ready at
// now; ok is false when nothing is. The chunk is the one inserted: its
// Payload is the caller's again.
func (p *Playout) Pop(now time.Time) (c Chunk, ok bool) {
	if !p.started && !p.ended {
		p.tryStart(now, false)
	}
	if !p.started || p.ended {
		return Chunk{}, false
	}
	for p.buf.len() > 0 {
		low := p.buf.at(0)
		switch {
		case low.Seq == p.next:
			return p.play(), true
		case low.Flags&FlagStreamStart != 0:
			p.jump(low.Seq, true)
		case now.Before(p.giveUpAt(low)):
			return Chunk{}, false
		default:
			p.jump(low.Seq, false)
		}
	}
	return Chunk{}, false
}

// NextWake returns when Pop may next return a chunk, or change state, with
// no further Insert: a start hold or a deadline running out. It returns now
// if Pop would return a chunk at now, and ok false if only an Insert can
// help. After Pop(now) has returned false, NextWake(now) is after now.
func (p *Playout) NextWake(now time.Time) (t time.Time, ok bool) {
	if p.ended || p.buf.len() == 0 {
		return time.Time{}, false
	}
	if !p.started {
		if _, ok := p.buf.firstWith(FlagStreamStart); ok {
			return now, true
		}
		if _, ok := p.buf.firstWith(FlagCleanStart | FlagEndOfStream); !ok {
			return time.Time{}, false
		}
		t = p.first.Add(p.cfg.StartHold)
	} else if low := p.buf.at(0); low.Seq == p.next || low.Flags&FlagStreamStart != 0 {
		return now, true
	} else {
		t = p.giveUpAt(low)
	}
	if t.Before(now) {
		t = now
	}
	return t, true
}

// Ended reports that the end-of-stream chunk has been played or given up:
// once Pop returns nothing more, the stream is over.
func (p *Playout) Ended() bool { return p.ended }

// Stats returns the counters so far.
func (p *Playout) Stats() PlayoutStats {
	s := p.stats
	s.Buffered = p.buf.len()
	return s
}
