package chat

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/gridcast/gridcast/broadcast"
	"github.com/gridcast/gridcast/internal/wire"
	"github.com/gridcast/gridcast/relay"
	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/peer"
)

// Room is this node's seat in one channel's chat. It relays the chat to
// its mesh peers, sends this node's lines and queues everyone's for Next,
// this node's own included: a chat UI shows what you said where it landed
// among the others, and the echo tells it that the line went out. A UI
// that prints lines as they are typed skips those whose From is its own
// node's ID.
//
// It owns one goroutine, which takes lines from the router and never
// waits for Next: when the buffer is full it drops the oldest line and
// counts it. Close stops it.
type Room struct {
	cfg   config
	node  broadcast.Node
	ch    broadcast.Channel
	self  peer.ID
	name  string
	topic *pubsub.Topic
	sub   *pubsub.Subscription

	// lines feeds Next; the receive loop drops its oldest entry when full.
	lines     chan Line
	closed    chan struct{}
	cancel    context.CancelFunc
	wg        sync.WaitGroup
	closeOnce sync.Once
	closeErr  error

	mu       sync.Mutex
	own      bucket // guarded by mu; this node's rate, for Send
	received uint64 // guarded by mu
	dropped  uint64 // guarded by mu
}

// RoomStats is a snapshot of a room's counters.
type RoomStats struct {
	Received uint64 // lines delivered to the room, own lines included
	Dropped  uint64 // lines dropped because Next was not called fast enough
}

// Join joins ch's chat on node: it registers the topic's validator, joins
// and subscribes. Options: WithNick (default none), WithBuffer (default
// DefaultBuffer) and WithMaxSenders (default DefaultMaxSenders). A node
// can be in one Room per channel.
func Join(node broadcast.Node, ch broadcast.Channel, opts ...Option) (*Room, error) {
	cfg := defaultConfig()
	for _, opt := range opts {
		if err := opt(&cfg); err != nil {
			return nil, err
		}
	}
	if err := ch.Validate(); err != nil {
		return nil, fmt.Errorf("chat: join: %w", err)
	}
	ps, name := node.PubSub(), Topic(ch)
	v := newValidator(ch, cfg.maxSenders, cfg.now)
	if err := ps.RegisterTopicValidator(name, wire.Validator(v.check), pubsub.WithValidatorInline(true)); err != nil {
		return nil, fmt.Errorf("chat: register validator for %s (one Room per channel and node): %w", ch, err)
	}
	topic, err := ps.Join(name)
	if err != nil {
		ps.UnregisterTopicValidator(name)
		return nil, fmt.Errorf("chat: join %s: %w", ch, err)
	}
	r := &Room{
		cfg: cfg, node: node, ch: ch, self: node.Host().ID(), name: name, topic: topic,
		lines:  make(chan Line, cfg.buffer),
		closed: make(chan struct{}),
	}
	if err := topic.SetScoreParams(relay.TopicScoreParams()); err != nil {
		r.leave()
		return nil, fmt.Errorf("chat: score params for %s: %w", ch, err)
	}
	if r.sub, err = topic.Subscribe(pubsub.WithBufferSize(relay.SubscriptionBuffer)); err != nil {
		r.leave()
		return nil, fmt.Errorf("chat: subscribe %s: %w", ch, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel = cancel
	r.wg.Go(func() { r.receive(ctx) })
	return r, nil
}

// Channel returns the room's channel.
func (r *Room) Channel() broadcast.Channel { return r.ch }

// Send sends text as a line from this node. It checks locally first, so
// the user gets a reason rather than a line lost in silence: ErrTooLong
// past MaxTextLen, ErrBadText for an empty text, invalid UTF-8 or a
// control character, ErrRateLimited when this node has sent Burst lines
// faster than one per LineEvery, ErrClosed after Close. A line refused
// locally does not spend the rate.
func (r *Room) Send(ctx context.Context, text string) error {
	select {
	case <-r.closed:
		return ErrClosed
	default:
	}
	now := r.cfg.now()
	data, err := Line{Channel: r.ch, From: r.self, Nick: r.cfg.nick, Text: text, Time: now}.Encode()
	if err != nil {
		return err
	}
	r.mu.Lock()
	ok := r.own.take(now, LineEvery, Burst)
	r.mu.Unlock()
	if !ok {
		return fmt.Errorf("%w: at most %d lines at once and one per %v", ErrRateLimited, Burst, LineEvery)
	}
	if err := r.topic.Publish(ctx, data); err != nil {
		return fmt.Errorf("chat: send: %w", err)
	}
	return nil
}

func (r *Room) receive(ctx context.Context) {
	for {
		msg, err := r.sub.Next(ctx)
		if err != nil {
			return
		}
		l, ok := msg.ValidatorData.(Line)
		if !ok {
			continue // only the validator admits messages
		}
		r.mu.Lock()
		r.received++
		r.mu.Unlock()
		r.offer(l)
	}
}

// offer queues l for Next, dropping the oldest queued line if full.
func (r *Room) offer(l Line) {
	for {
		select {
		case r.lines <- l:
			return
		default:
		}
		select {
		case <-r.lines:
			r.mu.Lock()
			r.dropped++
			r.mu.Unlock()
		default:
		}
	}
}

// Next returns the next line to arrive, this node's own included. Lines
// come in arrival order, which need not be send order even for one sender
// (pubsub validates on several workers); sort by Time where it matters. It returns ctx's error if ctx ends first, and ErrClosed after
// Close (lines still queued then are discarded).
func (r *Room) Next(ctx context.Context) (Line, error) {
	select {
	case <-r.closed:
		return Line{}, ErrClosed
	default:
	}
	select {
	case l := <-r.lines:
		return l, nil
	case <-ctx.Done():
		return Line{}, ctx.Err()
	case <-r.closed:
		return Line{}, ErrClosed
	}
}

// Stats returns a snapshot of the room's counters.
func (r *Room) Stats() RoomStats {
	r.mu.Lock()
	defer r.mu.Unlock()
	return RoomStats{Received: r.received, Dropped: r.dropped}
}

// Close leaves the chat: it stops receiving, closes the topic and drops
// the validator, and wakes a blocked Next with ErrClosed. The node stays
// up. Safe to call twice.
func (r *Room) Close() error {
	r.closeOnce.Do(func() {
		r.sub.Cancel()
		r.cancel()
		r.wg.Wait()
		close(r.closed)
		r.closeErr = r.leave()
	})
	return r.closeErr
}

// leave closes the topic and unregisters the validator. A router already
// stopped (its node closed first) took both down with it.
func (r *Room) leave() error {
	ps := r.node.PubSub()
	err := r.topic.Close()
	if uerr := ps.UnregisterTopicValidator(r.name); err == nil {
		err = uerr
	}
	if errors.Is(err, pubsub.ErrTopicClosed) || errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}
