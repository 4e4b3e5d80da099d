package broadcast

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// A playout scenario is a list of moments on the viewer's clock. At each,
// chunks arrive, then Pop is called until it has nothing; what it returned
// and, optionally, NextWake are checked.
type moment struct {
	at   time.Duration  // viewer clock, since t0
	ins  []sentChunk    // arriving now, in this order
	pops []uint64       // sequence numbers Pop returns now
	wake *time.Duration // checked if set: NextWake after the pops, as time since t0
	busy bool           // the reader is busy: no Pop, no NextWake
}

// sentChunk is a chunk published at sent on the broadcaster's clock, which
// reads t0+skew when the viewer's reads t0.
type sentChunk struct {
	seq   uint64
	sent  time.Duration
	flags Flags
}

var wakeNever = wakeAt(-1)

func ms(n int) time.Duration { return time.Duration(n) * time.Millisecond }

func wakeAt(d time.Duration) *time.Duration { return &d }

func sc(seq uint64, sentMs int, flags ...Flags) sentChunk {
	c := sentChunk{seq: seq, sent: ms(sentMs)}
	for _, f := range flags {
		c.flags |= f
	}
	return c
}

var t0 = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

// runPlayout plays the moments on p and returns it for final checks.
func runPlayout(t *testing.T, p *Playout, skew time.Duration, moments []moment) *Playout {
	t.Helper()
	for i, m := range moments {
		now := t0.Add(m.at)
		for _, c := range m.ins {
			p.Insert(Chunk{Seq: c.seq, Time: t0.Add(skew + c.sent), Flags: c.flags}, now)
		}
		if m.busy {
			continue
		}
		var got []uint64
		for {
			c, ok := p.Pop(now)
			if !ok {
				break
			}
			got = append(got, c.Seq)
		}
		assert.Equal(t, fmt.Sprint(m.pops), fmt.Sprint(got), "moment %d (at %v): popped", i, m.at)
		wake, ok := p.NextWake(now)
		if ok {
			assert.True(t, wake.After(now), "moment %d: NextWake %v not after a Pop that returned nothing", i, wake.Sub(t0))
		}
		switch {
		case m.wake == nil:
		case m.wake == wakeNever:
			assert.False(t, ok, "moment %d: NextWake = %v, want none", i, wake.Sub(t0))
		default:
			if assert.True(t, ok, "moment %d: no NextWake, want %v", i, *m.wake) {
				assert.Equal(t, *m.wake, wake.Sub(t0), "moment %d: NextWake", i)
			}
		}
	}
	return p
}

// steady returns moments in which chunks from..to, sent every 40 ms from
// sentMs, arrive 50 ms after they are sent and play at once.
func steady(from, to uint64, sentMs int) []moment {
	var ms []moment
	for s := from; s <= to; s++ {
		sent := sentMs + 40*int(s-from)
		ms = append(ms, moment{at: time.Duration(sent+50) * time.Millisecond, ins: []sentChunk{sc(s, sent)}, pops: []uint64{s}})
	}
	return ms
}

func concat(parts ...[]moment) []moment {
	var all []moment
	for _, p := range parts {
		all = append(all, p...)
	}
	return all
}

const (
	cs  = FlagCleanStart
	eos = FlagEndOfStream
	ss  = FlagStreamStart
)
