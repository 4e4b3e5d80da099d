package chat

import (
	"fmt"
	"time"
)

// Defaults, in one place.
const (
	// DefaultBuffer is how many received lines wait for Next before the
	// oldest is dropped (and counted).
	DefaultBuffer = 256
	// DefaultMaxSenders bounds the senders whose rate a node's validator
	// tracks; the least recently seen is forgotten first, and comes back
	// with a full bucket. About 100 bytes each.
	DefaultMaxSenders = 4096
)

type config struct {
	nick       string
	buffer     int
	maxSenders int
	now        func() time.Time
}

func defaultConfig() config {
	return config{buffer: DefaultBuffer, maxSenders: DefaultMaxSenders, now: time.Now}
}

// Option configures Join. A bad value is an error wrapping ErrBadOption.
type Option func(*config) error

// WithNick sets the nick sent with every line (default empty: a UI shows
// the sender's peer ID). It must be at most MaxNickLen bytes of UTF-8
// without control characters.
func WithNick(nick string) Option {
	return func(c *config) error {
		if err := wireErrors.CheckText("nick", nick, MaxNickLen); err != nil {
			return fmt.Errorf("%w: %w", ErrBadOption, err)
		}
		c.nick = nick
		return nil
	}
}

// WithBuffer sets how many received lines wait for Next before the oldest
// is dropped (default DefaultBuffer); n must be positive.
func WithBuffer(n int) Option {
	return func(c *config) error {
		if n < 1 {
			return fmt.Errorf("%w: buffer %d must be positive", ErrBadOption, n)
		}
		c.buffer = n
		return nil
	}
}

// WithMaxSenders bounds the senders the room's validator tracks (default
// DefaultMaxSenders); n must be positive.
func WithMaxSenders(n int) Option {
	return func(c *config) error {
		if n < 1 {
			return fmt.Errorf("%w: max senders %d must be positive", ErrBadOption, n)
		}
		c.maxSenders = n
		return nil
	}
}
