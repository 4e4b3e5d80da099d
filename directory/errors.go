package directory

import (
	"errors"

	"github.com/gridcast/gridcast/internal/wire"
)

// Every failure the package reports wraps exactly one of these sentinels, so
// callers can branch with errors.Is while the wrapping text names the bad
// value. Decode and DecodeBeat use the first seven; the validators' reasons
// and the constructors use the rest.
var (
	// ErrOversized: the data is longer than MaxAnnouncementSize or
	// MaxBeatSize.
	ErrOversized = errors.New("directory: message too large")
	// ErrMalformed: the data is not a well-formed message of its version
	// (bad JSON, a wrong type, an unknown field, trailing bytes, invalid
	// UTF-8, a beat of the wrong length).
	ErrMalformed = errors.New("directory: malformed message")
	// ErrUnknownVersion: the version is not this package's. Validators
	// ignore such messages rather than reject them, so a newer format does
	// not get its forwarders penalised by older nodes.
	ErrUnknownVersion = errors.New("directory: unknown message version")
	// ErrBadChannel: the channel ID does not parse or is not in its
	// canonical form.
	ErrBadChannel = errors.New("directory: bad channel")
	// ErrBadText: a title or format is too long, not UTF-8 or holds a
	// control character.
	ErrBadText = errors.New("directory: bad text")
	// ErrBadTTL: the TTL is outside [MinTTL, MaxTTL].
	ErrBadTTL = errors.New("directory: bad TTL")
	// ErrBadValue: a number or time is out of its range.
	ErrBadValue = errors.New("directory: value out of range")
	// ErrWrongChannel: a beat names another channel than its topic's.
	ErrWrongChannel = errors.New("directory: beat for another channel")

	// ErrNotOwner: the message's author does not own the announced
	// channel, or NewAnnouncer's node does not own the channel.
	ErrNotOwner = errors.New("directory: not the channel owner")
	// ErrExpired: the message's time plus its TTL (or the beat window) is
	// already past.
	ErrExpired = errors.New("directory: expired")
	// ErrFuture: the message's time is further ahead of the receiver's
	// clock than MaxClockSkew.
	ErrFuture = errors.New("directory: time too far in the future")
	// ErrStale: a newer announcement of the channel was already accepted,
	// or this one follows it too closely; or a beat follows its author's
	// previous one too closely.
	ErrStale = errors.New("directory: stale or too frequent")
	// ErrBadOption: an option has an invalid value.
	ErrBadOption = errors.New("directory: bad option")
	// ErrClosed: the object was closed.
	ErrClosed = errors.New("directory: closed")
)

// wireErrors reports the checks shared with package chat in this
// package's sentinels. A title or format that is too long is ErrBadText,
// as that sentinel says; chat has a sentinel of its own, ErrTooLong, for
// that case.
var wireErrors = wire.Errors{
	Oversized:      ErrOversized,
	Malformed:      ErrMalformed,
	UnknownVersion: ErrUnknownVersion,
	TooLong:        ErrBadText,
	BadText:        ErrBadText,
}
