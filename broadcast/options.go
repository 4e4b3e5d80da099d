package broadcast

import (
	"fmt"
	"time"
)

// Defaults, in one place.
const (
	// DefaultChunkSize is the payload size Write cuts a byte stream into.
	// Each hop stores and forwards a whole chunk, so smaller chunks mean
	// lower latency per hop; each chunk also costs a signature and about
	// 200 bytes of envelope, so not too small. 16 KiB is 0.4 s of a
	// 300 kbit/s stream.
	DefaultChunkSize = 16 << 10
	// DefaultFlushInterval bounds the time between chunks of a slow stream:
	// bytes written are published at the latest this long after they
	// arrived, even if the chunk is not full. Below about 1.3 Mbit/s it,
	// not DefaultChunkSize, sets the chunk. In the swarm's quick preset
	// (300 kbit/s, 100 viewers, seeds 2 to 5) 200 ms chunks arrived about
	// 200 ms later at the median than 100 ms ones, and 50 ms chunks
	// doubled the signatures and envelopes (0.10 of the stream against
	// 0.05) for no fewer misses.
	DefaultFlushInterval = 100 * time.Millisecond
	// DefaultNextBuffer is how many arrived chunks wait for Viewer.Next
	// before the oldest is dropped (and counted).
	DefaultNextBuffer = 256
)

type broadcasterConfig struct {
	chunkSize     int
	flushInterval time.Duration
	maxPayload    int
	window        uint64
	sequenceBase  uint64
	sequenceSet   bool
	now           func() time.Time
}

func defaultBroadcasterConfig() broadcasterConfig {
	return broadcasterConfig{
		chunkSize:     DefaultChunkSize,
		flushInterval: DefaultFlushInterval,
		maxPayload:    DefaultMaxPayload,
		window:        DefaultReplayWindow,
		now:           time.Now,
	}
}

// BroadcasterOption configures [NewBroadcaster].
type BroadcasterOption func(*broadcasterConfig) error

// WithChunkSize sets the payload size Write cuts the stream into (default
// [DefaultChunkSize]); it must not exceed the maximum payload.
func WithChunkSize(n int) BroadcasterOption {
	return func(c *broadcasterConfig) error {
		if n <= 0 {
			return fmt.Errorf("broadcast: chunk size %d must be positive", n)
		}
		c.chunkSize = n
		return nil
	}
}

// WithFlushInterval sets the longest time written bytes wait before they
// are published as a short chunk (default [DefaultFlushInterval]).
func WithFlushInterval(d time.Duration) BroadcasterOption {
	return func(c *broadcasterConfig) error {
		if d < time.Millisecond {
			return fmt.Errorf("broadcast: flush interval %v must be at least 1ms", d)
		}
		c.flushInterval = d
		return nil
	}
}

// WithMaxPayload sets the largest chunk payload the broadcaster sends
// (default [DefaultMaxPayload]). Viewers must accept at least as much.
func WithMaxPayload(n int) BroadcasterOption {
	return func(c *broadcasterConfig) error {
		if n <= 0 {
			return fmt.Errorf("broadcast: max payload %d must be positive", n)
		}
		c.maxPayload = n
		return nil
	}
}

// WithSequenceBase sets the first sequence number. The default is the
// current Unix time in milliseconds, so a broadcaster restarted with the
// same key continues above its previous run (as long as it sends fewer
// than 1000 chunks a second) and viewers' replay windows accept it.
func WithSequenceBase(seq uint64) BroadcasterOption {
	return func(c *broadcasterConfig) error {
		c.sequenceBase, c.sequenceSet = seq, true
		return nil
	}
}

type viewerConfig struct {
	playout    PlayoutConfig
	nextBuffer int
	maxPayload int
	window     uint64
	now        func() time.Time
}

func defaultViewerConfig() viewerConfig {
	return viewerConfig{
		playout:    DefaultPlayoutConfig(),
		nextBuffer: DefaultNextBuffer,
		maxPayload: DefaultMaxPayload,
		window:     DefaultReplayWindow,
		now:        time.Now,
	}
}

// ViewerOption configures [NewViewer].
type ViewerOption func(*viewerConfig) error

// WithPlayout sets the playout reader's reorder buffer, deadline and start
// hold (default [DefaultPlayoutConfig]).
func WithPlayout(cfg PlayoutConfig) ViewerOption {
	return func(c *viewerConfig) error {
		if cfg.Capacity <= 0 || cfg.Deadline <= 0 || cfg.StartHold < 0 {
			return fmt.Errorf("broadcast: bad playout config %+v", cfg)
		}
		c.playout = cfg
		return nil
	}
}

// WithNextBuffer sets how many chunks wait for [Viewer.Next] before the
// oldest is dropped (default [DefaultNextBuffer]).
func WithNextBuffer(n int) ViewerOption {
	return func(c *viewerConfig) error {
		if n <= 0 {
			return fmt.Errorf("broadcast: next buffer %d must be positive", n)
		}
		c.nextBuffer = n
		return nil
	}
}

// WithViewerMaxPayload sets the largest chunk payload the viewer accepts
// and relays (default [DefaultMaxPayload]); larger chunks are rejected and
// their senders penalised.
func WithViewerMaxPayload(n int) ViewerOption {
	return func(c *viewerConfig) error {
		if n <= 0 {
			return fmt.Errorf("broadcast: max payload %d must be positive", n)
		}
		c.maxPayload = n
		return nil
	}
}

// WithReplayWindow sets how many sequence numbers behind the newest a chunk
// may be and still be accepted (default [DefaultReplayWindow]).
func WithReplayWindow(n uint64) ViewerOption {
	return func(c *viewerConfig) error {
		if n == 0 {
			return fmt.Errorf("broadcast: replay window must be positive")
		}
		c.window = n
		return nil
	}
}
