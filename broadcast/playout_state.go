package broadcast

import "time"

// The Playout's transitions, shared by Insert, Pop and NextWake.

// tryStart starts playout if a start point is due at now. force, used when
// the buffer is full, skips the start hold.
func (p *Playout) tryStart(now time.Time, force bool) {
	if i, ok := p.buf.firstWith(FlagStreamStart); ok {
		p.startAt(i, now)
		return
	}
	if !force && now.Before(p.first.Add(p.cfg.StartHold)) {
		return
	}
	if i, ok := p.buf.firstWith(FlagCleanStart); ok {
		p.startAt(i, now)
		return
	}
	if _, ok := p.buf.firstWith(FlagEndOfStream); ok && !force {
		// Joined as the stream ended: nothing can be played.
		p.stats.Discarded += uint64(p.buf.clear())
		p.ended = true
	}
}

// startAt starts playout at the i-th lowest buffered chunk.
func (p *Playout) startAt(i int, now time.Time) {
	p.buf.dropFront(i)
	p.stats.Discarded += uint64(i)
	p.started = true
	p.next = p.buf.at(0).Seq
	p.near = now
}

// play pops the chunk at next, which must be the lowest buffered.
func (p *Playout) play() Chunk {
	c := p.buf.popFront()
	p.next = c.Seq + 1
	p.stats.Played++
	if c.Flags&FlagEndOfStream != 0 {
		p.end()
	}
	return c
}

func (p *Playout) end() {
	p.ended = true
	p.stats.Late += uint64(p.buf.clear())
}

// jump moves next up to seq, counting the gap as Skipped, or as one Restart
// when it starts a new run or is too large to be loss.
func (p *Playout) jump(seq uint64, newRun bool) {
	if gap := seq - p.next; newRun || gap > p.farAhead {
		p.stats.Restarts++
	} else {
		p.stats.Skipped += gap
	}
	p.next = seq
}

// giveUpAt returns when playout stops waiting for the chunks below low, the
// lowest buffered chunk, which is above next.
func (p *Playout) giveUpAt(low *Chunk) time.Time {
	t := low.Time.Add(p.offset).Add(p.cfg.Deadline)
	if low.Seq-p.next > p.farAhead {
		if quiet := p.near.Add(p.cfg.Deadline); quiet.After(t) {
			t = quiet
		}
	}
	return t
}

// overflow makes room for one chunk in a buffer above Capacity.
func (p *Playout) overflow(now time.Time) {
	if !p.started {
		p.tryStart(now, true)
		if !p.started {
			p.buf.dropFront(1)
			p.stats.Discarded++
			return
		}
		if p.buf.len() <= p.cfg.Capacity {
			return
		}
	}
	low := p.buf.at(0)
	if low.Seq != p.next {
		p.jump(low.Seq, low.Flags&FlagStreamStart != 0)
	}
	c := p.buf.popFront()
	p.next = c.Seq + 1
	p.stats.Overflowed++
	if c.Flags&FlagEndOfStream != 0 {
		p.end()
	}
}
