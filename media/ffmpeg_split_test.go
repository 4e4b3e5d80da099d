package media

import (
	"bytes"
	"encoding/binary"
	"io"
	"math/rand/v2"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSplitFFmpeg checks the splits of real encoder output: the units are
// the input, there is one clean point per keyframe (per PES start without
// video), and each clean point is the last unit boundary before its
// keyframe, with no other packet of the stream in between.
func TestSplitFFmpeg(t *testing.T) {
	for _, s := range samples {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			in := generate(t, s)
			sp := splitAll(t, bytes.NewReader(in), FormatAuto)
			require.Equal(t, io.EOF, sp.err)
			assert.Equal(t, s.format, sp.format)
			checkWhole(t, sp, in, DefaultMaxUnit)
			assert.Equal(t, int64(1), sp.stats.Headers)
			assert.Zero(t, sp.stats.Resyncs)

			offsets, headers := sp.cleans()
			pkts := probePackets(t, s, in)
			var keys []packet // audio: one per PES packet, which holds several
			for _, p := range pkts {
				if p.key && (len(keys) == 0 || keys[len(keys)-1].pos != p.pos) {
					keys = append(keys, p)
				}
			}
			require.Len(t, offsets, len(keys), "one clean point per keyframe")
			for k, off := range offsets {
				assert.LessOrEqual(t, off, keys[k].pos, "clean point %d after its keyframe", k)
				if k+1 < len(offsets) {
					assert.Less(t, keys[k].pos, offsets[k+1], "keyframe %d not before the next clean point", k)
				}
				for _, p := range pkts {
					if p.pos >= off {
						assert.True(t, p.key, "clean point %d at %d: the first packet after it, at %d, is not a keyframe", k, off, p.pos)
						break
					}
				}
				assert.Same(t, &headers[0][0], &headers[k][0], "an unchanged header is the same slice")
			}
			checkHeader(t, s, in, offsets[0], headers[0])
			if s.format == FormatMPEGTS {
				for _, u := range sp.units {
					assert.Zero(t, len(u.Data)%tsPacketSize, "a unit of whole packets")
					if u.Clean && s.video {
						checkPSIFirst(t, u)
					}
				}
			}
		})
	}
}

// checkPSIFirst asserts that a clean TS unit starts with the PSI packets
// ffmpeg writes before a keyframe, the PAT among them, then the video.
func checkPSIFirst(t *testing.T, u Unit) {
	sawPAT := false
	for b := u.Data; len(b) >= tsPacketSize; b = b[tsPacketSize:] {
		switch pid := int(b[1]&0x1F)<<8 | int(b[2]); pid {
		case pidPAT:
			sawPAT = true
		case pidSDT, 0x1000: // ffmpeg's PMT PID
		default:
			assert.True(t, sawPAT, "the clean unit at %d has no PAT before its first packet of PID %#x", u.Offset, pid)
			return
		}
	}
}

// checkHeader checks a header against the stream it came from.
func checkHeader(t *testing.T, s sample, in []byte, firstClean int64, header []byte) {
	switch s.format {
	case FormatMPEGTS:
		require.Len(t, header, 2*tsPacketSize)
		assert.Equal(t, pidPAT, int(header[1]&0x1F)<<8|int(header[2]))
	case FormatMP4:
		assert.Equal(t, "ftyp", string(header[4:8]))
		assert.Equal(t, in[:len(header)], header, "the header is the ftyp and moov the stream starts with")
	case FormatWebM:
		require.Len(t, header, int(firstClean), "the header is everything before the first cluster")
		want := bytes.Clone(in[:firstClean])
		seg := bytes.Index(want, []byte{0x18, 0x53, 0x80, 0x67})
		require.Positive(t, seg)
		markUnknownSize(want[seg : seg+12])
		assert.Equal(t, want, header)
	}
}

// TestJoinDecodes is what the package is for: a viewer given the header
// and the stream from any clean unit on decodes every frame from there,
// starting with a keyframe, without an error.
func TestJoinDecodes(t *testing.T) {
	for _, s := range samples {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			in := generate(t, s)
			sp := splitAll(t, bytes.NewReader(in), s.format)
			require.Equal(t, io.EOF, sp.err)
			offsets, headers := sp.cleans()
			require.NotEmpty(t, offsets)
			pkts := probePackets(t, s, in)
			picks := []int{0, 1, len(offsets) / 2, len(offsets) - 1}
			if s.video {
				picks = picks[:0]
				for k := range offsets {
					picks = append(picks, k)
				}
			}
			for _, k := range picks {
				want := 0
				for _, p := range pkts {
					if p.pos >= offsets[k] {
						want++
					}
				}
				joined := append(bytes.Clone(headers[k]), in[offsets[k]:]...)
				n, firstKey := probeFrames(t, s, joined)
				assert.Equal(t, want, n, "frames decoded from clean point %d at offset %d", k, offsets[k])
				assert.True(t, firstKey, "the first frame from clean point %d is a keyframe", k)
			}
		})
	}
}

// TestShortReads feeds the streams in reads of every size: the units are
// the same, boundaries and clean flags and headers, whatever the reads.
func TestShortReads(t *testing.T) {
	for _, s := range samples {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			in := generate(t, s)
			want := splitAll(t, bytes.NewReader(in), s.format)
			readers := map[string]io.Reader{
				"one byte":         iotest.OneByteReader(bytes.NewReader(in)),
				"data with EOF":    iotest.DataErrReader(bytes.NewReader(in)),
				"random 1..700":    &randReader{r: bytes.NewReader(in), max: 700, rnd: rand.New(rand.NewPCG(1, 2))},
				"random 1..100000": &randReader{r: bytes.NewReader(in), max: 100000, rnd: rand.New(rand.NewPCG(3, 4))},
			}
			for name, r := range readers {
				got := splitAll(t, r, s.format)
				assert.Equal(t, io.EOF, got.err, name)
				assert.Equal(t, want.shapes(), got.shapes(), name)
				assert.Equal(t, want.headers, got.headers, name)
			}
		})
	}
}

// randReader returns reads of 1 to max bytes, and now and then none.
type randReader struct {
	r   io.Reader
	max int
	rnd *rand.Rand
}

func (r *randReader) Read(p []byte) (int, error) {
	if r.rnd.IntN(10) == 0 {
		return 0, nil
	}
	return r.r.Read(p[:min(len(p), 1+r.rnd.IntN(r.max))])
}

// TestSmallMaxUnit cuts long stretches into units of at most MaxUnit,
// whole TS packets, at the same clean points.
func TestSmallMaxUnit(t *testing.T) {
	const maxUnit = 4 << 10
	for _, s := range samples {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			in := generate(t, s)
			def := splitAll(t, bytes.NewReader(in), s.format)
			sp := splitAll(t, bytes.NewReader(in), s.format, WithMaxUnit(maxUnit))
			require.Equal(t, io.EOF, sp.err)
			checkWhole(t, sp, in, maxUnit)
			assert.Greater(t, len(sp.units), len(in)/maxUnit)
			wantOff, _ := def.cleans()
			gotOff, _ := sp.cleans()
			assert.Equal(t, wantOff, gotOff)
			if s.format == FormatMPEGTS {
				for _, u := range sp.units {
					assert.Zero(t, len(u.Data)%tsPacketSize)
				}
			}
		})
	}
}

// TestWebMUnknownSizeClusters rewrites every Cluster's size to unknown, as
// a live muxer that does not buffer clusters writes them: the splitter
// must find each cluster's end at the next one.
func TestWebMUnknownSizeClusters(t *testing.T) {
	s := samples[2]
	require.Equal(t, "vp8-opus.webm", s.name)
	in := bytes.Clone(generate(t, s))
	want := splitAll(t, bytes.NewReader(in), s.format)
	offsets, _ := want.cleans()
	n := 0
	for pos := offsets[0]; pos < int64(len(in)); {
		id, size, hl, _, err := ebmlHead(in[pos:])
		require.NoError(t, err)
		require.Equal(t, uint32(idCluster), id, "at offset %d", pos)
		markUnknownSize(in[pos : pos+int64(hl)])
		pos += int64(hl) + int64(size)
		n++
	}
	sp := splitAll(t, bytes.NewReader(in), s.format)
	require.Equal(t, io.EOF, sp.err)
	checkWhole(t, sp, in, DefaultMaxUnit)
	got, headers := sp.cleans()
	assert.Equal(t, offsets, got)
	k := len(got) / 2
	frames, key := probeFrames(t, s, append(bytes.Clone(headers[k]), in[got[k]:]...))
	assert.True(t, key)
	assert.Equal(t, 25*(len(got)-k), frames)
	t.Logf("%d clusters of unknown size", n)
}

// TestNewInitMidStream plays one stream after another, as when the
// encoder restarts: from the second init on, clean units carry its header,
// a new slice; TS's PAT and PMT, the same bytes, keep theirs.
func TestNewInitMidStream(t *testing.T) {
	for _, i := range []int{0, 2, 4} {
		s := samples[i]
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			one := generate(t, s)
			in := append(bytes.Clone(one), one...)
			sp := splitAll(t, bytes.NewReader(in), s.format)
			require.Equal(t, io.EOF, sp.err)
			checkWhole(t, sp, in, DefaultMaxUnit)
			offsets, headers := sp.cleans()
			first, _ := splitAll(t, bytes.NewReader(one), s.format).cleans()
			require.Len(t, offsets, 2*len(first))
			last := len(offsets) - 1
			assert.Equal(t, headers[0], headers[last])
			if s.format == FormatMPEGTS {
				assert.Same(t, &headers[0][0], &headers[last][0])
				assert.Equal(t, int64(1), sp.stats.Headers)
			} else {
				assert.NotSame(t, &headers[0][0], &headers[last][0])
				assert.Equal(t, int64(2), sp.stats.Headers)
			}
			frames, key := probeFrames(t, s, append(bytes.Clone(headers[last]), in[offsets[last]:]...))
			assert.True(t, key)
			assert.Equal(t, 25, frames)
		})
	}
}

// TestAutoDetect checks FormatAuto on real streams, and on a stream too
// short or unknown to tell, which becomes FormatRaw.
func TestAutoDetect(t *testing.T) {
	for _, s := range samples {
		in := generate(t, s)
		sp := splitAll(t, bytes.NewReader(in), FormatAuto)
		assert.Equal(t, s.format, sp.format, s.name)
	}
	in := binary.BigEndian.AppendUint64(nil, 0x0123456789ABCDEF)
	sp := splitAll(t, bytes.NewReader(in), FormatAuto)
	assert.Equal(t, FormatRaw, sp.format)
	assert.Equal(t, in, sp.concat())
}

// ffmpeg's fragmented MP4 without +default_base_moof places samples at
// absolute file offsets, which a joiner's stream does not have (ffprobe
// fails on one): no fragment of it is a clean point.
func TestMP4AbsoluteOffsetsFFmpeg(t *testing.T) {
	s := sample{name: "h264-absolute.mp4", format: FormatMP4, video: true,
		args: concatArgs([]string{"-f", "lavfi", "-i", "testsrc=size=320x240:rate=25", "-t", "2"}, h264,
			[]string{"-movflags", "frag_keyframe+empty_moov", "-f", "mp4"})}
	in := generate(t, s)
	sp := splitAll(t, bytes.NewReader(in), s.format)
	require.Equal(t, io.EOF, sp.err)
	checkWhole(t, sp, in, DefaultMaxUnit)
	assert.Zero(t, sp.stats.CleanUnits)
	assert.Equal(t, int64(1), sp.stats.Headers)
}
