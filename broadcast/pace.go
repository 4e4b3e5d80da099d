package broadcast

import (
	"context"
	"io"
	"time"
)

// PacedReader reads from a file or other fast source no faster than a
// live stream of the given bitrate, so that broadcasting a recording
// behaves like broadcasting a camera.
type PacedReader struct {
	r     io.Reader
	ctx   context.Context
	rate  int64 // bytes per second
	start time.Time
	read  int64
}

// NewPacedReader paces r to rate bytes per second. Reads end early with
// ctx's error when ctx is done.
func NewPacedReader(ctx context.Context, r io.Reader, rate int64) *PacedReader {
	return &PacedReader{r: r, ctx: ctx, rate: max(rate, 1)}
}

// Read reads at most a tenth of a second of stream from the source, after
// waiting until the bytes already returned are due.
func (p *PacedReader) Read(b []byte) (int, error) {
	if p.start.IsZero() {
		p.start = time.Now()
	}
	due := p.start.Add(time.Duration(float64(p.read) / float64(p.rate) * float64(time.Second)))
	if wait := time.Until(due); wait > 0 {
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-p.ctx.Done():
			t.Stop()
			return 0, p.ctx.Err()
		}
	}
	if limit := max(p.rate/10, 1); int64(len(b)) > limit {
		b = b[:limit]
	}
	n, err := p.r.Read(b)
	p.read += int64(n)
	return n, err
}
