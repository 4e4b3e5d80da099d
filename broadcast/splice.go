package broadcast

import (
	"bytes"

	"github.com/gridcast/gridcast/media"
)

// Played is a chunk handed out in playout order.
type Played struct {
	Chunk
	// Gap reports that the chunk does not follow the one played before it:
	// chunks in between were skipped, or a new run began.
	Gap bool
}

// Splicer turns chunks in playout order into a byte stream that a player
// can decode from its first byte: it starts at a clean start point, puts
// the container's init header first, and after a gap waits for the next
// clean start where the container cannot survive a hole. One Splicer
// serves one output (a file, an HTTP response); it is pure and not safe
// for concurrent use.
//
// Where to resume after a gap depends on the container. MPEG-TS is a
// sequence of self-delimiting 188-byte packets, and a broadcaster that
// knows it cuts chunks on packet boundaries, so players resynchronise by
// themselves: the Splicer goes on. WebM and MP4 are trees of sized
// elements; a hole shifts every size after it, so the Splicer waits for
// the next clean start. Raw streams are not understood at all: every raw
// chunk is a clean start and the Splicer goes on.
type Splicer struct {
	started bool
	syncing bool         // dropping until the next clean start
	format  media.Format // of the last header seen
	header  []byte       // last header written
	dropped uint64
}

// Splice returns what to write for p: the header to write first (nil when
// none is due) and the payload (nil when the chunk is dropped). Both
// alias p's bytes.
func (s *Splicer) Splice(p Played) (header, payload []byte) {
	clean := p.Flags&FlagCleanStart != 0
	if p.Flags&FlagHeader != 0 {
		s.format = p.Format
	}
	if p.Gap && s.started && s.format != media.FormatMPEGTS && s.format != media.FormatRaw {
		s.syncing = true
	}
	if (!s.started || s.syncing) && !clean {
		if len(p.Payload) > 0 {
			s.dropped++
		}
		return nil, nil
	}
	s.started, s.syncing = true, false
	if p.Flags&FlagHeader != 0 && len(p.Header) > 0 && !bytes.Equal(p.Header, s.header) {
		// A new init (the first, or a restarted encoder's) goes out once;
		// repeating an unchanged one would break WebM and MP4 players.
		s.header = p.Header
		header = p.Header
	}
	if len(p.Payload) == 0 {
		return header, nil
	}
	return header, p.Payload
}

// Started reports whether the Splicer has found its first clean start.
func (s *Splicer) Started() bool { return s.started }

// Format returns the container format of the last header seen;
// media.FormatRaw until one arrives.
func (s *Splicer) Format() media.Format { return s.format }

// Dropped counts chunks with payload dropped while waiting for a clean
// start.
func (s *Splicer) Dropped() uint64 { return s.dropped }
