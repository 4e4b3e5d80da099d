package directory

import (
	"encoding/binary"
	"fmt"
	"time"

	"github.com/gridcast/gridcast/broadcast"
)

// beatFixedLen is a beat's size without its channel ID.
const beatFixedLen = 1 + 1 + 4 + 8

// Beat is one viewer's presence sample: "I am watching, and I sampled at
// this scale". Its author is the pubsub message's signer; the beat does not
// repeat it.
type Beat struct {
	Channel broadcast.Channel
	// Scale is the sampling scale S the viewer beat with, 1..MaxScale; the
	// counter weighs the beat by it.
	Scale int
	// Time is when the beat was sent, by the viewer's clock.
	Time time.Time
}

// AppendEncode appends the beat's wire form to dst. Errors wrap
// ErrBadChannel or ErrBadValue.
func (b Beat) AppendEncode(dst []byte) ([]byte, error) {
	if err := b.Channel.Validate(); err != nil {
		return dst, fmt.Errorf("%w: %w", ErrBadChannel, err)
	}
	if b.Scale < 1 || b.Scale > MaxScale {
		return dst, fmt.Errorf("%w: scale %d, want 1 to %d", ErrBadValue, b.Scale, MaxScale)
	}
	nanos, ok := unixNanos(b.Time)
	if !ok || nanos == 0 {
		return dst, fmt.Errorf("%w: time %v cannot be sent", ErrBadValue, b.Time)
	}
	id := b.Channel.ID()
	dst = append(dst, Version, byte(len(id)))
	dst = append(dst, id...)
	dst = binary.BigEndian.AppendUint32(dst, uint32(b.Scale))
	return binary.BigEndian.AppendUint64(dst, uint64(nanos)), nil
}

// DecodeBeat parses a beat of ch in wire form. It never panics and
// allocates nothing on success but the channel ID's formatting.
//
// Errors, checked in this order, each wrapping its own sentinel:
//   - ErrMalformed: data is empty.
//   - ErrUnknownVersion: the version byte is not Version.
//   - ErrOversized: more than MaxBeatSize bytes.
//   - ErrMalformed: the length is not what the channel ID length implies.
//   - ErrWrongChannel: the channel ID is not ch's.
//   - ErrBadValue: scale outside 1..MaxScale, or a time not after 1970.
func DecodeBeat(data []byte, ch broadcast.Channel) (Beat, error) {
	return decodeBeat(data, ch, ch.ID())
}

// decodeBeat is DecodeBeat with ch's ID formatted once by the caller.
func decodeBeat(data []byte, ch broadcast.Channel, id string) (Beat, error) {
	if len(data) == 0 {
		return Beat{}, fmt.Errorf("%w: empty beat", ErrMalformed)
	}
	if data[0] != Version {
		return Beat{}, fmt.Errorf("%w: version %d, want %d", ErrUnknownVersion, data[0], Version)
	}
	if len(data) > MaxBeatSize {
		return Beat{}, fmt.Errorf("%w: %d bytes, at most %d allowed", ErrOversized, len(data), MaxBeatSize)
	}
	if len(data) < 2 || len(data) != beatFixedLen+int(data[1]) {
		return Beat{}, fmt.Errorf("%w: %d bytes, want %d plus the channel ID length", ErrMalformed, len(data), beatFixedLen)
	}
	idLen := int(data[1])
	if got := data[2 : 2+idLen]; string(got) != id {
		return Beat{}, fmt.Errorf("%w: beat is for %q, want %q", ErrWrongChannel, got, id)
	}
	rest := data[2+idLen:]
	scale := binary.BigEndian.Uint32(rest)
	nanos := int64(binary.BigEndian.Uint64(rest[4:]))
	if scale < 1 || scale > MaxScale {
		return Beat{}, fmt.Errorf("%w: scale %d, want 1 to %d", ErrBadValue, scale, MaxScale)
	}
	if nanos <= 0 {
		return Beat{}, fmt.Errorf("%w: time %d ns is not after 1970", ErrBadValue, nanos)
	}
	return Beat{Channel: ch, Scale: int(scale), Time: time.Unix(0, nanos)}, nil
}
