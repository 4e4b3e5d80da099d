package player

import (
	"fmt"
	"time"
)

// Defaults, in one place.
const (
	// DefaultCacheBytes and DefaultCacheChunks bound the cache of the
	// chunks since the last clean start, which lets a new player start at
	// once instead of waiting up to a keyframe interval. A run longer than
	// either bound (a very long GOP, a high bitrate) is not cached: the
	// cache is dropped until the next clean start, and players that join
	// meanwhile wait for it. 8 MiB is 16 s of a 4 Mbit/s stream.
	DefaultCacheBytes  = 8 << 20
	DefaultCacheChunks = 2048
	// DefaultQueueBytes and DefaultQueueChunks bound what waits for one
	// player. A player that falls further behind loses what it has not
	// started (the queue from its first clean start on) and resumes at the
	// next clean start; the loss is counted in Stats.Drops. 16 MiB is 32 s
	// of a 4 Mbit/s stream. They must be at least the cache bounds, because a
	// joining player is handed the whole cache at once. Chunks are shared
	// between players and the cache, and every queue holds a suffix of the
	// same stream, so the server retains at most about the larger of the
	// two bounds however many players there are.
	DefaultQueueBytes  = 16 << 20
	DefaultQueueChunks = 4096
	// DefaultStartTimeout is how long /stream waits for the first clean
	// start (which tells the container, hence the Content-Type) before it
	// answers 503.
	DefaultStartTimeout = 10 * time.Second
	// DefaultMaxPlayers bounds the /stream responses served at once;
	// beyond it /stream answers 503. Subscribe is not limited by it.
	DefaultMaxPlayers = 32
)

type config struct {
	cacheBytes, cacheChunks int
	queueBytes, queueChunks int
	startTimeout            time.Duration
	maxPlayers              int
	viewers                 func() int
	now                     func() time.Time
}

func defaultConfig() config {
	return config{
		cacheBytes:   DefaultCacheBytes,
		cacheChunks:  DefaultCacheChunks,
		queueBytes:   DefaultQueueBytes,
		queueChunks:  DefaultQueueChunks,
		startTimeout: DefaultStartTimeout,
		maxPlayers:   DefaultMaxPlayers,
		now:          time.Now,
	}
}

func (c *config) validate() error {
	if c.queueBytes < c.cacheBytes || c.queueChunks < c.cacheChunks {
		return fmt.Errorf("player: queue limit %d bytes/%d chunks is below the cache limit %d bytes/%d chunks; a joining player could not take the cache",
			c.queueBytes, c.queueChunks, c.cacheBytes, c.cacheChunks)
	}
	return nil
}

// Option configures [New].
type Option func(*config) error

// WithCacheLimit bounds the join cache (default [DefaultCacheBytes],
// [DefaultCacheChunks]). Zero for both disables the cache: players then
// start at the next clean start.
func WithCacheLimit(bytes, chunks int) Option {
	return func(c *config) error {
		if bytes < 0 || chunks < 0 {
			return fmt.Errorf("player: cache limit %d bytes/%d chunks must not be negative", bytes, chunks)
		}
		c.cacheBytes, c.cacheChunks = bytes, chunks
		return nil
	}
}

// WithQueueLimit bounds what waits for one player (default
// [DefaultQueueBytes], [DefaultQueueChunks]); it must be at least the
// cache limit.
func WithQueueLimit(bytes, chunks int) Option {
	return func(c *config) error {
		if bytes <= 0 || chunks <= 0 {
			return fmt.Errorf("player: queue limit %d bytes/%d chunks must be positive", bytes, chunks)
		}
		c.queueBytes, c.queueChunks = bytes, chunks
		return nil
	}
}

// WithStartTimeout sets how long /stream waits for the first clean start
// before answering 503 (default [DefaultStartTimeout]).
func WithStartTimeout(d time.Duration) Option {
	return func(c *config) error {
		if d <= 0 {
			return fmt.Errorf("player: start timeout %v must be positive", d)
		}
		c.startTimeout = d
		return nil
	}
}

// WithMaxPlayers bounds the /stream responses served at once (default
// [DefaultMaxPlayers]).
func WithMaxPlayers(n int) Option {
	return func(c *config) error {
		if n <= 0 {
			return fmt.Errorf("player: max players %d must be positive", n)
		}
		c.maxPlayers = n
		return nil
	}
}

// WithViewers sets where the page and /stats get an estimate of the
// channel's viewers; a negative result means unknown. f is called from
// /stats handlers, possibly concurrently, and must not block. Default: none
// (unknown).
func WithViewers(f func() int) Option {
	return func(c *config) error {
		c.viewers = f
		return nil
	}
}

// WithNow sets the clock /stats measures rates with (default time.Now).
func WithNow(now func() time.Time) Option {
	return func(c *config) error {
		if now == nil {
			return fmt.Errorf("player: clock must not be nil")
		}
		c.now = now
		return nil
	}
}
