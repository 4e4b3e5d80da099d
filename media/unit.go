package media

// Unit is a piece of the container stream. Units come in stream order and
// together they are the stream: concatenating every Unit.Data gives back
// the input bytes exactly.
type Unit struct {
	// Data is the unit's bytes. It aliases the splitter's buffer and is
	// valid until the next call to Next; copy it to keep it.
	Data []byte
	// Clean says a decoder given the splitter's Header can start decoding
	// at Data[0].
	Clean bool
	// Offset is Data[0]'s offset in the stream.
	Offset int64
}

// SplitterStats counts what a Splitter has returned and met so far.
type SplitterStats struct {
	Bytes      int64 // in the units returned
	Units      int64 // returned
	CleanUnits int64 // returned with Clean set
	Headers    int64 // init headers parsed whole (each new one is a new slice)
	// Resyncs counts the times an MPEG-TS packet start did not hold the
	// sync byte; SkippedBytes the bytes passed over to find it again.
	// Skipped bytes are still returned, in non-clean units.
	Resyncs      int64
	SkippedBytes int64
}

// item is one structural piece of a stream as a parser sees it: a TS
// packet, an MP4 box, a Matroska element (or just its ID and size, for
// the elements whose children are walked).
type item struct {
	n     int64  // bytes; may be more than the window holds: they stream through
	clean bool   // a decoder given hdr can start at the item
	hold  bool   // belongs with the next item if that one is clean
	hdr   []byte // the header in effect, for a clean item
}

// parser turns the bytes at its position into the next item and moves
// past it. io.EOF means the stream ended cleanly, on an item boundary.
type parser interface {
	next(w *window) (item, error)
}
