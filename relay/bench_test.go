package relay

import (
	"testing"
	"time"

	pb "github.com/libp2p/go-libp2p-pubsub/pb"
)

// discardStream accepts every write; the benchmarks measure the pacing
// wrapper, not a transport.
type discardStream struct{ sinkStream }

func (*discardStream) Write(p []byte) (int, error) { return len(p), nil }

func BenchmarkPacedWriteUnlimited(b *testing.B) {
	l := NewLimiter(0)
	s := l.wrap(&discardStream{})
	chunk := make([]byte, 16<<10)
	b.ReportAllocs()
	b.SetBytes(int64(len(chunk)))
	for b.Loop() {
		if _, err := s.Write(chunk); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPacedWriteCapped measures the cost of taking tokens when they are
// always there: a cap far above what the loop can send.
func BenchmarkPacedWriteCapped(b *testing.B) {
	l := NewLimiter(1 << 50)
	s := l.wrap(&discardStream{})
	chunk := make([]byte, 16<<10)
	b.ReportAllocs()
	b.SetBytes(int64(len(chunk)))
	for b.Loop() {
		if _, err := s.Write(chunk); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkTokenBucketReserve(b *testing.B) {
	tb := NewTokenBucket(125_000, 16<<10, t0)
	now := t0
	b.ReportAllocs()
	for b.Loop() {
		now = now.Add(tb.Reserve(now, 1500))
	}
	b.ReportMetric(float64(now.Sub(t0))/float64(time.Second)/float64(b.N), "simulated-s/op")
}

func BenchmarkMessageID(b *testing.B) {
	m := &pb.Message{From: []byte("12D3KooWAuthorAuthorAuthorAuthorAuthorAuthor"), Data: make([]byte, 16<<10)}
	b.ReportAllocs()
	b.SetBytes(int64(len(m.Data)))
	for b.Loop() {
		_ = MessageID(m)
	}
}
