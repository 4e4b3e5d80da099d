package directory

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/gridcast/gridcast/broadcast"
	"github.com/gridcast/gridcast/internal/wire"
	"github.com/gridcast/gridcast/relay"
	pubsub "github.com/libp2p/go-libp2p-pubsub"
)

// Directory lists the live channels announced on Topic, and relays the
// announcements to its mesh peers: every node that runs one helps the
// listing reach everyone.
//
// It owns one goroutine, which takes announcements from the router and is
// the only writer of the table; Channels and Lookup read it under a lock.
// Close stops the goroutine.
type Directory struct {
	cfg    config
	node   broadcast.Node
	shared *sharedTopic
	sub    *pubsub.Subscription

	cancel    context.CancelFunc
	wg        sync.WaitGroup
	closeOnce sync.Once
	closeErr  error

	mu    sync.Mutex
	table *table // guarded by mu
}

// New joins Topic on node, subscribes and starts listing. Options: see
// WithMaxChannels (default DefaultMaxChannels); the others are ignored.
//
// Several Directories, Announcers and Presences may share one node.
func New(node broadcast.Node, opts ...Option) (*Directory, error) {
	cfg, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	shared, err := acquireDirectory(node.PubSub(), cfg.now)
	if err != nil {
		return nil, err
	}
	sub, err := shared.topic.Subscribe(pubsub.WithBufferSize(relay.SubscriptionBuffer))
	if err != nil {
		shared.release()
		return nil, fmt.Errorf("directory: subscribe %s: %w", Topic, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	d := &Directory{
		cfg: cfg, node: node, shared: shared, sub: sub,
		cancel: cancel,
		table:  newTable(cfg.maxChannels),
	}
	d.wg.Go(func() { d.receive(ctx) })
	return d, nil
}

// acquireDirectory returns the router's hold on Topic.
func acquireDirectory(ps *pubsub.PubSub, now func() time.Time) (*sharedTopic, error) {
	return acquire(ps, Topic, func() (any, pubsub.ValidatorEx) {
		v := newAnnounceValidator(now)
		return v, wire.Validator(v.check)
	})
}

func (d *Directory) receive(ctx context.Context) {
	for {
		msg, err := d.sub.Next(ctx)
		if err != nil {
			return
		}
		a, ok := msg.ValidatorData.(Announcement)
		if !ok {
			continue // only the validator admits messages
		}
		now := d.cfg.now()
		d.mu.Lock()
		d.table.put(a, now)
		d.mu.Unlock()
	}
}

// Channels returns the channels live at now, most viewers first, then by
// title and channel ID. The slice is the caller's.
func (d *Directory) Channels(now time.Time) []Announcement {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.table.list(now)
}

// Lookup returns ch's latest announcement if it is live now.
func (d *Directory) Lookup(ch broadcast.Channel) (Announcement, bool) {
	now := d.cfg.now()
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.table.get(ch.ID(), now)
}

// Close stops listing and leaves the topic (unless another user on the
// node still holds it). The node stays up. Safe to call twice; Channels
// and Lookup keep answering from the last table.
func (d *Directory) Close() error {
	d.closeOnce.Do(func() {
		d.sub.Cancel()
		d.cancel()
		d.wg.Wait()
		d.closeErr = d.shared.release()
	})
	return d.closeErr
}
