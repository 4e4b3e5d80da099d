package directory

import (
	"fmt"
	"time"
)

// Defaults, in one place.
const (
	// DefaultMaxChannels bounds a Directory's table. When it is full the
	// entry that expires soonest makes room (or the newcomer is dropped,
	// if it would expire sooner still). 1024 entries of at most about 1
	// KiB each is about 1 MiB.
	DefaultMaxChannels = 1024
	// DefaultInterval is how often an Announcer re-announces; its TTL is
	// 3 × the interval (30 s), so a listing survives two lost
	// announcements and lapses 30 s after its broadcaster stops.
	DefaultInterval = 10 * time.Second
	// DefaultPeriod is the presence period: each viewer sends at most one
	// beat per period, and an Announcer counts the beats of the last
	// period. Every node of a channel must use the same period, because
	// validators ignore beats that follow their author's previous one by
	// less than half of it.
	DefaultPeriod = 30 * time.Second
	// DefaultMaxAuthors bounds the distinct beat authors an Announcer's
	// Estimator holds: 64 × the BeatTarget, so sampling never reaches it
	// and only a flood of identities does (the estimate then saturates at
	// DefaultMaxAuthors × S).
	DefaultMaxAuthors = 4096

	// trackedChannels bounds what a node's announcement validator
	// remembers: the newest accepted time of each channel. A channel it
	// forgot has its next announcement accepted as if new, so overflow
	// costs some bandwidth, never a listing.
	trackedChannels = 4096
	// trackedAuthors bounds, per presence topic, the authors whose last
	// beat time the beat validator remembers; overflow fails open the
	// same way.
	trackedAuthors = 4096
)

// config holds every option of the package; each constructor reads the
// fields it needs.
type config struct {
	maxChannels int
	interval    time.Duration
	ttl         time.Duration // 0: 3 × interval within [MinTTL, MaxTTL]
	period      time.Duration
	counting    bool
	maxAuthors  int
	now         func() time.Time
}

func defaultConfig() config {
	return config{
		maxChannels: DefaultMaxChannels,
		interval:    DefaultInterval,
		period:      DefaultPeriod,
		counting:    true,
		maxAuthors:  DefaultMaxAuthors,
		now:         time.Now,
	}
}

func newConfig(opts []Option) (config, error) {
	cfg := defaultConfig()
	for _, opt := range opts {
		if err := opt(&cfg); err != nil {
			return config{}, err
		}
	}
	return cfg, nil
}

// announceTTL resolves the TTL an Announcer sends.
func (c config) announceTTL() (time.Duration, error) {
	ttl := c.ttl
	if ttl == 0 {
		ttl = min(max(3*c.interval, MinTTL), MaxTTL)
	}
	if ttl < c.interval {
		return 0, fmt.Errorf("%w: TTL %v is shorter than the interval %v, so the listing would lapse between announcements",
			ErrBadOption, ttl, c.interval)
	}
	return ttl, nil
}

// Option configures New, NewAnnouncer and NewPresence; each ignores the
// options that are not about it. A bad value is an error wrapping
// ErrBadOption.
type Option func(*config) error

// WithMaxChannels bounds the Directory's table (default
// DefaultMaxChannels); n must be positive.
func WithMaxChannels(n int) Option {
	return func(c *config) error {
		if n < 1 {
			return fmt.Errorf("%w: max channels %d must be positive", ErrBadOption, n)
		}
		c.maxChannels = n
		return nil
	}
}

// WithInterval sets how often the Announcer re-announces (default
// DefaultInterval), from MinInterval to MaxTTL.
func WithInterval(d time.Duration) Option {
	return func(c *config) error {
		if d < MinInterval || d > MaxTTL {
			return fmt.Errorf("%w: interval %v, want %v to %v", ErrBadOption, d, MinInterval, MaxTTL)
		}
		c.interval = d
		return nil
	}
}

// WithTTL sets the Announcer's TTL, from MinTTL to MaxTTL and no shorter
// than the interval. The default is 3 × the interval, raised to MinTTL or
// lowered to MaxTTL if need be.
func WithTTL(d time.Duration) Option {
	return func(c *config) error {
		if d < MinTTL || d > MaxTTL {
			return fmt.Errorf("%w: TTL %v, want %v to %v", ErrBadOption, d, MinTTL, MaxTTL)
		}
		c.ttl = d
		return nil
	}
}

// WithPeriod sets the presence period of a Presence and of an Announcer's
// counting (default DefaultPeriod), from 1 s to 10 minutes. Every node of
// a channel must agree on it; change it only in tests or for a whole
// network.
func WithPeriod(d time.Duration) Option {
	return func(c *config) error {
		if d < time.Second || d > 10*time.Minute {
			return fmt.Errorf("%w: period %v, want 1s to 10m", ErrBadOption, d)
		}
		c.period = d
		return nil
	}
}

// WithViewerCounting turns the Announcer's presence counting on (the
// default) or off. Off, the Announcer neither joins the presence topic nor
// estimates, and announces what SetViewers last said.
func WithViewerCounting(on bool) Option {
	return func(c *config) error {
		c.counting = on
		return nil
	}
}

// WithMaxAuthors bounds the distinct beat authors the Announcer's
// Estimator holds (default DefaultMaxAuthors); n must be positive.
func WithMaxAuthors(n int) Option {
	return func(c *config) error {
		if n < 1 {
			return fmt.Errorf("%w: max authors %d must be positive", ErrBadOption, n)
		}
		c.maxAuthors = n
		return nil
	}
}
