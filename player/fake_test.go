package player

import (
	"context"
	"fmt"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/gridcast/gridcast/broadcast"
	"github.com/gridcast/gridcast/media"
	"github.com/stretchr/testify/require"
)

// testChannelID is a fixed Ed25519 owner (seed 0x01…) and a name.
const testChannelID = "12D3KooWK99VoVxNE7XzyBwXEzW7xhK7Gpv85r9F3V3fyKSUKPH5/live"

func testChannel(tb testing.TB) broadcast.Channel {
	tb.Helper()
	ch, err := broadcast.ParseChannel(testChannelID)
	require.NoError(tb, err)
	return ch
}

// fakeStats is the part of a Source the tests do not drive chunk by chunk.
type fakeStats struct {
	ch broadcast.Channel
	mu sync.Mutex
	st broadcast.ViewerStats
}

func (f *fakeStats) Channel() broadcast.Channel { return f.ch }

func (f *fakeStats) Stats() broadcast.ViewerStats {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.st
}

func (f *fakeStats) setStats(st broadcast.ViewerStats) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.st = st
}

// stepSource hands out exactly the chunks a test pushes, one at a time.
type stepSource struct {
	fakeStats
	feed chan broadcast.Played // unbuffered; closed: end of stream
	// idle is received from only while ReadChunk waits for the next
	// chunk, that is once the server has dispatched the previous one.
	idle chan struct{}
}

func newStepSource(tb testing.TB) *stepSource {
	return &stepSource{
		fakeStats: fakeStats{ch: testChannel(tb)},
		feed:      make(chan broadcast.Played),
		idle:      make(chan struct{}),
	}
}

func (f *stepSource) ReadChunk(ctx context.Context) (broadcast.Played, error) {
	for {
		select {
		case p, ok := <-f.feed:
			if !ok {
				return broadcast.Played{}, io.EOF
			}
			return p, nil
		case f.idle <- struct{}{}:
		case <-ctx.Done():
			return broadcast.Played{}, ctx.Err()
		}
	}
}

// push hands ps to the server and returns once it has dispatched them all.
func (f *stepSource) push(ps ...broadcast.Played) {
	for _, p := range ps {
		f.feed <- p
	}
	<-f.idle
}

// end ends the stream.
func (f *stepSource) end() { close(f.feed) }

const testHeader = "HDR|"

// chunk returns a WebM-labelled chunk whose payload is spec: "K…" is a clean
// start carrying testHeader, anything else a plain chunk.
func chunk(seq uint64, spec string) broadcast.Played {
	p := broadcast.Played{Chunk: broadcast.Chunk{
		Seq:     seq,
		Time:    time.Unix(1_700_000_000, 0).Add(time.Duration(seq) * 100 * time.Millisecond),
		Payload: []byte(spec),
	}}
	if spec[0] == 'K' {
		p.Flags = broadcast.FlagCleanStart | broadcast.FlagHeader
		p.Format, p.Header = media.FormatWebM, []byte(testHeader)
	}
	return p
}

// run returns chunks first..last, clean where clean says, with payloads
// "K07" or "P08".
func run(first, last uint64, clean func(uint64) bool) ([]broadcast.Played, string) {
	var ps []broadcast.Played
	var want string
	for i := first; i <= last; i++ {
		spec := fmt.Sprintf("P%02d", i)
		if clean(i) {
			spec = fmt.Sprintf("K%02d", i)
		}
		ps = append(ps, chunk(i, spec))
		want += spec
	}
	return ps, want
}

// pacedSource plays chunks at their offsets from its first ReadChunk, as
// a viewer would hand them out in real time.
type pacedSource struct {
	fakeStats
	chunks []broadcast.Played
	at     []time.Duration
	next   int
	start  time.Time
}

func (f *pacedSource) ReadChunk(ctx context.Context) (broadcast.Played, error) {
	if f.next == len(f.chunks) {
		return broadcast.Played{}, io.EOF
	}
	if f.start.IsZero() {
		f.start = time.Now()
	}
	t := time.NewTimer(time.Until(f.start.Add(f.at[f.next])))
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
		return broadcast.Played{}, ctx.Err()
	}
	f.next++
	st := f.Stats()
	st.Received++
	st.Played++
	st.BytesIn += uint64(len(f.chunks[f.next-1].Payload))
	st.BytesOut += 2 * uint64(len(f.chunks[f.next-1].Payload)) // relayed to two peers
	st.Latency = broadcast.Latency{P50: 40 * time.Millisecond, P95: 90 * time.Millisecond, Samples: 1}
	st.MeshPeers, st.UploadCap = 3, 250_000
	f.setStats(st)
	return f.chunks[f.next-1], nil
}
