package directory

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/gridcast/gridcast/broadcast"
	"github.com/gridcast/gridcast/internal/wire"
	pubsub "github.com/libp2p/go-libp2p-pubsub"
)

// Presence makes this node count in a channel's audience. Every period,
// at a phase drawn at random so a channel's viewers do not beat in step,
// it sends a beat with probability 1/S, S being the sampling scale in the
// channel's latest announcement; with no live announcement in the
// Directory, it sends nothing. It also relays the channel's presence
// topic, which is how beats reach the broadcaster.
//
// It owns one goroutine, stopped by Close.
type Presence struct {
	cfg       config
	dir       *Directory
	ch        broadcast.Channel
	shared    *sharedTopic
	stopRelay pubsub.RelayCancelFunc

	cancel    context.CancelFunc
	wg        sync.WaitGroup
	closeOnce sync.Once
	closeErr  error

	mu   sync.Mutex
	sent uint64 // guarded by mu
}

// NewPresence starts counting this node in ch's audience, reading the
// sampling scale from dir and beating through dir's node. Keep dir open
// while the Presence runs: a closed Directory's table no longer updates,
// so the channel lapses there and the beats stop. Options: WithPeriod
// (default DefaultPeriod), which must match the broadcaster's.
func NewPresence(dir *Directory, ch broadcast.Channel, opts ...Option) (*Presence, error) {
	cfg, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	if err := ch.Validate(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadChannel, err)
	}
	shared, err := acquirePresence(dir.node.PubSub(), ch, cfg)
	if err != nil {
		return nil, err
	}
	cancelRelay, err := shared.topic.Relay()
	if err != nil {
		shared.release()
		return nil, fmt.Errorf("directory: relay %s: %w", PresenceTopic(ch), err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	p := &Presence{cfg: cfg, dir: dir, ch: ch, shared: shared, stopRelay: cancelRelay, cancel: cancel}
	p.wg.Go(func() { p.loop(ctx) })
	return p, nil
}

// acquirePresence returns the router's hold on ch's presence topic.
func acquirePresence(ps *pubsub.PubSub, ch broadcast.Channel, cfg config) (*sharedTopic, error) {
	return acquire(ps, PresenceTopic(ch), func() (any, pubsub.ValidatorEx) {
		v := newBeatValidator(ch, cfg.period, cfg.now)
		return v, wire.Validator(v.check)
	})
}

func (p *Presence) loop(ctx context.Context) {
	// Due times are start + phase + k × period, so timer latency does not
	// accumulate into drift across the counter's window.
	due := p.cfg.now().Add(rand.N(p.cfg.period))
	timer := time.NewTimer(due.Sub(p.cfg.now()))
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		}
		p.beat(ctx)
		// After a stall (a suspended laptop) skip the missed beats rather
		// than send them back to back.
		now := p.cfg.now()
		for due = due.Add(p.cfg.period); !due.After(now); due = due.Add(p.cfg.period) {
		}
		timer.Reset(due.Sub(now))
	}
}

// beat sends a beat with probability 1/S.
func (p *Presence) beat(ctx context.Context) {
	a, ok := p.dir.Lookup(p.ch)
	if !ok || rand.IntN(a.Scale) != 0 {
		return
	}
	data, err := Beat{Channel: p.ch, Scale: a.Scale, Time: p.cfg.now()}.AppendEncode(nil)
	if err != nil {
		return
	}
	if p.shared.topic.Publish(ctx, data) == nil {
		p.mu.Lock()
		p.sent++
		p.mu.Unlock()
	}
}

// Sent returns how many beats this node has sent.
func (p *Presence) Sent() uint64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.sent
}

// Close stops beating and relaying the presence topic. The node and the
// Directory stay up. Safe to call twice.
func (p *Presence) Close() error {
	p.closeOnce.Do(func() {
		p.cancel()
		p.wg.Wait()
		p.stopRelay()
		p.closeErr = p.shared.release()
	})
	return p.closeErr
}
