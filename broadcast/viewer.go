package broadcast

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/gridcast/gridcast/relay"
	pubsub "github.com/libp2p/go-libp2p-pubsub"
)

// Viewer watches one channel. It relays the channel's chunks to its mesh
// peers (that is how the stream reaches everyone) and offers two views of
// what arrives: Next returns each chunk as it arrives, and Read is the
// in-order playout stream. Use either or both.
//
// The viewer owns one goroutine that takes chunks from the router, feeds
// both views and never waits for either: a view that is not read drops
// what is late, and the drop is counted. Relaying never depends on how
// fast the application reads. Close stops it.
type Viewer struct {
	cfg     viewerConfig
	node    Node
	channel Channel
	member  *membership
	sub     *pubsub.Subscription

	cancel context.CancelFunc
	wg     sync.WaitGroup
	closed chan struct{}
	// arrived wakes a Read waiting for the playout; capacity 1, never blocks.
	arrived chan struct{}
	// next feeds Next; the receive loop drops its oldest entry when full.
	next chan Chunk

	closeOnce sync.Once
	closeErr  error

	// mu guards everything below.
	mu          sync.Mutex
	playout     *Playout
	splicer     Splicer   // Read's view of the played chunks
	unread      [2][]byte // rest of the header and payload Read is returning
	lastPlayed  uint64    // sequence number of the last chunk played
	playedTime  time.Time // publish time of the last chunk played
	newestTime  time.Time // latest publish time of a chunk received
	played      bool      // lastPlayed is set
	received    uint64
	nextDropped uint64
	latency     latencyRing
	latencyHist LatencyHistogram
	joined      time.Time
	firstByte   time.Time
}

// ViewerStats is a snapshot of a viewer's counters.
type ViewerStats struct {
	Received   uint64 // distinct valid chunks that arrived
	Duplicates uint64 // extra copies the router dropped on arrival
	Played     uint64 // chunks handed to Read in order
	Skipped    uint64 // chunks still missing at their playout deadline
	Late       uint64 // chunks that arrived after their turn had passed
	// NextDropped counts chunks Next's buffer dropped because the
	// application did not call Next fast enough.
	NextDropped uint64
	// BytesIn and BytesOut are the node's relay traffic, all channels.
	BytesIn, BytesOut uint64
	// ReceivedBytes splits the router's part of BytesIn by what it
	// carried (first copies, duplicates, each kind of control), all
	// channels.
	ReceivedBytes relay.ReceivedBytes
	// UploadCap is the node's enforced upload cap in bytes/s; 0 = none.
	UploadCap int64
	Latency   Latency
	// LatencyHistogram counts every chunk's publish→receive delay.
	LatencyHistogram LatencyHistogram
	MeshPeers        int // peers this viewer exchanges the stream with now
	// Startup is the time from NewViewer to the first byte Read or
	// ReadChunk returned; 0 until then.
	Startup time.Duration
	// Buffer is how much of the stream the viewer holds that the player
	// has not taken yet, by publish time: from the last chunk played to
	// the newest received. It grows while playout waits for a missing
	// chunk and when the player reads slowly.
	Buffer time.Duration
	// Playout is the reorder buffer's own accounting.
	Playout PlayoutStats
}

// NewViewer joins ch on node, subscribes and starts relaying. The viewer
// plays from the first clean start point it receives.
func NewViewer(node Node, ch Channel, opts ...ViewerOption) (*Viewer, error) {
	cfg := defaultViewerConfig()
	for _, opt := range opts {
		if err := opt(&cfg); err != nil {
			return nil, err
		}
	}
	member, err := join(node, ch, cfg.maxPayload, cfg.window)
	if err != nil {
		return nil, err
	}
	sub, err := member.topic.Subscribe(pubsub.WithBufferSize(relay.SubscriptionBuffer))
	if err != nil {
		member.leave()
		return nil, fmt.Errorf("broadcast: subscribe %s: %w", ch, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	v := &Viewer{
		cfg: cfg, node: node, channel: ch, member: member, sub: sub,
		cancel:  cancel,
		closed:  make(chan struct{}),
		arrived: make(chan struct{}, 1),
		next:    make(chan Chunk, cfg.nextBuffer),
		playout: NewPlayout(cfg.playout),
		joined:  cfg.now(),
	}
	v.wg.Go(func() { v.receive(ctx) })
	return v, nil
}

// Channel returns the channel being watched.
func (v *Viewer) Channel() Channel { return v.channel }

func (v *Viewer) receive(ctx context.Context) {
	for {
		msg, err := v.sub.Next(ctx)
		if err != nil {
			return
		}
		c, ok := msg.ValidatorData.(Chunk)
		if !ok {
			continue // only the channel validator admits messages
		}
		now := v.cfg.now()
		v.mu.Lock()
		v.received++
		delay := now.Sub(c.Time)
		v.latency.add(delay)
		v.latencyHist.add(delay)
		if c.Time.After(v.newestTime) {
			v.newestTime = c.Time
		}
		v.playout.Insert(c, now)
		v.mu.Unlock()

		select {
		case v.arrived <- struct{}{}:
		default:
		}
		v.offerNext(c)
	}
}

// offerNext queues c for Next, dropping the oldest queued chunk if full.
func (v *Viewer) offerNext(c Chunk) {
	for {
		select {
		case v.next <- c:
			return
		default:
		}
		select {
		case <-v.next:
			v.mu.Lock()
			v.nextDropped++
			v.mu.Unlock()
		default:
		}
	}
}

// Next returns the next chunk to arrive, in arrival order. The
// end-of-stream chunk is returned like any other; chunks reordered on the
// way may still follow it. Next returns ctx's error if ctx ends first and
// ErrClosed after Close. The chunk's Payload must not be modified: it is
// shared with the playout reader.
func (v *Viewer) Next(ctx context.Context) (Chunk, error) {
	select {
	case c := <-v.next:
		return c, nil
	case <-ctx.Done():
		return Chunk{}, ctx.Err()
	case <-v.closed:
		return Chunk{}, ErrClosed
	}
}

// Read reads the stream in order, as bytes a player can decode from the
// first: it starts at a clean start point with the container's init header
// and, for containers that cannot survive a hole, resumes after a gap at
// the next clean start (see Splicer). It blocks until bytes are ready; a
// chunk still missing at its playout deadline is skipped and counted, so
// Read never waits on a lost chunk for longer than the deadline. It returns
// io.EOF after the end of the stream and ErrClosed after Close. Read and
// ReadChunk calls must not run concurrently: both take the next chunk.
func (v *Viewer) Read(p []byte) (int, error) {
	for {
		v.mu.Lock()
		n, done, wake, hasWake := v.readLocked(p)
		v.mu.Unlock()
		if n > 0 || len(p) == 0 {
			return n, nil
		}
		if done {
			return 0, io.EOF
		}
		if err := v.wait(context.Background(), wake, hasWake); err != nil {
			return 0, err
		}
	}
}

// ReadChunk returns the next chunk in playout order, for callers that
// splice the stream themselves (several players, each with its own
// Splicer). It blocks like Read, returns io.EOF after the end of the
// stream, ErrClosed after Close and ctx's error if ctx ends first.
func (v *Viewer) ReadChunk(ctx context.Context) (Played, error) {
	for {
		v.mu.Lock()
		now := v.cfg.now()
		p, ok := v.popLocked(now)
		var wake time.Time
		var hasWake, done bool
		if ok {
			if v.firstByte.IsZero() && len(p.Payload) > 0 {
				v.firstByte = now
			}
		} else if done = v.playout.Ended(); !done {
			wake, hasWake = v.playout.NextWake(now)
		}
		v.mu.Unlock()
		switch {
		case ok:
			return p, nil
		case done:
			return Played{}, io.EOF
		}
		if err := v.wait(ctx, wake, hasWake); err != nil {
			return Played{}, err
		}
	}
}

// popLocked takes the next chunk from the playout and marks gaps; v.mu is
// held.
func (v *Viewer) popLocked(now time.Time) (Played, bool) {
	c, ok := v.playout.Pop(now)
	if !ok {
		return Played{}, false
	}
	gap := v.played && (c.Seq != v.lastPlayed+1 || c.Flags&FlagStreamStart != 0)
	v.lastPlayed, v.played, v.playedTime = c.Seq, true, c.Time
	return Played{Chunk: c, Gap: gap}, true
}

// wait blocks until a chunk arrives, the playout's next wake time passes,
// ctx ends or the viewer closes.
func (v *Viewer) wait(ctx context.Context, wake time.Time, hasWake bool) error {
	var timeout <-chan time.Time
	if hasWake {
		t := time.NewTimer(max(wake.Sub(v.cfg.now()), 0))
		defer t.Stop()
		timeout = t.C
	}
	select {
	case <-v.arrived:
	case <-timeout:
	case <-ctx.Done():
		return ctx.Err()
	case <-v.closed:
		return ErrClosed
	}
	return nil
}

// readLocked copies ready bytes into p; v.mu is held.
func (v *Viewer) readLocked(p []byte) (n int, done bool, wake time.Time, hasWake bool) {
	now := v.cfg.now()
	for len(v.unread[0]) == 0 && len(v.unread[1]) == 0 {
		c, ok := v.popLocked(now)
		if !ok {
			break
		}
		v.unread[0], v.unread[1] = v.splicer.Splice(c)
	}
	for i := range v.unread {
		if len(v.unread[i]) > 0 && n < len(p) {
			m := copy(p[n:], v.unread[i])
			v.unread[i] = v.unread[i][m:]
			n += m
		}
	}
	if n > 0 {
		if v.firstByte.IsZero() {
			v.firstByte = now
		}
		return n, false, time.Time{}, false
	}
	if v.playout.Ended() {
		return 0, true, time.Time{}, false
	}
	wake, hasWake = v.playout.NextWake(now)
	return 0, false, wake, hasWake
}

// Stats returns a snapshot of the viewer's counters.
func (v *Viewer) Stats() ViewerStats {
	mon := v.node.Monitor()
	topic := mon.TopicStats(v.channel.Topic())
	traffic := v.node.Limiter().Traffic()
	v.mu.Lock()
	defer v.mu.Unlock()
	ps := v.playout.Stats()
	s := ViewerStats{
		Received:         v.received,
		Duplicates:       topic.Duplicates,
		Played:           ps.Played,
		Skipped:          ps.Skipped,
		Late:             ps.Late,
		NextDropped:      v.nextDropped,
		BytesIn:          traffic.In,
		BytesOut:         traffic.Out,
		ReceivedBytes:    mon.RPCStats().Received,
		UploadCap:        v.node.Limiter().Cap(),
		Latency:          v.latency.summary(),
		LatencyHistogram: v.latencyHist.clone(),
		MeshPeers:        topic.MeshPeers,
		Playout:          ps,
	}
	if !v.firstByte.IsZero() {
		s.Startup = v.firstByte.Sub(v.joined)
	}
	if v.played && v.newestTime.After(v.playedTime) {
		s.Buffer = v.newestTime.Sub(v.playedTime)
	}
	return s
}

// Close stops receiving, leaves the channel and wakes any blocked Read or
// Next with ErrClosed. The node stays up. Safe to call twice.
func (v *Viewer) Close() error {
	v.closeOnce.Do(func() {
		v.sub.Cancel()
		v.cancel()
		v.wg.Wait()
		close(v.closed)
		v.closeErr = v.member.leave()
		if errors.Is(v.closeErr, pubsub.ErrTopicClosed) {
			v.closeErr = nil
		}
	})
	return v.closeErr
}
