package broadcast

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

const benchPayload = 16 << 10 // DefaultChunkSize-like: a typical live chunk

func reportChunkRate(b *testing.B) {
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "chunks/s")
}

func BenchmarkEncode(b *testing.B) {
	ch := channelForTest(b, 1, "live")
	c := Chunk{Channel: ch, Seq: 1, Time: epoch, Flags: FlagCleanStart, Payload: make([]byte, benchPayload)}

	// The Encoder validates the channel once; Chunk.Encode checks it, key
	// included, and allocates the result on every call.
	b.Run("Encoder", func(b *testing.B) {
		enc, err := NewEncoder(ch, 0)
		require.NoError(b, err)
		buf := make([]byte, 0, benchPayload+512)
		b.SetBytes(benchPayload)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := enc.AppendEncode(buf[:0], &c); err != nil {
				b.Fatal(err)
			}
		}
		reportChunkRate(b)
	})
	b.Run("Chunk.Encode", func(b *testing.B) {
		b.SetBytes(benchPayload)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := c.Encode(); err != nil {
				b.Fatal(err)
			}
		}
		reportChunkRate(b)
	})
}

func BenchmarkDecode(b *testing.B) {
	ch := channelForTest(b, 1, "live")
	dec, err := NewDecoder(ch, 0)
	require.NoError(b, err)
	data := encodeForTest(b, Chunk{Channel: ch, Seq: 1, Time: epoch, Payload: make([]byte, benchPayload)})
	b.SetBytes(benchPayload)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := dec.Decode(data); err != nil {
			b.Fatal(err)
		}
	}
	reportChunkRate(b)
}

// BenchmarkPlayout inserts and pops one chunk per iteration. Within every
// block of eight, two pairs arrive swapped, so a quarter of the chunks wait
// in the buffer for the one before them.
func BenchmarkPlayout(b *testing.B) {
	order := [8]uint64{0, 1, 3, 2, 4, 6, 5, 7}
	payload := make([]byte, benchPayload)
	p := NewPlayout(DefaultPlayoutConfig())
	b.ReportAllocs()
	var i uint64
	for b.Loop() {
		seq := i&^7 | order[i&7]
		c := Chunk{Seq: seq, Time: t0.Add(time.Duration(seq) * 40 * time.Millisecond), Payload: payload}
		if seq == 0 {
			c.Flags = FlagStreamStart | FlagCleanStart
		}
		now := t0.Add(time.Duration(i)*40*time.Millisecond + 50*time.Millisecond)
		p.Insert(c, now)
		for {
			if _, ok := p.Pop(now); !ok {
				break
			}
		}
		i++
	}
	b.StopTimer()
	if st := p.Stats(); st.Played+uint64(st.Buffered) != i || st.Skipped != 0 {
		b.Fatalf("stats %+v after %d chunks", st, i)
	}
	reportChunkRate(b)
}
