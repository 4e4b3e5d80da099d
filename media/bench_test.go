package media

import (
	"bytes"
	"io"
	"testing"
)

// benchSplit splits a real stream whole per iteration: the throughput is
// that of Next over the stream, read from memory.
func benchSplit(b *testing.B, s sample) {
	in := generate(b, s)
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	units := 0
	for b.Loop() {
		sp, err := NewSplitter(bytes.NewReader(in), s.format)
		if err != nil {
			b.Fatal(err)
		}
		for {
			_, err := sp.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			units++
		}
	}
	b.ReportMetric(float64(units)/b.Elapsed().Seconds(), "units/s")
}

func BenchmarkSplitMPEGTS(b *testing.B) { benchSplit(b, samples[0]) }
func BenchmarkSplitWebM(b *testing.B)   { benchSplit(b, samples[2]) }
func BenchmarkSplitMP4(b *testing.B)    { benchSplit(b, samples[4]) }

// BenchmarkSplitMP4Frames has a moof per frame: 150 moofs to parse in
// 6 s of video.
func BenchmarkSplitMP4Frames(b *testing.B) { benchSplit(b, samples[5]) }
