package media

import (
	"errors"
	"fmt"
	"io"
)

// webmParser finds clean points in WebM/Matroska. The header is the EBML
// header, the Segment's ID and size (rewritten to unknown), and every
// Segment child before the first Cluster; a Cluster is a clean point when the first block of the
// video track in it is a keyframe. A Cluster of unknown size is walked
// child by child, so that the next Cluster or other top-level element
// ends it.
type webmParser struct {
	stats     *SplitterStats
	maxHeader int
	pos       int64
	inCluster bool   // inside a Cluster of unknown size
	building  []byte // the header being gathered; nil when none is
	header    []byte // the header in effect; nil until a Cluster follows one
	hasVideo  bool
	video     uint64 // the video track's number
}

func newWebMParser(stats *SplitterStats, maxHeader int) *webmParser {
	return &webmParser{stats: stats, maxHeader: maxHeader}
}

func (p *webmParser) next(w *window) (item, error) {
	b, err := w.peek(p.pos, ebmlMaxHeader)
	if len(b) == 0 {
		return item{}, err
	}
	id, size, hl, known, herr := ebmlHead(b)
	if herr != nil {
		return item{}, p.headErr(herr, err)
	}
	n := int64(hl) + int64(size) // an 8-byte vint is below 2^56: no overflow
	if p.inCluster && !isLevel1(id) {
		if !known {
			return item{}, fmt.Errorf("%w: webm cluster child %#x at offset %d has an unknown size", ErrMalformed, id, p.pos)
		}
		p.pos += n
		return item{n: n}, nil
	}
	p.inCluster = false
	switch {
	case id == idSegment:
		if p.building != nil {
			if err := p.gather(b[:hl]); err != nil {
				return item{}, err
			}
			markUnknownSize(p.building[len(p.building)-hl:])
		}
		p.pos += int64(hl)
		return item{n: int64(hl)}, nil
	case id == idCluster:
		if p.building != nil {
			p.header, p.building = p.building, nil
			p.stats.Headers++
		}
		end := p.pos + n
		if !known {
			p.inCluster, n, end = true, int64(hl), -1
		}
		it := item{n: n, hdr: p.header}
		it.clean = p.header != nil && (!p.hasVideo || p.keyframeFirst(w, p.pos+int64(hl), end))
		p.pos += n
		return it, nil
	case !known:
		return item{}, fmt.Errorf("%w: webm element %#x at offset %d has an unknown size", ErrMalformed, id, p.pos)
	case id == idEBML:
		p.building, p.hasVideo = []byte{}, false
	}
	if p.building != nil {
		if n > int64(p.maxHeader-len(p.building)) {
			return item{}, fmt.Errorf("%w: webm header reaches %d bytes with element %#x at offset %d, at most %d allowed",
				ErrTooLarge, int64(len(p.building))+n, id, p.pos, p.maxHeader)
		}
		b, err := w.peek(p.pos, int(n))
		if int64(len(b)) < n {
			return item{}, p.short(err, n)
		}
		if id == idTracks {
			if err := p.parseTracks(b[hl:n]); err != nil {
				return item{}, fmt.Errorf("%w: webm tracks at offset %d: %w", ErrMalformed, p.pos, err)
			}
		}
		if err := p.gather(b[:n]); err != nil {
			return item{}, err
		}
	}
	p.pos += n
	return item{n: n}, nil
}

// markUnknownSize rewrites the size of the element that starts h to
// "unknown", keeping its length. A joiner's stream is the header and a
// tail of the stream: a Segment size counted for the whole stream would
// claim bytes it never gets, which demuxers report as an error. Keeping
// the length keeps right the SeekHead's offsets into the header.
func markUnknownSize(h []byte) {
	_, idn, err := ebmlID(h)
	if err != nil || idn >= len(h) {
		return
	}
	n := vintLen(h[idn])
	if n == 0 || idn+n > len(h) {
		return
	}
	size := h[idn : idn+n]
	size[0] = 0xFF >> (n - 1)
	for i := 1; i < n; i++ {
		size[i] = 0xFF
	}
}

// gather adds b to the header being built.
func (p *webmParser) gather(b []byte) error {
	if len(b) > p.maxHeader-len(p.building) {
		return fmt.Errorf("%w: webm header reaches %d bytes at offset %d, at most %d allowed",
			ErrTooLarge, len(p.building)+len(b), p.pos, p.maxHeader)
	}
	p.building = append(p.building, b...)
	return nil
}

// parseTracks takes the number of the first video track.
func (p *webmParser) parseTracks(body []byte) error {
	return eachElement(body, func(id uint32, entry []byte) error {
		if id != idTrackEntry {
			return nil
		}
		var num, typ uint64
		err := eachElement(entry, func(id uint32, v []byte) error {
			var err error
			switch id {
			case idTrackNumber:
				num, err = ebmlUint(v)
			case idTrackType:
				typ, err = ebmlUint(v)
			}
			return err
		})
		if err == nil && typ == trackTypeVideo && !p.hasVideo {
			p.hasVideo, p.video = true, num
		}
		return err
	})
}

// keyframeFirst looks into the Cluster whose children start at from and
// end at end (-1: unknown) for the first block of the video track, and
// says whether it is a keyframe. It looks at most maxHeader bytes ahead;
// undecided is not a keyframe.
func (p *webmParser) keyframeFirst(w *window, from, end int64) bool {
	limit := from + int64(p.maxHeader)
	if end >= 0 {
		limit = min(limit, end)
	}
	for at := from; at < limit; {
		b, _ := w.peek(at, ebmlMaxHeader)
		id, size, hl, known, err := ebmlHead(b)
		if err != nil || !known || (end < 0 && isLevel1(id)) {
			return false
		}
		n := int64(hl) + int64(size)
		if size > uint64(limit-at) || n > limit-at {
			return false
		}
		switch id {
		case idSimpleBlock:
			b, _ := w.peek(at+int64(hl), 11)
			if track, flags, ok := blockHead(b[:min(len(b), int(size))]); ok && track == p.video {
				return flags&0x80 != 0
			}
		case idBlockGroup:
			b, _ := w.peek(at, int(n))
			if int64(len(b)) < n {
				return false
			}
			if video, key := p.blockGroup(b[hl:n]); video {
				return key
			}
		}
		at += n
	}
	return false
}

// blockGroup says whether a BlockGroup holds a video Block, and whether
// that is a keyframe: one that references no other block.
func (p *webmParser) blockGroup(body []byte) (video, key bool) {
	ref := false
	err := eachElement(body, func(id uint32, v []byte) error {
		switch id {
		case idBlock:
			track, _, ok := blockHead(v)
			video = ok && track == p.video
		case idRefBlock:
			ref = true
		}
		return nil
	})
	return video && err == nil, !ref
}

// blockHead reads a (Simple)Block's track number and flags byte.
func blockHead(b []byte) (track uint64, flags byte, ok bool) {
	track, n, _, err := ebmlSize(b)
	if err != nil || len(b) < n+3 {
		return 0, 0, false
	}
	return track, b[n+2], true
}

// headErr turns a failure to read an element's head into the error to
// return: peekErr is the peek's, for a short read.
func (p *webmParser) headErr(herr, peekErr error) error {
	if errors.Is(herr, errEBMLShort) {
		return p.short(peekErr, ebmlMaxHeader)
	}
	return fmt.Errorf("%w: webm element at offset %d: %w", ErrMalformed, p.pos, herr)
}

func (p *webmParser) short(err error, want int64) error {
	if err == io.EOF || err == nil {
		return fmt.Errorf("%w: webm stream ends inside the element at offset %d (%d bytes)", ErrTruncated, p.pos, want)
	}
	return err
}
