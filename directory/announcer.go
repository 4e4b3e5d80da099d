package directory

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/gridcast/gridcast/broadcast"
	"github.com/gridcast/gridcast/relay"
	pubsub "github.com/libp2p/go-libp2p-pubsub"
)

// Info is what a broadcaster says about its channel.
type Info struct {
	Title   string    // at most MaxTitleLen bytes, no control characters
	Format  string    // at most MaxFormatLen bytes, e.g. "mpegts"
	Bitrate int64     // bits per second; 0 = unknown
	Started time.Time // zero: when NewAnnouncer was called
}

// AnnouncerStats is a snapshot of an Announcer's counters.
type AnnouncerStats struct {
	Published uint64 // announcements the router took
	Failed    uint64 // announcements the router refused; LastErr says why
	LastErr   error
	Viewers   int    // the audience in the latest announcement
	Scale     int    // the sampling scale in the latest announcement
	Beats     uint64 // presence beats counted
}

// Announcer keeps one channel listed: it announces on Topic at once and
// then every interval, with TTL 3 × interval, and (unless counting is
// off) counts the channel's presence beats to announce an audience and a
// sampling scale.
//
// It owns up to two goroutines, the announcing loop and the beat counter;
// mu guards what they share with the methods. Close stops both and
// publishes nothing more. Version 1 has no withdrawal message: the
// listing lapses at its TTL, at most 3 × interval (30 s by default) after
// the last announcement, which keeps Close free of network waits and
// every stale listing bounded all the same.
type Announcer struct {
	cfg       config
	ttl       time.Duration
	node      broadcast.Node
	ch        broadcast.Channel
	dir       *sharedTopic
	stopRelay pubsub.RelayCancelFunc
	// presence and sub are nil when counting is off.
	presence *sharedTopic
	sub      *pubsub.Subscription

	// updated asks the loop to announce now; capacity 1, never blocks.
	updated   chan struct{}
	cancel    context.CancelFunc
	wg        sync.WaitGroup
	closeOnce sync.Once
	closeErr  error

	mu      sync.Mutex
	info    Info           // guarded by mu
	viewers int            // guarded by mu; set by SetViewers
	est     *Estimator     // guarded by mu; nil when counting is off
	stats   AnnouncerStats // guarded by mu
}

// NewAnnouncer starts announcing ch, which node must own, with info.
// Options: WithInterval (default DefaultInterval), WithTTL (default 3 ×
// interval), WithViewerCounting (default on), WithPeriod (default
// DefaultPeriod) and WithMaxAuthors (default DefaultMaxAuthors).
//
// The Announcer relays Topic (so the broadcaster's node is part of the
// directory's mesh) but does not list it; run a Directory on the node for
// that.
func NewAnnouncer(node broadcast.Node, ch broadcast.Channel, info Info, opts ...Option) (*Announcer, error) {
	cfg, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	ttl, err := cfg.announceTTL()
	if err != nil {
		return nil, err
	}
	if err := ch.Validate(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadChannel, err)
	}
	if self := node.Host().ID(); self != ch.Owner {
		return nil, fmt.Errorf("%w: node %s cannot announce %s", ErrNotOwner, self, ch)
	}
	if info.Started.IsZero() {
		info.Started = cfg.now()
	}
	if err := checkInfo(ch, info, ttl, cfg.now()); err != nil {
		return nil, err
	}
	a := &Announcer{cfg: cfg, ttl: ttl, node: node, ch: ch, info: info, updated: make(chan struct{}, 1)}
	if err := a.join(); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	a.cancel = cancel
	a.wg.Go(func() { a.loop(ctx) })
	if a.sub != nil {
		a.wg.Go(func() { a.count(ctx) })
	}
	return a, nil
}

// checkInfo reports whether info would make a valid announcement.
func checkInfo(ch broadcast.Channel, info Info, ttl time.Duration, now time.Time) error {
	_, err := Announcement{
		Channel: ch, Title: info.Title, Format: info.Format, Bitrate: info.Bitrate,
		Scale: 1, Started: info.Started, Time: now, TTL: ttl,
	}.wire()
	return err
}

// join takes the node's holds on Topic and, when counting, the channel's
// presence topic.
func (a *Announcer) join() error {
	dir, err := acquireDirectory(a.node.PubSub(), a.cfg.now)
	if err != nil {
		return err
	}
	cancelRelay, err := dir.topic.Relay()
	if err != nil {
		dir.release()
		return fmt.Errorf("directory: relay %s: %w", Topic, err)
	}
	a.dir, a.stopRelay = dir, cancelRelay
	if !a.cfg.counting {
		return nil
	}
	presence, err := acquirePresence(a.node.PubSub(), a.ch, a.cfg)
	if err == nil {
		a.sub, err = presence.topic.Subscribe(pubsub.WithBufferSize(relay.SubscriptionBuffer))
		if err != nil {
			presence.release()
			err = fmt.Errorf("directory: subscribe %s: %w", PresenceTopic(a.ch), err)
		}
	}
	if err != nil {
		a.stopRelay()
		a.dir.release()
		return err
	}
	a.presence = presence
	a.est = NewEstimator(a.cfg.period, a.cfg.maxAuthors)
	return nil
}

// Channel returns the announced channel.
func (a *Announcer) Channel() broadcast.Channel { return a.ch }

// SetViewers sets the audience to announce from the next announcement on,
// for callers that count it themselves with counting off. With counting
// on, the estimate is announced and n is not used.
func (a *Announcer) SetViewers(n int) {
	a.mu.Lock()
	a.viewers = min(max(n, 0), MaxViewers)
	a.mu.Unlock()
}

// Update replaces the channel's info and announces it as soon as
// MinInterval has passed since the previous announcement. A zero Started
// keeps the previous one. Errors wrap ErrBadText or ErrBadValue, and
// leave the info as it was.
func (a *Announcer) Update(info Info) error {
	a.mu.Lock()
	if info.Started.IsZero() {
		info.Started = a.info.Started
	}
	err := checkInfo(a.ch, info, a.ttl, a.cfg.now())
	if err == nil {
		a.info = info
	}
	a.mu.Unlock()
	if err != nil {
		return err
	}
	select {
	case a.updated <- struct{}{}:
	default:
	}
	return nil
}

// Stats returns a snapshot of the announcer's counters.
func (a *Announcer) Stats() AnnouncerStats {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.stats
}

// loop announces at once, every interval, and soon after each Update.
func (a *Announcer) loop(ctx context.Context) {
	ticker := time.NewTicker(a.cfg.interval)
	defer ticker.Stop()
	last := a.announce(ctx)
	var soon <-chan time.Time // set while an Update waits for MinInterval
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		case <-soon:
			soon = nil
		case <-a.updated:
			if wait := last.Add(MinInterval).Sub(a.cfg.now()); wait > 0 {
				if soon == nil {
					soon = time.After(wait)
				}
				continue
			}
		}
		last = a.announce(ctx)
		ticker.Reset(a.cfg.interval)
	}
}

// announce publishes one announcement and returns its time.
func (a *Announcer) announce(ctx context.Context) time.Time {
	now := a.cfg.now()
	a.mu.Lock()
	viewers := a.viewers
	if a.est != nil {
		viewers = a.est.Estimate(now)
	}
	scale := ScaleFor(viewers)
	if a.est != nil {
		a.est.Announced(scale, now)
	}
	ann := Announcement{
		Channel: a.ch, Title: a.info.Title, Format: a.info.Format, Bitrate: a.info.Bitrate,
		Viewers: viewers, Scale: scale, Started: a.info.Started, Time: now, TTL: a.ttl,
	}
	a.mu.Unlock()

	data, err := ann.Encode()
	if err == nil {
		err = a.dir.topic.Publish(ctx, data)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if err != nil {
		a.stats.Failed++
		a.stats.LastErr = err
		return now
	}
	a.stats.Published++
	a.stats.Viewers, a.stats.Scale = viewers, scale
	return now
}

// count feeds the channel's presence beats to the estimator. The owner's
// own beats are not an audience.
func (a *Announcer) count(ctx context.Context) {
	for {
		msg, err := a.sub.Next(ctx)
		if err != nil {
			return
		}
		b, ok := msg.ValidatorData.(Beat)
		if !ok || msg.GetFrom() == a.ch.Owner {
			continue
		}
		now := a.cfg.now()
		a.mu.Lock()
		a.est.Add(msg.GetFrom(), b.Scale, now)
		a.stats.Beats++
		a.mu.Unlock()
	}
}

// Close stops announcing and counting and releases the topics; it sends
// nothing, so the listing lapses at its TTL. The node stays up. Safe to
// call twice.
func (a *Announcer) Close() error {
	a.closeOnce.Do(func() {
		if a.sub != nil {
			a.sub.Cancel()
		}
		a.cancel()
		a.wg.Wait()
		a.stopRelay()
		a.closeErr = a.dir.release()
		if a.presence != nil {
			if err := a.presence.release(); a.closeErr == nil {
				a.closeErr = err
			}
		}
	})
	return a.closeErr
}
