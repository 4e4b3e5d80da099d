package player

import "errors"

var (
	// ErrClosed: the Server or the Client was closed.
	ErrClosed = errors.New("player: closed")
	// ErrTooManyPlayers: /stream already serves the configured maximum.
	ErrTooManyPlayers = errors.New("player: too many players")
)
