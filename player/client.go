package player

import (
	"slices"
	"sync"

	"github.com/gridcast/gridcast/broadcast"
)

// Client is one player's byte stream: the stream from a clean start, with
// the container's header first and a resync after every gap (see
// broadcast.Splicer). The server's fan-out goroutine queues chunks for it
// without waiting; Read takes them. A client that falls a whole queue
// behind loses what it has not started (from the first queued clean start
// on) and resumes at the next clean start; the loss is counted in
// Stats.Drops.
//
// Read must not be called concurrently with itself; Close may be called
// from any goroutine.
type Client struct {
	srv    *Server
	isHTTP bool
	// wake has capacity 1: a chunk was queued or the client ended. Only
	// the reader waits on it, so one pending signal is enough.
	wake chan struct{}

	// Owned by the goroutine calling Read or next.
	splicer broadcast.Splicer
	unread  [2][]byte // rest of the header and payload Read is returning

	// mu guards everything below; the fan-out goroutine and the reader
	// share it.
	mu     sync.Mutex
	queue  []broadcast.Played
	bytes  int   // header and payload bytes in queue
	resync bool  // dropping until the next clean start
	gap    bool  // chunks were dropped: the next one queued follows a gap
	end    error // set once nothing more will be queued
	hard   bool  // end applies at once, queued chunks dropped
}

func newClient(s *Server, isHTTP bool) *Client {
	return &Client{srv: s, isHTTP: isHTTP, wake: make(chan struct{}, 1)}
}

// seed starts the client on the cache, or at the next clean start without
// one; s.mu is held, so no chunk can slip in between.
func (c *Client) seed(cache []broadcast.Played, bytes int, valid bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !valid || len(cache) == 0 {
		c.resync = true
		return
	}
	c.queue = append(c.queue, cache...)
	c.bytes = bytes
	c.signal()
}

// offer queues p, or drops it when the client is too far behind; called
// by the fan-out goroutine with the server's mu held. It never blocks.
// After a cut, the next clean start that fits is queued with Gap set, so
// the splicer knows the stream jumps there.
func (c *Client) offer(p broadcast.Played, clean bool, size int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.end != nil {
		return
	}
	if !c.resync && !c.fits(size) {
		c.cut()
	}
	if c.resync && (!clean || !c.fits(size)) {
		if c.gap {
			c.srv.drops.Add(1)
		}
		return
	}
	c.resync = false
	if c.gap {
		p.Gap, c.gap = true, false
	}
	c.queue = append(c.queue, p)
	c.bytes += size
	c.signal()
}

func (c *Client) fits(size int) bool {
	return len(c.queue)+1 <= c.srv.cfg.queueChunks && c.bytes+size <= c.srv.cfg.queueBytes
}

// cut drops what is queued from the first clean start on, and makes the
// client wait for the next one: the player is a whole queue behind, and
// what it has not started is stale for a live player. It keeps the rest of
// the run the player is in, so the stream it gets is not cut inside a
// container element (a WebM Cluster, an MP4 fragment, a frame) but runs on
// to a clean start boundary. Only when the player's run alone fills the
// queue does the cut fall inside the run. c.mu is held.
func (c *Client) cut() {
	keep := slices.IndexFunc(c.queue, func(p broadcast.Played) bool { return p.Flags&broadcast.FlagCleanStart != 0 })
	keep = max(keep, 0)
	for _, p := range c.queue[keep:] {
		c.bytes -= chunkSize(p)
	}
	c.srv.drops.Add(uint64(len(c.queue) - keep))
	clear(c.queue[keep:])
	c.queue = c.queue[:keep]
	c.resync, c.gap = true, true
}

// finish ends the client after what is queued.
func (c *Client) finish(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.end == nil {
		c.end = err
	}
	c.signal()
}

// stop ends the client at once.
func (c *Client) stop(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.hard {
		c.end, c.hard = err, true
		clear(c.queue)
		c.queue, c.bytes = nil, 0
	}
	c.signal()
}

// signal wakes the reader; c.mu is held.
func (c *Client) signal() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// take pops the next queued chunk; ok is false when none is queued and
// the client has not ended.
func (c *Client) take() (p broadcast.Played, ok bool, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case c.hard:
		return p, false, c.end
	case len(c.queue) > 0:
		p = c.queue[0]
		c.queue[0] = broadcast.Played{}
		c.queue = c.queue[1:]
		c.bytes -= chunkSize(p)
		return p, true, nil
	case c.end != nil:
		return p, false, c.end
	}
	return p, false, nil
}

// next blocks until the splicer has bytes to write: the header due first
// (nil when none) and a payload. They alias the chunk, which is shared
// with other players and must not be modified.
func (c *Client) next() (header, payload []byte, err error) {
	for {
		p, ok, err := c.take()
		if err != nil {
			return nil, nil, err
		}
		if !ok {
			<-c.wake
			continue
		}
		header, payload = c.splicer.Splice(p)
		if len(header) > 0 || len(payload) > 0 {
			return header, payload, nil
		}
	}
}

// Read reads the player's stream. It blocks until bytes are ready and
// returns io.EOF after the end of the stream, ErrClosed once the Client
// or the Server is closed, and a wrapped source error if the source
// failed.
func (c *Client) Read(p []byte) (int, error) {
	c.mu.Lock()
	hard, end := c.hard, c.end
	c.mu.Unlock()
	if hard {
		return 0, end
	}
	if len(p) == 0 {
		return 0, nil
	}
	for len(c.unread[0]) == 0 && len(c.unread[1]) == 0 {
		h, pl, err := c.next()
		if err != nil {
			return 0, err
		}
		c.unread = [2][]byte{h, pl}
	}
	n := 0
	for i := range c.unread {
		m := copy(p[n:], c.unread[i])
		c.unread[i] = c.unread[i][m:]
		n += m
	}
	c.srv.bytesServed.Add(uint64(n))
	return n, nil
}

// Close ends the client and releases its queue; a blocked Read returns
// ErrClosed. Safe to call twice; it always returns nil.
func (c *Client) Close() error {
	c.stop(ErrClosed)
	c.srv.remove(c)
	return nil
}
