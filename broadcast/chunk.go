package broadcast

import (
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/gridcast/gridcast/media"
)

// Flags mark a chunk's role in the stream.
type Flags uint8

const (
	// FlagCleanStart: a player can start decoding here (keyframe, headers
	// present).
	FlagCleanStart Flags = 1 << 0
	// FlagEndOfStream: the last chunk of the broadcast; its payload may be
	// empty.
	FlagEndOfStream Flags = 1 << 1
	// FlagStreamStart: a start of a broadcast run; nothing earlier in this
	// run reached anyone. A Broadcaster sets it on the run's chunks until
	// one is published with mesh peers to go to.
	FlagStreamStart Flags = 1 << 2
	// FlagHeader: the chunk carries its container's format and init header
	// (Chunk.Format, Chunk.Header), so a player can start decoding at it
	// without having seen the stream's first bytes. Only a clean start
	// point may carry it.
	FlagHeader Flags = 1 << 3

	knownFlags = FlagCleanStart | FlagEndOfStream | FlagStreamStart | FlagHeader
)

// Version is the wire format version written and accepted.
const Version = 1

// DefaultMaxPayload is the largest payload sent or accepted unless
// configured otherwise. Every router caps an RPC at relay.MaxMessageSize
// (256 KiB), and a chunk travels inside an RPC next to its signature, key,
// topic and sequence number, so a chunk must stay well below it. And every
// relay stores a whole chunk before it forwards it, so each hop adds
// size/bandwidth of delay: 128 KiB is about 0.1 s per hop at 10 Mbit/s,
// already a fair share of the playout deadline over a few hops. Live video
// wants much smaller chunks; this is a ceiling, not a target.
const DefaultMaxPayload = 128 << 10

// headerLen is the fixed part of the wire form: everything but the channel
// ID, the media header block and the payload.
const headerLen = 1 + 1 + 1 + 8 + 8 + 4

// mediaBlockLen is the fixed part of the media header block that
// FlagHeader adds: format and header length.
const mediaBlockLen = 1 + 4

// maxPayloadLimit is the largest payload a uint32 length can declare and an
// int frame length can hold.
const maxPayloadLimit = min(math.MaxUint32, math.MaxInt-headerLen-MaxIDLen)

// The publish times that int64 Unix nanoseconds can hold (years 1677–2262).
var (
	minTime = time.Unix(0, math.MinInt64)
	maxTime = time.Unix(0, math.MaxInt64)
)

// Chunk is one piece of the stream.
type Chunk struct {
	// Channel is the stream the chunk belongs to.
	Channel Channel
	// Seq numbers the chunks of a run consecutively from the run's base.
	Seq uint64
	// Time is when the chunk was published, by the broadcaster's clock. It
	// travels as Unix nanoseconds, so monotonic readings and locations are
	// not kept.
	Time  time.Time
	Flags Flags
	// Payload is the stream's bytes; the end-of-stream chunk may have none.
	Payload []byte
	// Format and Header travel only with FlagHeader: the container format
	// and the init header a player needs before Payload (MPEG-TS PAT and
	// PMT, WebM EBML header through Tracks, MP4 ftyp and moov). Header and
	// Payload together count against the payload limit.
	Format media.Format
	Header []byte
}

// AppendEncode appends the wire form of c to dst and returns the extended
// slice. The payload limit is DefaultMaxPayload; use an Encoder for another
// limit, or to skip validating the channel on every call.
//
// Errors: ErrBadChannelID if c.Channel is invalid, ErrOversized if the
// payload is above the limit, ErrMalformed for unknown flag bits or a Time
// that int64 nanoseconds cannot hold (such as the zero Time). On error dst
// is returned unchanged.
func (c *Chunk) AppendEncode(dst []byte) ([]byte, error) {
	id, err := c.Channel.validID()
	if err != nil {
		return dst, fmt.Errorf("broadcast: encode chunk: %w", err)
	}
	return appendChunk(dst, id, DefaultMaxPayload, c)
}

// Encode returns the wire form of c in a new slice; see AppendEncode.
func (c *Chunk) Encode() ([]byte, error) { return c.AppendEncode(nil) }

// Encoder encodes the chunks of one channel. It validates the channel and
// formats its ID once, so encoding a chunk costs one copy of the payload and
// no allocation when dst has room. An Encoder is immutable and safe for
// concurrent use.
type Encoder struct {
	ch         Channel
	id         string
	maxPayload int
}

// NewEncoder returns an encoder for ch's chunks. maxPayload <= 0 means
// DefaultMaxPayload; values above what a uint32 length can declare are
// lowered to that. Errors wrap ErrBadChannelID.
func NewEncoder(ch Channel, maxPayload int) (*Encoder, error) {
	id, err := ch.validID()
	if err != nil {
		return nil, fmt.Errorf("broadcast: new encoder: %w", err)
	}
	return &Encoder{ch: ch, id: id, maxPayload: payloadLimit(maxPayload)}, nil
}

// Channel returns the channel the encoder writes.
func (e *Encoder) Channel() Channel { return e.ch }

// AppendEncode appends the wire form of c to dst, like Chunk.AppendEncode
// but with the encoder's payload limit. c.Channel must be the encoder's
// channel (ErrWrongChannel otherwise). On error dst is returned unchanged.
func (e *Encoder) AppendEncode(dst []byte, c *Chunk) ([]byte, error) {
	if c.Channel != e.ch {
		return dst, fmt.Errorf("%w: encoder for %s given a chunk of %s", ErrWrongChannel, e.id, c.Channel)
	}
	return appendChunk(dst, e.id, e.maxPayload, c)
}

func appendChunk(dst []byte, id string, maxPayload int, c *Chunk) ([]byte, error) {
	if len(c.Payload) > maxPayload || len(c.Header) > maxPayload-len(c.Payload) {
		return dst, fmt.Errorf("%w: header and payload are %d+%d bytes, at most %d allowed",
			ErrOversized, len(c.Header), len(c.Payload), maxPayload)
	}
	if unknown := c.Flags &^ knownFlags; unknown != 0 {
		return dst, fmt.Errorf("%w: unknown flag bits %#02x", ErrMalformed, uint8(unknown))
	}
	hasHeader := c.Flags&FlagHeader != 0
	switch {
	case hasHeader && c.Flags&FlagCleanStart == 0:
		return dst, fmt.Errorf("%w: a media header on a chunk that is not a clean start", ErrMalformed)
	case hasHeader && !knownFormat(c.Format):
		return dst, fmt.Errorf("%w: unknown container format %d", ErrMalformed, uint8(c.Format))
	case !hasHeader && (c.Format != media.FormatRaw || len(c.Header) > 0):
		return dst, fmt.Errorf("%w: format or header set without FlagHeader", ErrMalformed)
	}
	if c.Time.Before(minTime) || c.Time.After(maxTime) {
		return dst, fmt.Errorf("%w: publish time %v is outside what int64 Unix nanoseconds hold (is it unset?)", ErrMalformed, c.Time)
	}
	size := headerLen + len(id) + len(c.Payload)
	if hasHeader {
		size += mediaBlockLen + len(c.Header)
	}
	dst = slices.Grow(dst, size)
	dst = append(dst, Version, byte(c.Flags), byte(len(id)))
	dst = append(dst, id...)
	dst = binary.BigEndian.AppendUint64(dst, c.Seq)
	dst = binary.BigEndian.AppendUint64(dst, uint64(c.Time.UnixNano()))
	if hasHeader {
		dst = append(dst, byte(c.Format))
		dst = binary.BigEndian.AppendUint32(dst, uint32(len(c.Header)))
		dst = append(dst, c.Header...)
	}
	dst = binary.BigEndian.AppendUint32(dst, uint32(len(c.Payload)))
	return append(dst, c.Payload...), nil
}

func payloadLimit(maxPayload int) int {
	if maxPayload <= 0 {
		return DefaultMaxPayload
	}
	return min(maxPayload, maxPayloadLimit)
}

// knownFormat reports whether f is a container format this version carries.
func knownFormat(f media.Format) bool {
	switch f {
	case media.FormatRaw, media.FormatMPEGTS, media.FormatWebM, media.FormatMP4:
		return true
	}
	return false
}
