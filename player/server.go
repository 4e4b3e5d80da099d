package player

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"

	"github.com/gridcast/gridcast/broadcast"
	"github.com/gridcast/gridcast/media"
)

// Source is the stream a Server plays, in playout order: a
// *broadcast.Viewer, or a test's fake.
type Source interface {
	// ReadChunk returns the next chunk in playout order and io.EOF after
	// the end of the stream; it must return ctx's error once ctx ends.
	// Only the server's fan-out goroutine calls it. The server keeps each
	// chunk's Payload and Header until every player has taken it and
	// never modifies them: the source must not reuse them.
	ReadChunk(ctx context.Context) (broadcast.Played, error)
	// Stats and Channel are called from /stats and page handlers, at any
	// time and concurrently.
	Stats() broadcast.ViewerStats
	Channel() broadcast.Channel
}

var _ Source = (*broadcast.Viewer)(nil)

// Server plays one Source to any number of players. It owns one goroutine,
// started by New, that reads the source and offers each chunk to every
// player's bounded queue without waiting for any of them: a slow player
// loses chunks, never the others. Each /stream response runs on its
// net/http goroutine, and Listen adds one goroutine per listener. Close
// stops them all.
type Server struct {
	cfg     config
	src     Source
	handler http.Handler
	ctx     context.Context // ends at Close
	cancel  context.CancelFunc
	// wg counts the fan-out goroutine, Listen's Serve goroutines and the
	// /stream handlers in flight; Add happens under mu while !closed.
	wg    sync.WaitGroup
	ready chan struct{} // closed at the first clean start
	ended chan struct{} // closed when the source has ended

	bytesServed atomic.Uint64
	drops       atomic.Uint64

	closeOnce sync.Once
	closeErr  error

	// mu guards everything below. The fan-out goroutine holds it while it
	// queues a chunk for every client, never while it reads the source.
	mu          sync.Mutex
	closed      bool
	end         error        // why the source ended: io.EOF or a wrapped error
	format      media.Format // of the last header; FormatRaw until one
	started     bool         // a clean start has arrived
	cache       []broadcast.Played
	cacheBytes  int
	cacheValid  bool // cache begins at the last clean start
	clients     map[*Client]struct{}
	httpPlayers int
	served      uint64
	servers     []*http.Server
	serveErr    error
	times       timeRing // publish times of recent chunks, for buffer_s
	rates       rateMeter
}

// New starts playing src. Defaults: a join cache of [DefaultCacheBytes]
// and [DefaultCacheChunks], player queues of [DefaultQueueBytes] and
// [DefaultQueueChunks], a /stream start timeout of [DefaultStartTimeout]
// and at most [DefaultMaxPlayers] /stream responses at once. It returns an
// error only for a bad option. The server does not close src.
func New(src Source, opts ...Option) (*Server, error) {
	if src == nil {
		return nil, errors.New("player: nil source")
	}
	cfg := defaultConfig()
	for _, opt := range opts {
		if err := opt(&cfg); err != nil {
			return nil, err
		}
	}
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{
		cfg: cfg, src: src, ctx: ctx, cancel: cancel,
		ready:   make(chan struct{}),
		ended:   make(chan struct{}),
		clients: make(map[*Client]struct{}),
	}
	s.handler = s.newHandler()
	s.wg.Go(s.run)
	return s, nil
}

func (s *Server) run() {
	for {
		p, err := s.src.ReadChunk(s.ctx)
		if err != nil {
			if s.ctx.Err() == nil {
				s.finish(err)
			}
			return
		}
		s.dispatch(p)
	}
}

// dispatch updates the cache with p and queues it for every client.
func (s *Server) dispatch(p broadcast.Played) {
	clean := p.Flags&broadcast.FlagCleanStart != 0
	size := chunkSize(p)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	s.times.add(p.Time)
	if p.Flags&broadcast.FlagHeader != 0 {
		s.format = p.Format
	}
	if clean && !s.started {
		s.started = true
		close(s.ready)
	}
	if clean {
		clear(s.cache)
		s.cache, s.cacheBytes, s.cacheValid = s.cache[:0], 0, true
	}
	if s.cacheValid {
		if len(s.cache)+1 > s.cfg.cacheChunks || s.cacheBytes+size > s.cfg.cacheBytes {
			s.cache, s.cacheBytes, s.cacheValid = nil, 0, false
		} else {
			s.cache = append(s.cache, p)
			s.cacheBytes += size
		}
	}
	for c := range s.clients {
		c.offer(p, clean, size)
	}
}

// finish ends every client after its queued chunks: the source is done.
func (s *Server) finish(err error) {
	if !errors.Is(err, io.EOF) {
		err = fmt.Errorf("player: read %s: %w", s.src.Channel(), err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.end = err
	s.cache, s.cacheBytes, s.cacheValid = nil, 0, false
	for c := range s.clients {
		c.finish(err)
	}
	close(s.ended)
}

// Subscribe returns a new player of the stream, for writing it to a file
// or a pipe: it starts at the cached clean start, or at the next one. The
// caller must Close it; a Client that is not read falls behind and loses
// chunks like a slow HTTP player. After Close the Client reads ErrClosed,
// after the end of the stream io.EOF.
func (s *Server) Subscribe() *Client {
	c, _ := s.subscribe(false)
	return c
}

// subscribe registers a client; ErrTooManyPlayers if an HTTP player would
// pass the limit.
func (s *Server) subscribe(isHTTP bool) (*Client, error) {
	c := newClient(s, isHTTP)
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.closed:
		c.stop(ErrClosed)
		return c, nil
	case s.end != nil:
		c.finish(s.end)
		return c, nil
	case isHTTP && s.httpPlayers >= s.cfg.maxPlayers:
		return nil, fmt.Errorf("%w: %d playing", ErrTooManyPlayers, s.httpPlayers)
	}
	c.seed(s.cache, s.cacheBytes, s.cacheValid)
	s.clients[c] = struct{}{}
	s.served++
	if isHTTP {
		s.httpPlayers++
	}
	return c, nil
}

func (s *Server) remove(c *Client) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.clients[c]; ok {
		delete(s.clients, c)
		if c.isHTTP {
			s.httpPlayers--
		}
	}
}

// enter counts a handler in wg; false once the server is closed.
func (s *Server) enter() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.wg.Add(1)
	return true
}

// Handler returns the server's HTTP endpoints (see the package doc), to
// mount on an http.Server of the caller's, which must not set ReadTimeout
// or WriteTimeout: they would cut /stream short. Close ends its /stream
// responses and waits for them.
func (s *Server) Handler() http.Handler { return s.handler }

// Close stops reading the source, closes the listeners and every
// connection Listen accepted, ends every player at once (their reads
// return ErrClosed) and waits for the goroutines it started and the
// /stream handlers. It returns serving errors, if any. Safe to call twice.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		s.mu.Lock()
		s.closed = true
		clients := s.clients
		s.clients = map[*Client]struct{}{}
		servers := s.servers
		s.cache, s.cacheValid = nil, false
		s.mu.Unlock()

		s.cancel()
		for c := range clients {
			c.stop(ErrClosed)
		}
		var errs []error
		for _, hs := range servers {
			if err := hs.Close(); err != nil {
				errs = append(errs, fmt.Errorf("player: close http server: %w", err))
			}
		}
		s.wg.Wait()
		s.mu.Lock()
		errs = append(errs, s.serveErr)
		s.mu.Unlock()
		s.closeErr = errors.Join(errs...)
	})
	return s.closeErr
}

func chunkSize(p broadcast.Played) int { return len(p.Payload) + len(p.Header) }
