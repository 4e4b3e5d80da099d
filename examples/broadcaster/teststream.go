package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"time"
)

// testStream generates a readable stream at a bitrate: every 100 ms, a
// line saying when it was made, padded to a tenth of a second's bytes. A
// viewer's output shows at a glance what arrived and how late.
type testStream struct {
	ctx      context.Context
	rate     int64
	duration time.Duration
	start    time.Time
	tick     int
	pending  bytes.Buffer
}

func newTestStream(ctx context.Context, rate int64, duration time.Duration) io.ReadCloser {
	return &testStream{ctx: ctx, rate: rate, duration: duration, start: time.Now()}
}

func (s *testStream) Read(p []byte) (int, error) {
	if s.pending.Len() == 0 {
		due := s.start.Add(time.Duration(s.tick) * 100 * time.Millisecond)
		if s.duration > 0 && due.Sub(s.start) >= s.duration {
			return 0, io.EOF
		}
		t := time.NewTimer(time.Until(due))
		select {
		case <-t.C:
		case <-s.ctx.Done():
			t.Stop()
			return 0, io.EOF
		}
		line := fmt.Sprintf("gridcast test stream t=%07.1fs\n", float64(s.tick)/10)
		size := max(int(s.rate/10), len(line))
		s.pending.WriteString(line)
		s.pending.Write(bytes.Repeat([]byte{'.'}, size-len(line)-1))
		s.pending.WriteByte('\n')
		s.tick++
	}
	return s.pending.Read(p)
}

func (s *testStream) Close() error { return nil }
