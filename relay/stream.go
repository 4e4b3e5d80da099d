package relay

import (
	"context"
	"os"
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"
)

// limitedHost is the host WrapHost returns.
type limitedHost struct {
	host.Host
	l *Limiter
}

var _ host.Host = (*limitedHost)(nil)

func (h *limitedHost) NewStream(ctx context.Context, p peer.ID, pids ...protocol.ID) (network.Stream, error) {
	s, err := h.Host.NewStream(ctx, p, pids...)
	if err != nil {
		return nil, err
	}
	return h.l.wrap(s), nil
}

func (h *limitedHost) SetStreamHandler(pid protocol.ID, handler network.StreamHandler) {
	h.Host.SetStreamHandler(pid, h.l.wrapHandler(handler))
}

func (h *limitedHost) SetStreamHandlerMatch(pid protocol.ID, match func(protocol.ID) bool, handler network.StreamHandler) {
	h.Host.SetStreamHandlerMatch(pid, match, h.l.wrapHandler(handler))
}

func (l *Limiter) wrapHandler(handler network.StreamHandler) network.StreamHandler {
	if handler == nil {
		return nil
	}
	return func(s network.Stream) { handler(l.wrap(s)) }
}

// pacedStream paces and counts writes, and counts reads, of the stream it
// embeds. Everything else passes through.
type pacedStream struct {
	network.Stream
	l *Limiter

	stopOnce sync.Once
	stop     chan struct{} // closed on Reset, Close or CloseWrite; wakes a waiting Write
	stopErr  error         // why stop was closed; written before the close

	// writing is held (a value in it) for a whole write, with
	// DeferPulls, so that a held-back pull, written from its timer, goes
	// between frames. A channel rather than a mutex: a goroutine waiting
	// on a channel is durably blocked in a testing/synctest bubble, so
	// virtual time still runs while the timer's write waits its turn.
	writing chan struct{}
	pulls   pendingPulls

	dmu      sync.Mutex    // guards deadline and dchanged
	deadline time.Time     // write deadline; zero when none
	dchanged chan struct{} // closed and replaced when deadline changes; wakes a waiting Write
}

var _ network.Stream = (*pacedStream)(nil)

func (l *Limiter) wrap(s network.Stream) *pacedStream {
	return &pacedStream{Stream: s, l: l, stop: make(chan struct{}), dchanged: make(chan struct{}), writing: make(chan struct{}, 1)}
}

// Write cuts p into pieces of at most the limiter's burst, waits for each
// piece's tokens and writes it. On error it returns the bytes written so far.
//
// With SkipHeld, a frame on a GossipSub stream first loses the chunks the
// peer holds (see SkipHeld), and a small frame with no chunk goes out at
// once. Success then reports len(p) written, whatever was left out.
func (s *pacedStream) Write(p []byte) (int, error) {
	if s.l.pullDelay > 0 {
		s.writing <- struct{}{}
		defer func() { <-s.writing }()
	}
	frame, held, done, err := s.prepare(p)
	if err != nil {
		return 0, err
	}
	if done {
		return len(p), nil
	}
	return s.pace(frame, len(p), held)
}

// pace writes frame piece by piece as tokens allow, checking held again
// after a wait. It reports size written on success (what the caller asked
// to write, before SkipHeld), and on error the bytes written so far, at
// most size.
func (s *pacedStream) pace(frame []byte, size int, held func([messageIDSize]byte) bool) (int, error) {
	written := 0
	start := time.Now() // SpareWait counts from here, not per piece
	for len(frame) > 0 {
		piece := frame
		if b := s.l.burst; b > 0 && int64(len(piece)) > b {
			piece = frame[:b]
		}
		began := time.Now()
		allowed, err := s.await(int64(len(piece)), start)
		if err != nil {
			return min(written, size), err
		}
		if held != nil && written == 0 && time.Now().After(began) {
			// It waited: peers may have said IDONTWANT meanwhile.
			again := s.unheld(frame, held)
			if len(again) < len(frame) {
				kept := min(allowed, int64(len(again)))
				s.l.refund(allowed, kept)
				if again == nil {
					return size, nil
				}
				frame, allowed = again, kept
			}
		}
		sent := time.Now()
		n, err := s.Stream.Write(frame[:allowed])
		s.l.countStall(sent)
		written += n
		s.l.out.Add(uint64(n))
		if err != nil {
			return min(written, size), err
		}
		frame = frame[n:]
	}
	return size, nil
}

// prepare applies SkipHeld to a frame about to be paced. It returns the
// frame to pace, with held set if it carries chunks (to check again after
// waiting), or done when nothing is left to pace: the frame was left out
// whole or went out at once (bypass), err saying whether that failed.
// Without SkipHeld, or on another protocol, p passes as it is.
func (s *pacedStream) prepare(p []byte) (frame []byte, held func([messageIDSize]byte) bool, done bool, err error) {
	if s.l.held == nil || !isGossipSub(s.Protocol()) {
		return p, nil, false, nil
	}
	c := s.Conn()
	if c == nil {
		return p, nil, false, nil
	}
	info := inspectFrame(p)
	if info.messages > 0 {
		remote := c.RemotePeer()
		held = func(id [messageIDSize]byte) bool { return s.l.held.Holds(remote, id) }
		frame = s.unheld(p, held)
		if frame == nil || s.l.offers == nil {
			return frame, held, frame == nil, nil
		}
		if out, n := s.announce(frame, remote); n > 0 {
			frame = out
			// Announcements alone are control, which goes first.
			if len(frame) <= ControlBypass && s.l.bucket != nil && inspectFrame(frame).messages == 0 {
				_, err := s.bypass(frame)
				return nil, nil, true, err
			}
		}
		return frame, held, false, nil
	}
	if !info.ok {
		return p, nil, false, nil
	}
	frame = p
	if out, n := dropWants(p, s.laterWant); n > 0 {
		if frame = out; frame == nil {
			return nil, nil, true, nil
		}
	}
	if len(frame) <= ControlBypass && s.l.bucket != nil {
		_, err := s.bypass(frame)
		return nil, nil, true, err
	}
	return frame, nil, false, nil
}

// laterWant reports whether an IWANT leaves id out: it was asked of
// another peer within IWantRetry, or DeferPulls holds it back.
func (s *pacedStream) laterWant(id string) bool {
	if s.l.asked.claim(id) {
		s.l.wantsDropped.Add(1)
		return true
	}
	if s.l.pullDelay > 0 && s.deferPull(id) {
		s.l.pullsDeferred.Add(1)
		return true
	}
	s.l.asked.markSent(id)
	return false
}

// unheld returns frame without the chunks held reports, nil if nothing is
// left to send, and counts what it left out.
func (s *pacedStream) unheld(frame []byte, held func([messageIDSize]byte) bool) []byte {
	out, dropped := dropMessages(frame, held)
	if dropped > 0 {
		s.l.spared.Add(uint64(dropped))
		s.l.sparedBytes.Add(uint64(len(frame) - len(out)))
	}
	return out
}

// bypass writes a small control frame at once, charging the bucket
// without waiting (see ControlBypass).
func (s *pacedStream) bypass(p []byte) (int, error) {
	if err := s.stopped(); err != nil {
		return 0, err
	}
	sent := time.Now()
	s.l.reserve(sent, int64(len(p)))
	s.l.controlBypass.Add(1)
	n, err := s.Stream.Write(p)
	s.l.countStall(sent)
	s.l.out.Add(uint64(n))
	return n, err
}

// stopped returns why writes must fail now, if they must: the limiter or
// the stream is closed, or the stream reset.
func (s *pacedStream) stopped() error {
	select {
	case <-s.l.closed:
		return ErrClosed
	case <-s.stop:
		return s.stopErr
	default:
		return nil
	}
}

// minRetry is the shortest a spare-capacity write sleeps before looking at
// the bucket again, so that a stream of small urgent writes cannot make it
// spin.
const minRetry = time.Millisecond

// await blocks until up to n bytes may be sent and returns how many: n for
// an urgent write, which reserves its tokens and waits for them, and at
// least min(n, SpareSlice) for a spare-capacity one, until SpareWait
// after sparing, when the write began: then it reserves like an urgent
// one. It fails when the limiter closes, the stream is closed or reset, or
// the write deadline (which may change while it waits) passes.
func (s *pacedStream) await(n int64, sparing time.Time) (int64, error) {
	var due time.Time // when reserved tokens are there; zero until reserved
	for {
		if err := s.stopped(); err != nil {
			return 0, err
		}
		if s.l.bucket == nil {
			return n, nil
		}
		deadline, changed := s.writeDeadline()
		now := time.Now()
		if due.IsZero() {
			if !deadline.IsZero() && !now.Before(deadline) {
				return 0, os.ErrDeadlineExceeded
			}
			if s.urgent() || now.Sub(sparing) >= SpareWait {
				due = s.l.reserve(now, n)
			} else {
				got, retry := s.l.takeUpTo(now, n, SpareSlice)
				if got > 0 {
					return got, nil
				}
				wake := now.Add(min(max(retry, minRetry), sparing.Add(SpareWait).Sub(now)))
				if err := s.sleep(wake, deadline, changed); err != nil {
					return 0, err
				}
				continue
			}
		}
		if !now.Before(due) {
			return n, nil
		}
		if err := s.sleep(due, deadline, changed); err != nil {
			return 0, err
		}
	}
}

// urgent reports whether this stream's writes come first.
func (s *pacedStream) urgent() bool {
	if s.l.urgent == nil {
		return true
	}
	c := s.Conn()
	return c == nil || s.l.urgent(c.RemotePeer())
}

// sleep waits until wake, the write deadline (or its change), or the end
// of the stream or the limiter. It returns nil when await should look
// again, and the error to fail the write with otherwise.
func (s *pacedStream) sleep(wake, deadline time.Time, changed <-chan struct{}) error {
	now := time.Now()
	if !deadline.IsZero() && deadline.Before(wake) {
		if !now.Before(deadline) {
			return os.ErrDeadlineExceeded
		}
		wake = deadline
	}
	t := time.NewTimer(wake.Sub(now))
	defer t.Stop()
	select {
	case <-t.C:
	case <-changed:
	case <-s.l.closed:
		return ErrClosed
	case <-s.stop:
		return s.stopErr
	}
	return nil
}

func (s *pacedStream) Read(p []byte) (int, error) {
	n, err := s.Stream.Read(p)
	s.l.in.Add(uint64(n))
	return n, err
}

func (s *pacedStream) signal(err error) {
	s.stopOnce.Do(func() {
		s.stopErr = err
		close(s.stop)
		s.stopPulls()
	})
}

func (s *pacedStream) Close() error {
	s.signal(ErrStreamClosed)
	return s.Stream.Close()
}

func (s *pacedStream) CloseWrite() error {
	s.signal(ErrStreamClosed)
	return s.Stream.CloseWrite()
}

func (s *pacedStream) Reset() error {
	s.signal(network.ErrReset)
	return s.Stream.Reset()
}

func (s *pacedStream) ResetWithError(code network.StreamErrorCode) error {
	s.signal(network.ErrReset)
	return s.Stream.ResetWithError(code)
}

func (s *pacedStream) SetDeadline(t time.Time) error {
	s.setWriteDeadline(t)
	return s.Stream.SetDeadline(t)
}

func (s *pacedStream) SetWriteDeadline(t time.Time) error {
	s.setWriteDeadline(t)
	return s.Stream.SetWriteDeadline(t)
}

func (s *pacedStream) setWriteDeadline(t time.Time) {
	s.dmu.Lock()
	defer s.dmu.Unlock()
	s.deadline = t
	close(s.dchanged)
	s.dchanged = make(chan struct{})
}

func (s *pacedStream) writeDeadline() (time.Time, <-chan struct{}) {
	s.dmu.Lock()
	defer s.dmu.Unlock()
	return s.deadline, s.dchanged
}
