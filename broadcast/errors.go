package broadcast

import "errors"

// Every failure the package reports wraps exactly one of these sentinels, so
// callers can branch with errors.Is while the wrapping text carries the detail
// (sizes, offending characters, the operation).
var (
	// ErrTruncated: the data ends before its fixed header or before a length
	// it declares.
	ErrTruncated = errors.New("broadcast: truncated chunk")
	// ErrOversized: a chunk or its payload is above the configured maximum.
	ErrOversized = errors.New("broadcast: chunk too large")
	// ErrUnknownVersion: the chunk's version byte is not Version.
	ErrUnknownVersion = errors.New("broadcast: unknown chunk version")
	// ErrWrongChannel: the chunk names a channel other than the one expected.
	ErrWrongChannel = errors.New("broadcast: chunk for another channel")
	// ErrMalformed: the chunk is complete but internally inconsistent
	// (trailing bytes, unknown flag bits, an empty channel ID, a publish time
	// that int64 nanoseconds cannot hold).
	ErrMalformed = errors.New("broadcast: malformed chunk")
	// ErrBadChannelID: a channel's owner or name is not acceptable.
	ErrBadChannelID = errors.New("broadcast: bad channel ID")
	// ErrClosed: the object was closed.
	ErrClosed = errors.New("broadcast: closed")
	// ErrNotOwner: only the channel's owner may publish on it.
	ErrNotOwner = errors.New("broadcast: not the channel owner")
)
