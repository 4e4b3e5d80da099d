package media

import (
	"errors"
	"fmt"
	"io"
)

// Splitter cuts a container stream into units that end where a decoder
// can start. It is not safe for concurrent use.
type Splitter struct {
	format Format
	cfg    config
	w      window
	p      parser // nil for FormatRaw
	stats  SplitterStats
	header []byte // for the last clean unit returned

	// The unit being built starts at head and has ulen bytes; hold bytes
	// after it wait for the next item; rem bytes of the last item are yet
	// to be added.
	head   int64
	ulen   int
	uclean bool
	uhdr   []byte
	hold   int
	rem    int64
	pend   item // parsed, not yet placed, when pended: it starts the next unit
	pended bool

	err    error // returned once the bytes before errEnd are out
	errEnd int64
}

// NewSplitter returns a splitter for the stream r in format f. With
// FormatAuto it reads the first 377 bytes (fewer if the stream is
// shorter), enough for [Detect] to see three MPEG-TS sync bytes, and falls
// back to FormatRaw when Detect cannot tell; the bytes read are kept and
// returned in units like the rest. A read error during detection is
// reported by Next, after the bytes read before it.
//
// Defaults: [DefaultMaxHeader], [DefaultMaxUnit]. The splitter buffers at
// most MaxUnit + MaxHeader + 17 KiB of the stream, and grows its buffer
// only as far as the stream needs: MPEG-TS, which holds nothing whole but
// a few packets, stays within MaxUnit + 17 KiB. Errors wrap
// ErrUnknownFormat, or are an option's.
func NewSplitter(r io.Reader, f Format, opts ...Option) (*Splitter, error) {
	if !f.known() && f != FormatAuto {
		return nil, fmt.Errorf("%w: value %d", ErrUnknownFormat, uint8(f))
	}
	cfg := defaultConfig()
	for _, opt := range opts {
		if err := opt(&cfg); err != nil {
			return nil, err
		}
	}
	s := &Splitter{cfg: cfg, w: newWindow(r, cfg.windowLimit())}
	if f == FormatAuto {
		b, _ := s.w.peek(0, autoDetectBytes)
		f, _ = Detect(b)
	}
	s.format = f
	switch f {
	case FormatMPEGTS:
		s.p = newTSParser(&s.stats)
	case FormatMP4:
		s.p = newMP4Parser(&s.stats, cfg.maxHeader)
	case FormatWebM:
		s.p = newWebMParser(&s.stats, cfg.maxHeader)
	}
	return s, nil
}

// Format returns the stream's format, as given or as detected.
func (s *Splitter) Format() Format { return s.format }

// Header returns the init header that goes with the last clean unit
// returned: for MPEG-TS its PAT and PMT packets, for MP4 the ftyp and moov
// boxes, for WebM everything before the first Cluster. It is nil before
// the first clean unit, and always for FormatRaw. The slice is never
// changed: a new header comes in a new slice, so comparing the slices
// tells when it changed.
func (s *Splitter) Header() []byte { return s.header }

// Stats returns the counts so far.
func (s *Splitter) Stats() SplitterStats { return s.stats }

// Next returns the next unit. It reads from r as needed, and returns a unit
// when it is complete: at the next clean point, at MaxUnit bytes or at the
// end of the stream (FormatRaw: as soon as a read returns bytes). A unit
// ends on a packet, box or element boundary unless that one piece is
// longer than MaxUnit.
//
// At the clean end of the stream Next returns io.EOF. Otherwise the bytes
// before the failure are returned first (all the bytes read, when the
// stream ends early or the reader fails), then the error, which wraps a
// sentinel of this package or the reader's error and gives the byte
// offset; Next keeps returning it.
func (s *Splitter) Next() (Unit, error) {
	s.w.release(s.head)
	if s.p == nil {
		return s.nextRaw()
	}
	for {
		if s.err != nil {
			return s.drain()
		}
		if s.rem > 0 {
			room := s.cfg.maxUnit - s.ulen
			if room == 0 {
				return s.emit()
			}
			take := min(s.rem, int64(room))
			s.ulen += int(take)
			s.rem -= take
			continue
		}
		var it item
		if s.pended {
			it, s.pended = s.pend, false
		} else {
			var err error
			if it, err = s.p.next(&s.w); err != nil {
				end := s.head + int64(s.ulen+s.hold)
				switch {
				case err != io.EOF:
				case s.w.end() < end: // parsers step over what they stream, unread
					err = fmt.Errorf("%w: %s stream ends at offset %d, inside a piece that ends at %d",
						ErrTruncated, s.format, s.w.end(), end)
				case s.ulen > 0 && s.ulen+s.hold > s.cfg.maxUnit:
					return s.emit() // keep the held bytes whole
				}
				s.fail(err)
				continue
			}
		}
		if it.n <= 0 {
			s.fail(fmt.Errorf("%w: %s item of %d bytes at offset %d", errInternal, s.format, it.n, s.head+int64(s.ulen+s.hold)))
			continue
		}
		maxUnit := int64(s.cfg.maxUnit)
		lead := int64(s.ulen + s.hold) // before the item, if it joins this unit
		switch {
		case it.clean && s.ulen > 0:
			// This unit ends before the held bytes: they start the clean
			// one with the item.
			s.pend, s.pended = it, true
			return s.emit()
		case it.hold && int64(s.hold)+it.n <= int64(s.cfg.maxHold()):
			s.hold += int(it.n)
			continue
		case s.ulen > 0 && lead > maxUnit:
			// The held bytes do not fit in this unit; they go whole in
			// the next.
			s.pend, s.pended = it, true
			return s.emit()
		case lead > 0 && it.n <= maxUnit && lead+it.n > maxUnit:
			// An item that fits in a unit is not split: it starts the
			// next. (A longer one is split anyway, so it fills this one.)
			s.ulen, s.hold = s.ulen+s.hold, 0
			s.pend, s.pended = it, true
			return s.emit()
		}
		if it.clean {
			s.uclean, s.uhdr = true, it.hdr
		}
		s.ulen, s.hold, s.rem = s.ulen+s.hold, 0, it.n
	}
}

// emit returns the unit built so far and starts the next one.
func (s *Splitter) emit() (Unit, error) {
	b, err := s.w.peek(s.head, s.ulen)
	if len(b) < s.ulen {
		if err == io.EOF {
			err = fmt.Errorf("%w: %s stream ends at offset %d, inside a piece that ends at %d or later",
				ErrTruncated, s.format, s.w.end(), s.head+int64(s.ulen))
		}
		s.fail(err)
		return s.drain()
	}
	u := Unit{Data: b[:s.ulen:s.ulen], Clean: s.uclean, Offset: s.head}
	if u.Clean {
		s.header = s.uhdr
	}
	s.head += int64(s.ulen)
	s.ulen, s.uclean, s.uhdr = 0, false, nil
	s.count(u)
	return u, nil
}

// fail records err. Bytes before the failure are returned first: those
// placed in units, and when the stream ended early or the reader failed,
// every byte read, so that nothing read is lost.
func (s *Splitter) fail(err error) {
	switch {
	case err == io.EOF:
		s.err, s.errEnd = io.EOF, s.head+int64(s.ulen+s.hold)
		return
	case errors.Is(err, ErrTruncated):
		s.errEnd = s.w.end()
	case errors.Is(err, ErrMalformed) || errors.Is(err, ErrTooLarge) || errors.Is(err, errInternal):
		s.errEnd = s.head + int64(s.ulen+s.hold)
	default:
		err = fmt.Errorf("media: read at offset %d: %w", s.w.end(), err)
		s.errEnd = s.w.end()
	}
	s.err = err
}

// drain returns what is left before errEnd in units of at most MaxUnit,
// then the error.
func (s *Splitter) drain() (Unit, error) {
	n := min(s.errEnd-s.head, int64(s.cfg.maxUnit))
	if n <= 0 {
		return Unit{}, s.err
	}
	b, _ := s.w.peek(s.head, 0)
	n = min(n, int64(len(b)))
	if n == 0 {
		return Unit{}, s.err
	}
	u := Unit{Data: b[:n:n], Clean: s.uclean, Offset: s.head}
	if u.Clean {
		s.header = s.uhdr
	}
	s.head += n
	s.ulen, s.hold, s.rem, s.uclean, s.uhdr = 0, 0, 0, false, nil
	s.count(u)
	return u, nil
}

// nextRaw returns what one read gives, at most MaxUnit bytes of it.
func (s *Splitter) nextRaw() (Unit, error) {
	if s.err != nil {
		return Unit{}, s.err
	}
	b, err := s.w.peek(s.head, 1)
	if len(b) == 0 {
		if err == io.EOF {
			s.err = io.EOF
		} else {
			s.err = fmt.Errorf("media: read at offset %d: %w", s.head, err)
		}
		return Unit{}, s.err
	}
	n := min(len(b), s.cfg.maxUnit)
	u := Unit{Data: b[:n:n], Offset: s.head}
	s.head += int64(n)
	s.count(u)
	return u, nil
}

func (s *Splitter) count(u Unit) {
	s.stats.Bytes += int64(len(u.Data))
	s.stats.Units++
	if u.Clean {
		s.stats.CleanUnits++
	}
}
