package media

import (
	"fmt"
	"io"
)

// maxEmptyReads is how many (0, nil) reads in a row a reader may return
// before it is declared stuck, as bufio does.
const maxEmptyReads = 100

// window is the splitter's read buffer: the stream bytes from offset off
// that are still needed, read from r on demand. Parsers address it by
// stream offset, so its compaction is invisible to them. It never holds
// more than limit bytes.
type window struct {
	r     io.Reader
	buf   []byte // buf[:n] holds the stream bytes from offset off
	n     int
	off   int64
	keep  int64 // bytes before this offset are no longer needed
	limit int
	err   error // the reader's first error (io.EOF at the end); sticky
}

func newWindow(r io.Reader, limit int) window {
	return window{r: r, limit: limit, buf: make([]byte, min(limit, 32<<10))}
}

// end is the offset just past the last byte read.
func (w *window) end() int64 { return w.off + int64(w.n) }

// release says that bytes before off will not be asked for again.
func (w *window) release(off int64) { w.keep = max(w.keep, off) }

// peek returns the bytes read so far from offset at on (at must not be
// below the released offset, and may be past the bytes read so far),
// reading until there are at least k of them.
// When the stream ends or fails first, the shorter slice comes with the
// reader's error (io.EOF at the end of the stream). The slice aliases the
// window: it is valid until the next peek or release.
func (w *window) peek(at int64, k int) ([]byte, error) {
	if at < w.keep {
		return nil, fmt.Errorf("%w: read at offset %d outside the window", errInternal, at)
	}
	if int64(k) > int64(w.limit)-(at-w.keep) {
		return nil, fmt.Errorf("%w: %d bytes at offset %d are beyond the %d-byte buffer",
			ErrTooLarge, k, at, w.limit)
	}
	for w.end()-at < int64(k) && w.err == nil {
		w.fill(at + int64(k))
	}
	if at > w.end() {
		return nil, w.err
	}
	b := w.buf[at-w.off : w.n]
	if len(b) < k {
		return b, w.err
	}
	return b, nil
}

// fill makes room for the bytes up to offset want and reads once or, when
// the reader returns nothing, a few times.
func (w *window) fill(want int64) {
	if int64(len(w.buf))-(want-w.off) < 0 || w.n == len(w.buf) {
		w.compact()
	}
	if need := int(want - w.off); need > len(w.buf) {
		grown := make([]byte, min(max(need, 2*len(w.buf)), w.limit))
		copy(grown, w.buf[:w.n])
		w.buf = grown
	}
	for range maxEmptyReads {
		m, err := w.r.Read(w.buf[w.n:])
		if m < 0 || m > len(w.buf)-w.n {
			w.err = fmt.Errorf("media: reader returned %d bytes for a %d-byte buffer", m, len(w.buf)-w.n)
			return
		}
		w.n += m
		if err != nil {
			w.err = err
			return
		}
		if m > 0 {
			return
		}
	}
	w.err = io.ErrNoProgress
}

// compact drops the released bytes from the front of the buffer.
func (w *window) compact() {
	drop := int(w.keep - w.off)
	if drop <= 0 {
		return
	}
	w.n = copy(w.buf, w.buf[drop:w.n])
	w.off = w.keep
}
