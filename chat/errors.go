package chat

import (
	"errors"

	"github.com/gridcast/gridcast/internal/wire"
)

// Sentinel errors. Decode's errors wrap exactly one of the first seven;
// the wrapping text names the bad value.
var (
	// ErrOversized: the data is longer than MaxLineSize.
	ErrOversized = errors.New("chat: line too large")
	// ErrMalformed: the data is not a well-formed line of its version (bad
	// JSON, a wrong type, an unknown field, trailing bytes, invalid UTF-8,
	// a time not after 1970).
	ErrMalformed = errors.New("chat: malformed line")
	// ErrUnknownVersion: the version is not this package's. Validators
	// ignore such lines rather than reject them, so a newer format does
	// not get its forwarders penalised by older nodes.
	ErrUnknownVersion = errors.New("chat: unknown line version")
	// ErrWrongChannel: the line names another channel than its room's.
	ErrWrongChannel = errors.New("chat: line for another channel")
	// ErrBadFrom: the sender is not a valid peer ID in canonical form.
	ErrBadFrom = errors.New("chat: bad sender")
	// ErrTooLong: the text is longer than MaxTextLen, or the nick than
	// MaxNickLen.
	ErrTooLong = errors.New("chat: too long")
	// ErrBadText: the text is empty, or the text or nick is not UTF-8 or
	// holds a control character.
	ErrBadText = errors.New("chat: bad text")

	// ErrForged: the line's sender is not the message's signer.
	ErrForged = errors.New("chat: sender is not the signer")
	// ErrStale: the line's time is more than MaxClockSkew from the
	// receiver's clock.
	ErrStale = errors.New("chat: line time out of range")
	// ErrRateLimited: the sender is over its rate. Send returns it when
	// this node's own rate is spent, instead of losing the line silently.
	ErrRateLimited = errors.New("chat: rate limited")
	// ErrBadOption: an option has an invalid value.
	ErrBadOption = errors.New("chat: bad option")
	// ErrClosed: the room was closed.
	ErrClosed = errors.New("chat: closed")
)

// wireErrors reports the checks shared with package directory in this
// package's sentinels.
var wireErrors = wire.Errors{
	Oversized:      ErrOversized,
	Malformed:      ErrMalformed,
	UnknownVersion: ErrUnknownVersion,
	TooLong:        ErrTooLong,
	BadText:        ErrBadText,
}
