package media

import "fmt"

// Defaults and limits, in one place.
const (
	// DefaultMaxHeader is the largest init header accepted (an MP4
	// ftyp+moov, a WebM EBML header through the last element before the
	// first Cluster). It also bounds every structure the splitter holds
	// whole to parse it: an MP4 moof and the look-ahead into a WebM Cluster.
	// 1 MiB is far above what encoders write for a few tracks.
	DefaultMaxHeader = 1 << 20
	// DefaultMaxUnit is the largest unit Next returns. A stretch without a
	// clean point is returned in several units of at most this size. Next
	// holds bytes until a unit is complete, so this bounds the delay the
	// splitter adds to a live stream: 4 KiB is about 0.1 s at 300 kbit/s
	// and 16 ms at 2 Mbit/s, and 21 whole MPEG-TS packets.
	DefaultMaxUnit = 4 << 10

	// MinMaxUnit and MinMaxHeader are the smallest values the options
	// accept: a unit must hold a few MPEG-TS packets, a header at least a
	// multi-packet PMT. MaxLimit is the largest either accepts.
	MinMaxUnit   = 1 << 10
	MinMaxHeader = 1 << 10
	MaxLimit     = 1 << 30

	// autoDetectBytes is how much FormatAuto reads before it decides:
	// enough to see three MPEG-TS sync bytes.
	autoDetectBytes = 2*tsPacketSize + 1
	// maxHoldBytes bounds the small boxes or packets kept back so that they
	// can join the clean unit after them (PAT/PMT, styp/sidx).
	maxHoldBytes = 8 << 10
)

type config struct {
	maxHeader int
	maxUnit   int
}

func defaultConfig() config {
	return config{maxHeader: DefaultMaxHeader, maxUnit: DefaultMaxUnit}
}

// Option configures [NewSplitter]. A bad value is an error from
// NewSplitter, not a panic.
type Option func(*config) error

// WithMaxHeader sets the largest init header, moof or cluster look-ahead
// the splitter holds (default [DefaultMaxHeader]); n must be within
// [MinMaxHeader, MaxLimit].
func WithMaxHeader(n int) Option {
	return func(c *config) error {
		if n < MinMaxHeader || n > MaxLimit {
			return fmt.Errorf("media: max header %d outside [%d, %d]", n, MinMaxHeader, MaxLimit)
		}
		c.maxHeader = n
		return nil
	}
}

// WithMaxUnit sets the largest unit Next returns (default
// [DefaultMaxUnit]); n must be within [MinMaxUnit, MaxLimit].
func WithMaxUnit(n int) Option {
	return func(c *config) error {
		if n < MinMaxUnit || n > MaxLimit {
			return fmt.Errorf("media: max unit %d outside [%d, %d]", n, MinMaxUnit, MaxLimit)
		}
		c.maxUnit = n
		return nil
	}
}

// maxHold bounds the bytes held back for the next unit: they go in one
// unit, so they must fit in one.
func (c config) maxHold() int { return min(maxHoldBytes, c.maxUnit) }

// windowLimit is the most bytes the splitter buffers: a unit being built,
// the bytes held back after it, and the look-ahead of one structure parsed
// whole, with room for an element header.
func (c config) windowLimit() int {
	return c.maxUnit + maxHoldBytes + max(c.maxHeader, tsResyncSpan) + 64
}
