package metrics

import (
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// DefaultRateWindow is the span gridcast_upload_rate_bytes_per_second
// averages over when scrapes come at least this often: long enough to
// smooth the bursts of a chunked stream, short enough to follow a change
// of mesh within a dashboard refresh.
const DefaultRateWindow = 10 * time.Second

// Option configures a collector. Collectors are built without an error so
// they can go straight into MustRegister; a bad option instead makes the
// collector's descriptors invalid, so Register fails with an error
// wrapping [ErrBadOption].
type Option func(*config) error

type config struct {
	labels  prometheus.Labels
	viewers func() int
	window  time.Duration
	now     func() time.Time // the rate's clock; tests step it
}

func defaultConfig() config {
	return config{window: DefaultRateWindow, now: time.Now}
}

// buildConfig applies opts and returns the first error, wrapped.
func buildConfig(opts []Option) (config, error) {
	cfg := defaultConfig()
	for _, opt := range opts {
		if err := opt(&cfg); err != nil {
			return cfg, err
		}
	}
	return cfg, nil
}

// WithLabels adds constant labels to every metric of the collector, next
// to channel. One registry holds collectors of several nodes watching one
// channel (an in-process swarm, a test) only if labels such as
// {"node": id} tell them apart, and Prometheus requires every collector in
// a registry to carry the same label names.
func WithLabels(labels prometheus.Labels) Option {
	return func(c *config) error {
		if _, ok := labels[channelLabel]; ok {
			return fmt.Errorf("%w: label %q is set by the collector", ErrBadOption, channelLabel)
		}
		if c.labels == nil {
			c.labels = make(prometheus.Labels, len(labels))
		}
		for k, v := range labels {
			c.labels[k] = v
		}
		return nil
	}
}

// WithViewerEstimate adds gridcast_viewers_estimate, read from estimate at
// every scrape. The estimate comes from whatever counts the audience (a
// directory, a presence topic); estimate must be safe for concurrent use
// and should return quickly, since a scrape waits for it.
func WithViewerEstimate(estimate func() int) Option {
	return func(c *config) error {
		if estimate == nil {
			return fmt.Errorf("%w: nil viewer estimate", ErrBadOption)
		}
		c.viewers = estimate
		return nil
	}
}

// WithRateWindow sets the span the upload rate gauge averages over
// (default [DefaultRateWindow]).
func WithRateWindow(d time.Duration) Option {
	return func(c *config) error {
		if d <= 0 {
			return fmt.Errorf("%w: rate window %v must be positive", ErrBadOption, d)
		}
		c.window = d
		return nil
	}
}
