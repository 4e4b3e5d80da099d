package player

import (
	"io"
	"testing"

	"github.com/gridcast/gridcast/broadcast"
)

// BenchmarkFanOut measures the chunk path: one source, eight players
// reading as fast as they can. The source never waits for them, so
// players that fall a queue behind drop: "delivered" is the share of the
// stream each player got on average, "drops/chunk" the chunks dropped
// across players per chunk published.
func BenchmarkFanOut(b *testing.B) {
	const players = 8
	src := newStepSource(b)
	s, err := New(src)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	done := make(chan int64, players)
	for range players {
		c := s.Subscribe()
		go func() {
			defer c.Close()
			n, _ := io.Copy(io.Discard, c)
			done <- n
		}()
	}
	payload := make([]byte, broadcast.DefaultChunkSize)
	clean := chunk(0, "K")
	clean.Payload = payload
	b.ReportAllocs()
	b.SetBytes(int64(len(payload)))
	b.ResetTimer()
	src.feed <- clean
	for i := 1; i < b.N; i++ {
		p := broadcast.Played{Chunk: broadcast.Chunk{Seq: uint64(i), Payload: payload}}
		if i%256 == 0 {
			p.Flags, p.Format, p.Header = clean.Flags, clean.Format, clean.Header
		}
		src.feed <- p
	}
	src.end()
	var total int64
	for range players {
		total += <-done
	}
	b.StopTimer()
	b.ReportMetric(float64(s.Stats().Drops)/float64(b.N), "drops/chunk")
	b.ReportMetric(float64(total)/float64(players)/float64(b.N*len(payload)), "delivered")
}
