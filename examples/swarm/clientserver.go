package main

import (
	"bufio"
	"context"
	"encoding/binary"
	"io"
	"sync"
	"time"

	"github.com/gridcast/gridcast/relay"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	libp2ppeer "github.com/libp2p/go-libp2p/core/peer"
)

// The client-server mode: every viewer opens a stream to the source and the
// source writes every chunk to every viewer, through the same upload cap.
// Each viewer gets a queue of one playout deadline of chunks at the source;
// when it is full, new chunks to that viewer are dropped, as a live server
// must.

const csProtocol = "/gridcast-swarm/client-server/1"

type csServer struct {
	host     host.Host
	limiter  *relay.Limiter
	queueLen int

	mu      sync.Mutex // guards clients and closed
	clients map[*csClientConn]struct{}
	closed  bool
	wg      sync.WaitGroup
}

type csClientConn struct {
	stream network.Stream
	queue  chan []byte
}

func newCSServer(h host.Host, capBytes int64, queueLen int) *csServer {
	s := &csServer{host: h, limiter: relay.NewLimiter(capBytes), queueLen: queueLen, clients: make(map[*csClientConn]struct{})}
	s.limiter.WrapHost(h).SetStreamHandler(csProtocol, s.serve)
	return s
}

func (s *csServer) serve(st network.Stream) {
	c := &csClientConn{stream: st, queue: make(chan []byte, s.queueLen)}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		st.Reset()
		return
	}
	s.clients[c] = struct{}{}
	s.wg.Add(1)
	s.mu.Unlock()
	go func() {
		defer s.wg.Done()
		defer func() {
			s.mu.Lock()
			if _, ok := s.clients[c]; ok {
				delete(s.clients, c)
				close(c.queue)
			}
			s.mu.Unlock()
			st.Reset()
		}()
		for frame := range c.queue {
			if _, err := st.Write(frame); err != nil {
				return
			}
		}
	}()
}

// publish queues a chunk to every client, dropping it for clients whose
// queue is full.
func (s *csServer) publish(payload []byte) {
	frame := binary.BigEndian.AppendUint32(nil, uint32(len(payload)))
	frame = append(frame, payload...)
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.clients {
		select {
		case c.queue <- frame:
		default:
		}
	}
}

func (s *csServer) sent() uint64 { return s.limiter.Traffic().Out }

func (s *csServer) Close() {
	s.mu.Lock()
	s.closed = true
	for c := range s.clients {
		close(c.queue)
		c.stream.Reset()
	}
	s.clients = map[*csClientConn]struct{}{}
	s.mu.Unlock()
	s.limiter.Close()
	s.wg.Wait()
}

// csMember is a client-server viewer. Its stream is ordered and the server
// never resends, so a chunk plays the moment it arrives.
type csMember struct {
	h      host.Host
	stream network.Stream
	rec    *recorder
	read   uint64 // guarded by rec.mu
	wg     sync.WaitGroup
	once   sync.Once
}

func startCSMember(ctx context.Context, h host.Host, source libp2ppeer.AddrInfo, maxPayload int, joined time.Time) (*csMember, error) {
	if err := h.Connect(ctx, source); err != nil {
		return nil, err
	}
	st, err := h.NewStream(ctx, source.ID, csProtocol)
	if err != nil {
		return nil, err
	}
	m := &csMember{h: h, stream: st, rec: newRecorder(joined)}
	m.wg.Go(func() {
		r := bufio.NewReader(st)
		var size [4]byte
		payload := make([]byte, maxPayload)
		for {
			if _, err := io.ReadFull(r, size[:]); err != nil {
				return
			}
			n := int(binary.BigEndian.Uint32(size[:]))
			if n > maxPayload {
				return
			}
			if _, err := io.ReadFull(r, payload[:n]); err != nil {
				return
			}
			now := time.Now()
			if idx, at, ok := readRecord(payload[:n]); ok {
				m.rec.arrive(idx, now.Sub(at))
				m.rec.play(idx, at, now)
			}
			m.rec.mu.Lock()
			m.read += uint64(4 + n)
			m.rec.mu.Unlock()
		}
	})
	return m, nil
}

func (m *csMember) leave(at time.Time) {
	m.once.Do(func() {
		m.rec.mu.Lock()
		m.rec.left = at
		m.rec.bytesIn = m.read
		m.rec.mu.Unlock()
		m.stream.Reset()
		m.wg.Wait()
		m.h.Close()
	})
}

func (m *csMember) host() host.Host     { return m.h }
func (m *csMember) recorder() *recorder { return m.rec }
