package broadcast

import (
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"time"
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
	// FlagStreamStart: the first chunk of a broadcast run, whose sequence
	// number is the run's base; nothing earlier exists in this run.
	FlagStreamStart Flags = 1 << 2

	knownFlags = FlagCleanStart | FlagEndOfStream | FlagStreamStart
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
// ID and the payload.
const headerLen = 1 + 1 + 1 + 8 + 8 + 4

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
	if len(c.Payload) > maxPayload {
		return dst, fmt.Errorf("%w: payload is %d bytes, at most %d allowed", ErrOversized, len(c.Payload), maxPayload)
	}
	if unknown := c.Flags &^ knownFlags; unknown != 0 {
		return dst, fmt.Errorf("%w: unknown flag bits %#02x", ErrMalformed, uint8(unknown))
	}
	if c.Time.Before(minTime) || c.Time.After(maxTime) {
		return dst, fmt.Errorf("%w: publish time %v is outside what int64 Unix nanoseconds hold (is it unset?)", ErrMalformed, c.Time)
	}
	dst = slices.Grow(dst, headerLen+len(id)+len(c.Payload))
	dst = append(dst, Version, byte(c.Flags), byte(len(id)))
	dst = append(dst, id...)
	dst = binary.BigEndian.AppendUint64(dst, c.Seq)
	dst = binary.BigEndian.AppendUint64(dst, uint64(c.Time.UnixNano()))
	dst = binary.BigEndian.AppendUint32(dst, uint32(len(c.Payload)))
	return append(dst, c.Payload...), nil
}

func payloadLimit(maxPayload int) int {
	if maxPayload <= 0 {
		return DefaultMaxPayload
	}
	return min(maxPayload, maxPayloadLimit)
}
