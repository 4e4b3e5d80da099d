package broadcast

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/gridcast/gridcast/media"
	"github.com/gridcast/gridcast/relay"
	pubsub "github.com/libp2p/go-libp2p-pubsub"
)

// Broadcaster publishes one channel owned by its node. Write cuts a byte
// stream into chunks by size and by time; WriteChunk publishes chunks the
// caller cut itself. Its methods are safe for concurrent use; chunks are
// published in the order the calls take the lock.
//
// The broadcaster owns one goroutine, which publishes short chunks when a
// slow stream leaves bytes waiting a flush interval; Close stops it.
type Broadcaster struct {
	cfg       broadcasterConfig
	channel   Channel
	encoder   *Encoder
	member    *membership
	monitor   *relay.Monitor
	stopRelay pubsub.RelayCancelFunc

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	// mu guards everything below and is held while publishing, which keeps
	// sequence numbers in publish order.
	mu           sync.Mutex
	pending      []byte
	pendingSince time.Time
	// pendingKick wakes flushLoop when bytes start waiting; capacity 1.
	pendingKick chan struct{}
	// pendingClean: pending begins at a clean start point (media mode).
	pendingClean bool
	// media mode: SetMedia was called, so only WriteUnit's clean points
	// are clean starts, and they carry format and header.
	media   bool
	format  media.Format
	header  []byte
	seq     uint64
	started bool
	closed  bool
	err     error
	stats   BroadcasterStats
}

// BroadcasterStats counts what a broadcaster has published.
type BroadcasterStats struct {
	Chunks uint64 // chunks published, end-of-stream included
	Bytes  uint64 // payload bytes published
}

// NewBroadcaster joins the channel name owned by node and readies it for
// publishing. The node relays the channel like any viewer, so its mesh
// forms before the first chunk. A node holds one Broadcaster or Viewer
// per channel.
func NewBroadcaster(node Node, name string, opts ...BroadcasterOption) (*Broadcaster, error) {
	cfg := defaultBroadcasterConfig()
	for _, opt := range opts {
		if err := opt(&cfg); err != nil {
			return nil, err
		}
	}
	if cfg.chunkSize > cfg.maxPayload {
		return nil, fmt.Errorf("broadcast: chunk size %d exceeds max payload %d", cfg.chunkSize, cfg.maxPayload)
	}
	ch, err := NewChannel(node.Host().ID(), name)
	if err != nil {
		return nil, err
	}
	encoder, err := NewEncoder(ch, cfg.maxPayload)
	if err != nil {
		return nil, err
	}
	member, err := join(node, ch, cfg.maxPayload, cfg.window)
	if err != nil {
		return nil, err
	}
	// Relay, not Subscribe: the broadcaster is in the mesh but never
	// consumes its own chunks.
	stopRelay, err := member.topic.Relay()
	if err != nil {
		member.leave()
		return nil, fmt.Errorf("broadcast: relay %s: %w", ch, err)
	}
	if !cfg.sequenceSet {
		cfg.sequenceBase = uint64(cfg.now().UnixMilli())
	}
	ctx, cancel := context.WithCancel(context.Background())
	b := &Broadcaster{
		cfg: cfg, channel: ch, encoder: encoder, member: member, stopRelay: stopRelay, monitor: node.Monitor(),
		ctx: ctx, cancel: cancel, seq: cfg.sequenceBase, pendingKick: make(chan struct{}, 1),
	}
	b.wg.Go(b.flushLoop)
	return b, nil
}

// Channel returns the channel being broadcast; its ID is what viewers need.
func (b *Broadcaster) Channel() Channel { return b.channel }

// Write buffers p and publishes every full chunk. Bytes that do not fill a
// chunk are published within the flush interval. Every chunk Write
// publishes is marked as a clean start point, since a raw byte stream has
// no better ones known; callers that know their container use Stream, or
// SetMedia and WriteUnit (after SetMedia, Write is WriteUnit with clean
// false). Write fails with ErrClosed after Close, and keeps returning the
// first publishing error.
func (b *Broadcaster) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := b.usable(); err != nil {
		return 0, err
	}
	if b.media {
		if err := b.writeUnitLocked(b.ctx, p); err != nil {
			return 0, err
		}
		return len(p), nil
	}
	if len(b.pending) == 0 && len(p) > 0 {
		b.pendingSince = b.cfg.now()
		select {
		case b.pendingKick <- struct{}{}:
		default:
		}
	}
	b.pending = append(b.pending, p...)
	for len(b.pending) >= b.cfg.chunkSize {
		if err := b.publish(b.ctx, b.pending[:b.cfg.chunkSize], FlagCleanStart); err != nil {
			return len(p), err
		}
		b.pending = b.pending[b.cfg.chunkSize:]
	}
	if len(b.pending) == 0 {
		b.pending = nil
	}
	return len(p), nil
}

// WriteChunk publishes payload as one chunk with the given flags (only
// FlagCleanStart is the caller's to set) after any bytes Write buffered.
// payload is copied; the caller may reuse it.
func (b *Broadcaster) WriteChunk(ctx context.Context, payload []byte, flags Flags) error {
	if flags&^FlagCleanStart != 0 {
		return fmt.Errorf("broadcast: flags %#x: only FlagCleanStart may be set by the caller", flags)
	}
	if len(payload) > b.cfg.maxPayload {
		return fmt.Errorf("%w: %d bytes, max %d", ErrOversized, len(payload), b.cfg.maxPayload)
	}
	if err := ctx.Err(); err != nil {
		return err // publishing does not wait on ctx, so check it first
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := b.usable(); err != nil {
		return err
	}
	if err := b.flushLocked(ctx); err != nil {
		return err
	}
	return b.publish(ctx, payload, flags)
}

// Flush publishes bytes buffered by Write as a chunk now.
func (b *Broadcaster) Flush(ctx context.Context) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := b.usable(); err != nil {
		return err
	}
	return b.flushLocked(ctx)
}

// Stats returns what has been published so far.
func (b *Broadcaster) Stats() BroadcasterStats {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.stats
}

// Close publishes any buffered bytes and the end-of-stream chunk, then
// leaves the channel and stops the flush goroutine. The node stays up: the
// caller closes it, ideally a moment later so the last chunks get out.
// Close is safe to call twice; the second call returns nil.
func (b *Broadcaster) Close() error {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return nil
	}
	err := b.err
	if err == nil {
		if err = b.flushLocked(b.ctx); err == nil {
			err = b.publish(b.ctx, nil, FlagEndOfStream)
		}
	}
	b.closed = true
	b.mu.Unlock()

	b.cancel()
	b.wg.Wait()
	b.stopRelay()
	if lerr := b.member.leave(); err == nil {
		err = lerr
	}
	return err
}

func (b *Broadcaster) usable() error {
	if b.closed {
		return ErrClosed
	}
	return b.err
}

// flushLoop publishes a short chunk once bytes have waited a flush
// interval. Write wakes it when the buffer goes from empty to not empty.
func (b *Broadcaster) flushLoop() {
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		select {
		case <-b.ctx.Done():
			timer.Stop()
			return
		case <-b.pendingKick:
		case <-timer.C:
		}
		b.mu.Lock()
		if !b.closed && b.err == nil && len(b.pending) > 0 {
			if wait := b.cfg.flushInterval - b.cfg.now().Sub(b.pendingSince); wait > 0 {
				timer.Reset(wait)
			} else {
				b.flushLocked(b.ctx) // a failure is sticky in b.err; the next Write reports it
			}
		}
		b.mu.Unlock()
	}
}

func (b *Broadcaster) flushLocked(ctx context.Context) error {
	if len(b.pending) == 0 {
		return nil
	}
	err := b.publish(ctx, b.pending, b.pendingFlags())
	b.pending, b.pendingClean = nil, false
	return err
}

// pendingFlags returns the flags of the chunk pending becomes.
func (b *Broadcaster) pendingFlags() Flags {
	if !b.media || b.pendingClean {
		return FlagCleanStart
	}
	return 0
}

// publish encodes and publishes one chunk; b.mu is held. The chunks of a
// run carry FlagStreamStart until one is published with a mesh to go to,
// so the first chunk any viewer can receive marks the run's start and
// viewers start (or, after a broadcaster restart, resume) at it at once
// rather than wait out a deadline for chunks nobody received.
func (b *Broadcaster) publish(ctx context.Context, payload []byte, flags Flags) error {
	switch {
	case !b.started && b.media:
		// The run starts here whether or not a decoder can: viewers
		// start their playout at it, and their players wait for a
		// clean start.
		flags |= FlagStreamStart
	case !b.started:
		flags |= FlagStreamStart | FlagCleanStart
	}
	reached := b.started || b.monitor.TopicStats(b.channel.Topic()).MeshPeers > 0
	c := Chunk{Channel: b.channel, Seq: b.seq, Time: b.cfg.now(), Flags: flags, Payload: payload}
	if b.media && flags&FlagCleanStart != 0 && b.format != media.FormatRaw {
		c.Flags |= FlagHeader
		c.Format, c.Header = b.format, b.header
	}
	data, err := b.encoder.AppendEncode(nil, &c)
	if err != nil {
		b.err = err
		return err
	}
	if err := b.member.topic.Publish(ctx, data); err != nil {
		err = fmt.Errorf("broadcast: publish chunk %d: %w", c.Seq, err)
		if ctx.Err() == nil {
			// The router refused it: the broadcaster is done. A caller's
			// cancelled context only ends that call.
			b.err = err
		}
		return err
	}
	b.started = reached
	b.seq++
	b.stats.Chunks++
	b.stats.Bytes += uint64(len(payload))
	return nil
}
