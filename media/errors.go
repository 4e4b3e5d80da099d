package media

import "errors"

// Every failure the package reports wraps one of these sentinels, so callers
// can branch with errors.Is while the wrapping text carries the detail: the
// format, the byte offset in the stream and the sizes involved. The one
// exception is a failing reader: its error is passed on wrapped, as it came.
var (
	// ErrUnknownFormat: a format name or value the package does not know.
	ErrUnknownFormat = errors.New("media: unknown format")
	// ErrMalformed: the stream's structure is inconsistent (a box or
	// element size smaller than its own header, a size the stream cannot
	// have, an invalid EBML ID or size) so that where the next piece starts
	// cannot be known.
	ErrMalformed = errors.New("media: malformed stream")
	// ErrTooLarge: a structure the splitter must hold whole (an init header,
	// a moof, a cluster's look-ahead) is above the configured maximum.
	ErrTooLarge = errors.New("media: structure too large")
	// ErrTruncated: the stream ends inside a packet, box or element.
	ErrTruncated = errors.New("media: truncated stream")
)

// errInternal marks a broken invariant of the splitter itself. It is not
// exported because no input should produce it; the fuzz targets check
// that none does.
var errInternal = errors.New("media: internal error")
