package media

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"
)

// mp4Parser finds clean points in fragmented MP4. The header is the latest
// ftyp plus the moov; a moof is a clean point when the first sample of its
// video track is a sync sample. styp, sidx, prft and emsg boxes are held
// so that, directly before a clean moof, they start its unit with it.
type mp4Parser struct {
	stats     *SplitterStats
	maxHeader int
	pos       int64
	ftyp      []byte // the latest ftyp, copied
	header    []byte // ftyp+moov; nil until a moov is seen
	tracks    mp4Tracks
}

func newMP4Parser(stats *SplitterStats, maxHeader int) *mp4Parser {
	return &mp4Parser{stats: stats, maxHeader: maxHeader}
}

func isMP4Start(typ []byte) bool {
	switch string(typ) {
	case "ftyp", "styp", "moof", "moov":
		return true
	}
	return false
}

func (p *mp4Parser) next(w *window) (item, error) {
	h, err := w.peek(p.pos, 16)
	if len(h) == 0 {
		return item{}, err
	}
	size, hl, typ, err := p.boxHeader(h, err)
	if err != nil {
		return item{}, err
	}
	it := item{n: size}
	switch typ {
	case "ftyp", "moov", "moof":
		limit := p.maxHeader
		if typ == "moov" {
			limit -= len(p.ftyp)
		}
		if size > int64(limit) {
			return item{}, fmt.Errorf("%w: mp4 %s box at offset %d has %d bytes, at most %d allowed",
				ErrTooLarge, typ, p.pos, size, limit)
		}
		b, err := w.peek(p.pos, int(size))
		if int64(len(b)) < size {
			return item{}, p.short(err, typ, size)
		}
		box := b[:size]
		switch typ {
		case "ftyp":
			p.ftyp = append([]byte(nil), box...)
		case "moov":
			if p.tracks, err = parseMoov(box[hl:]); err != nil {
				return item{}, fmt.Errorf("%w: mp4 moov at offset %d: %w", ErrMalformed, p.pos, err)
			}
			p.header = append(append(make([]byte, 0, len(p.ftyp)+len(box)), p.ftyp...), box...)
			p.stats.Headers++
		case "moof":
			sync, err := p.tracks.moofStartsSync(box[hl:])
			if err != nil {
				return item{}, fmt.Errorf("%w: mp4 moof at offset %d: %w", ErrMalformed, p.pos, err)
			}
			it.clean, it.hdr = sync && p.header != nil, p.header
		}
	case "styp", "sidx", "prft", "emsg":
		it.hold = true
	}
	p.pos += size
	return it, nil
}

// boxHeader reads a top-level box's size, header length and type from h,
// the bytes at the parser's position (err: the peek's error, for a short h).
func (p *mp4Parser) boxHeader(h []byte, err error) (size int64, hl int, typ string, _ error) {
	if len(h) < 8 {
		return 0, 0, "", p.short(err, "box header", 8)
	}
	size, hl, typ = int64(binary.BigEndian.Uint32(h)), 8, fourCC(h[4:8])
	if size == 1 {
		if len(h) < 16 {
			return 0, 0, "", p.short(err, typ+" box's 64-bit size", 16)
		}
		large := binary.BigEndian.Uint64(h[8:])
		if large > math.MaxInt64 {
			return 0, 0, "", fmt.Errorf("%w: mp4 %q box at offset %d declares %d bytes", ErrMalformed, typ, p.pos, large)
		}
		size, hl = int64(large), 16
	}
	switch {
	case size == 0:
		return 0, 0, "", fmt.Errorf("%w: mp4 %q box at offset %d runs to the end of the file, which a stream has not",
			ErrMalformed, typ, p.pos)
	case size < int64(hl):
		return 0, 0, "", fmt.Errorf("%w: mp4 %q box at offset %d declares %d bytes, less than its %d-byte header",
			ErrMalformed, typ, p.pos, size, hl)
	}
	return size, hl, typ, nil
}

// short turns a peek's error for a piece of want bytes at the parser's
// position into the error to return.
func (p *mp4Parser) short(err error, what string, want int64) error {
	if err == io.EOF || err == nil {
		return fmt.Errorf("%w: mp4 stream ends inside the %s at offset %d (%d bytes)", ErrTruncated, what, p.pos, want)
	}
	return err
}
