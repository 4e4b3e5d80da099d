package broadcast

import (
	"encoding/binary"
	"fmt"
	"time"

	"github.com/gridcast/gridcast/media"
)

// Decoder decodes the chunks of one channel. It holds the channel's ID bytes
// so that Decode allocates nothing on success. A Decoder is immutable and
// safe for concurrent use.
type Decoder struct {
	ch         Channel
	id         string
	maxPayload int
	maxFrame   int // longest input any channel ID could make valid
}

// NewDecoder returns a decoder for ch's chunks that accepts payloads of up to
// maxPayload bytes; maxPayload <= 0 means DefaultMaxPayload, and values above
// what a uint32 length can declare are lowered to that. Errors wrap
// ErrBadChannelID.
func NewDecoder(ch Channel, maxPayload int) (*Decoder, error) {
	id, err := ch.validID()
	if err != nil {
		return nil, fmt.Errorf("broadcast: new decoder: %w", err)
	}
	maxPayload = payloadLimit(maxPayload)
	return &Decoder{
		ch:         ch,
		id:         id,
		maxPayload: maxPayload,
		maxFrame:   headerLen + MaxIDLen + mediaBlockLen + maxPayload,
	}, nil
}

// Channel returns the channel the decoder accepts.
func (d *Decoder) Channel() Channel { return d.ch }

// MaxPayload returns the largest payload the decoder accepts.
func (d *Decoder) MaxPayload() int { return d.maxPayload }

// Decode parses one chunk in wire form. It never panics, and no length field
// is trusted before it is checked against len(data) and the payload limit.
//
// The returned chunk's Channel is the decoder's, and its Payload aliases
// data (with its capacity clipped, so appending to it cannot overwrite data):
// the caller must not modify data while the chunk is in use, and must copy
// the payload to keep it past data's lifetime.
//
// Errors, checked in this order, each wrapping its own sentinel:
//   - ErrTruncated: data is empty.
//   - ErrUnknownVersion: the version byte is not Version.
//   - ErrOversized: data is longer than any chunk with an allowed payload.
//   - ErrTruncated: data is shorter than the fixed header.
//   - ErrMalformed: unknown flag bits, or a zero channel ID length.
//   - ErrTruncated: data ends inside the channel ID or the fields after it.
//   - ErrWrongChannel: the channel ID is not the decoder's.
//   - With FlagHeader: ErrMalformed if the chunk is not a clean start or
//     the format is unknown; ErrOversized if the declared header length
//     is above the limit; ErrTruncated if the data ends inside the header.
//   - ErrOversized: the declared payload length is above the limit, less
//     the header's length.
//   - ErrTruncated: fewer payload bytes remain than declared.
//   - ErrMalformed: more payload bytes remain than declared.
func (d *Decoder) Decode(data []byte) (Chunk, error) {
	if len(data) == 0 {
		return Chunk{}, fmt.Errorf("%w: no data", ErrTruncated)
	}
	if data[0] != Version {
		return Chunk{}, fmt.Errorf("%w: version %d, want %d", ErrUnknownVersion, data[0], Version)
	}
	if len(data) > d.maxFrame {
		return Chunk{}, fmt.Errorf("%w: %d bytes, at most %d allowed", ErrOversized, len(data), d.maxFrame)
	}
	if len(data) < headerLen {
		return Chunk{}, fmt.Errorf("%w: %d bytes, shorter than the %d-byte header", ErrTruncated, len(data), headerLen)
	}
	flags := Flags(data[1])
	if unknown := flags &^ knownFlags; unknown != 0 {
		return Chunk{}, fmt.Errorf("%w: unknown flag bits %#02x", ErrMalformed, uint8(unknown))
	}
	idLen := int(data[2])
	if idLen == 0 {
		return Chunk{}, fmt.Errorf("%w: empty channel ID", ErrMalformed)
	}
	if fixed := headerLen + idLen; len(data) < fixed {
		return Chunk{}, fmt.Errorf("%w: %d bytes, shorter than the %d-byte header with its %d-byte channel ID",
			ErrTruncated, len(data), fixed, idLen)
	}
	id := data[3 : 3+idLen]
	if string(id) != d.id {
		return Chunk{}, fmt.Errorf("%w: chunk is for %q, want %q", ErrWrongChannel, id, d.id)
	}
	rest := data[3+idLen:]
	seq := binary.BigEndian.Uint64(rest)
	nanos := int64(binary.BigEndian.Uint64(rest[8:]))
	rest = rest[16:]
	c := Chunk{Channel: d.ch, Seq: seq, Time: time.Unix(0, nanos), Flags: flags}
	budget := d.maxPayload
	if flags&FlagHeader != 0 {
		var err error
		if rest, err = d.decodeMedia(&c, rest); err != nil {
			return Chunk{}, err
		}
		budget -= len(c.Header)
	}
	if len(rest) < 4 {
		return Chunk{}, fmt.Errorf("%w: data ends before the payload length", ErrTruncated)
	}
	n := binary.BigEndian.Uint32(rest)
	if uint64(n) > uint64(budget) {
		if len(c.Header) > 0 {
			return Chunk{}, fmt.Errorf("%w: declared payload of %d bytes with a %d-byte media header, at most %d allowed in all",
				ErrOversized, n, len(c.Header), d.maxPayload)
		}
		return Chunk{}, fmt.Errorf("%w: declared payload of %d bytes, at most %d allowed", ErrOversized, n, d.maxPayload)
	}
	switch remain := len(rest) - 4; {
	case int(n) > remain:
		return Chunk{}, fmt.Errorf("%w: declared payload of %d bytes, %d present", ErrTruncated, n, remain)
	case int(n) < remain:
		return Chunk{}, fmt.Errorf("%w: declared payload of %d bytes, %d present", ErrMalformed, n, remain)
	}
	c.Payload = rest[4:len(rest):len(rest)]
	return c, nil
}

// decodeMedia reads the media header block that FlagHeader announces into
// c and returns what follows it.
func (d *Decoder) decodeMedia(c *Chunk, rest []byte) ([]byte, error) {
	if c.Flags&FlagCleanStart == 0 {
		return nil, fmt.Errorf("%w: a media header on a chunk that is not a clean start", ErrMalformed)
	}
	if len(rest) < mediaBlockLen {
		return nil, fmt.Errorf("%w: data ends inside the media header block", ErrTruncated)
	}
	c.Format = media.Format(rest[0])
	if !knownFormat(c.Format) {
		return nil, fmt.Errorf("%w: unknown container format %d", ErrMalformed, rest[0])
	}
	h := binary.BigEndian.Uint32(rest[1:])
	rest = rest[mediaBlockLen:]
	if uint64(h) > uint64(d.maxPayload) {
		return nil, fmt.Errorf("%w: declared media header of %d bytes, at most %d allowed", ErrOversized, h, d.maxPayload)
	}
	if int(h) > len(rest) {
		return nil, fmt.Errorf("%w: declared media header of %d bytes, %d present", ErrTruncated, h, len(rest))
	}
	c.Header = rest[:h:h]
	return rest[h:], nil
}
