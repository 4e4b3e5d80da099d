package media

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// The committed seeds in testdata/fuzz/<target> are short real streams,
// cut from ffmpeg's output by TestWriteFuzzSeeds:
//
//   - FuzzSplitMPEGTS/ffmpeg-h264-aac: the first packets of an H.264+AAC
//     stream (SDT, PAT, PMT, the keyframe's first packets, audio), then the
//     PAT, PMT and first packets of the second keyframe.
//   - FuzzSplitMPEGTS/ffmpeg-aac: the first packets of an AAC-only stream.
//   - FuzzSplitMP4/ffmpeg-h264-aac: ftyp, moov (video and audio tracks),
//     the first moof (sync, frag_keyframe), its mdat cut to 64 bytes.
//   - FuzzSplitMP4/ffmpeg-frames: the same with frag_every_frame: a sync
//     moof, its mdat cut short, and a non-sync moof.
//   - FuzzSplitWebM/ffmpeg-vp8-opus: EBML header, Segment of unknown size,
//     SeekHead, Void, Info, Tracks, Tags, then two Clusters with their
//     first blocks cut to 32 bytes, the second of unknown size.
//
// The fuzzer mutates them from a structure the parsers know; the synthetic
// seeds added in each target cover the structures ffmpeg does not write.

func FuzzSplitMPEGTS(f *testing.F) {
	sdt := tsPkt(pidSDT, true, false, 0, []byte{0, 0x42})
	f.Add(slices.Concat(patPkt(0), pmtPkt(0, avStreams...), pesPkt(testVideoPID, true, true, 0), // clean with its PSI
		pesPkt(testAudioPID, true, true, 0), sdt, patPkt(1), pmtPkt(1, avStreams...), pesPkt(testVideoPID, true, false, 1)))
	f.Add(slices.Concat(patPkt(0), pmtPkt(0, [2]int{0x0F, testAudioPID}), pesPkt(testAudioPID, true, false, 0)))           // audio only
	f.Add(slices.Concat([]byte{1, 2, tsSync, 3}, patPkt(0), pmtPkt(0, avStreams...), pesPkt(testVideoPID, true, true, 0))) // resync
	f.Add(slices.Concat(patPkt(0), pmtPkt(0, avStreams...)[:100]))                                                         // cut in a packet
	fuzzSplit(f, FormatMPEGTS)
}

func FuzzSplitMP4(f *testing.F) {
	init := slices.Concat(testFtyp, avMoov)
	for _, fr := range []frag{
		{track: 1, first: flagsPtr(syncFlags)},
		{track: 1, sample: flagsPtr(nonSyncFlags)},
		{track: 1, tfhd: flagsPtr(syncFlags)},
		{track: 2},
	} {
		f.Add(slices.Concat(init, box("styp", []byte("msdh")), moof(1, fr), mdat(16)))
	}
	f.Add(slices.Concat(init, moof(1), be32(1), []byte("mdat"), be32(0), be32(24), make([]byte, 8))) // 64-bit size
	f.Add(slices.Concat(testFtyp, box("moov", trak(2, "soun")), moof(1, frag{track: 2}), mdat(4)))   // no video
	fuzzSplit(f, FormatMP4)
}

func FuzzSplitWebM(f *testing.F) {
	head := slices.Concat(testEBML, elUnknown(idSegment), testInfo, avTracks)
	f.Add(slices.Concat(head, cluster(false, simpleBlock(2, true), simpleBlock(1, true)), cluster(false, blockGroup(1, true))))
	f.Add(slices.Concat(head, cluster(true, blockGroup(1, false)), el(idCues, el(0xBB)), testEBML))
	f.Add(slices.Concat(testEBML, elUnknown(idSegment), audioTrack, cluster(true, simpleBlock(1, false)))) // no video
	fuzzSplit(f, FormatWebM)
}

// fuzzSplit checks that on any input the splitter does not panic, returns
// the input's bytes in order (all of them unless the structure is
// malformed), ends with io.EOF or a sentinel, stays within its buffer
// bound, and splits the same whatever the reads.
func fuzzSplit(f *testing.F, format Format) {
	opts := []Option{WithMaxUnit(MinMaxUnit), WithMaxHeader(4 << 10)}
	f.Fuzz(func(t *testing.T, in []byte) {
		whole := fuzzRun(t, bytes.NewReader(in), format, opts)
		out := whole.concat()
		if !bytes.HasPrefix(in, out) {
			t.Fatalf("the units are not a prefix of the input (%d bytes of %d)", len(out), len(in))
		}
		switch {
		case whole.err == io.EOF || errors.Is(whole.err, ErrTruncated):
			if len(out) != len(in) {
				t.Fatalf("%v, but %d bytes of %d came back", whole.err, len(out), len(in))
			}
		case errors.Is(whole.err, ErrMalformed) || errors.Is(whole.err, ErrTooLarge):
		default:
			t.Fatalf("unexpected error: %v", whole.err)
		}
		pieces := fuzzRun(t, &patternReader{r: bytes.NewReader(in)}, format, opts)
		if !slices.Equal(whole.shapes(), pieces.shapes()) || sentinel(whole.err) != sentinel(pieces.err) {
			t.Fatalf("short reads split differently: %v then %v", whole.err, pieces.err)
		}
	})
}

func fuzzRun(t *testing.T, r io.Reader, format Format, opts []Option) split {
	s, err := NewSplitter(r, format, opts...)
	require.NoError(t, err)
	var sp split
	for {
		u, err := s.Next()
		if cap(s.w.buf) > s.cfg.windowLimit() {
			t.Fatalf("buffer of %d bytes, above its bound of %d", cap(s.w.buf), s.cfg.windowLimit())
		}
		if err != nil {
			sp.err = err
			return sp
		}
		if len(u.Data) == 0 || len(u.Data) > s.cfg.maxUnit {
			t.Fatalf("unit of %d bytes", len(u.Data))
		}
		u.Data = bytes.Clone(u.Data)
		sp.units = append(sp.units, u)
	}
}

func sentinel(err error) error {
	for _, s := range []error{ErrMalformed, ErrTooLarge, ErrTruncated} {
		if errors.Is(err, s) {
			return s
		}
	}
	return err
}

// patternReader returns reads of 1, 2, 3, 5, 8, ... bytes, then again.
type patternReader struct {
	r    io.Reader
	a, b int
}

func (p *patternReader) Read(b []byte) (int, error) {
	if p.b == 0 || p.b > 600 {
		p.a, p.b = 1, 1
	}
	n := min(len(b), p.b)
	p.a, p.b = p.b, p.a+p.b
	return p.r.Read(b[:n])
}

func FuzzDetect(f *testing.F) {
	f.Add(patPkt(0))
	f.Add(slices.Concat(patPkt(0), patPkt(1), patPkt(2)))
	f.Add(testFtyp)
	f.Add(testEBML)
	f.Fuzz(func(t *testing.T, in []byte) {
		got, ok := Detect(in)
		if ok != (got != FormatRaw) || !got.known() {
			t.Fatalf("Detect = %v, %v", got, ok)
		}
		s, err := NewSplitter(bytes.NewReader(in), FormatAuto)
		require.NoError(t, err)
		want, _ := Detect(in[:min(len(in), autoDetectBytes)])
		if s.Format() != want {
			t.Fatalf("FormatAuto chose %v, Detect on the first %d bytes %v", s.Format(), autoDetectBytes, want)
		}
	})
}

// committedSeeds reads the seeds committed for a fuzz target.
func committedSeeds(tb testing.TB, target string) map[string][]byte {
	tb.Helper()
	dir := filepath.Join("testdata", "fuzz", target)
	entries, err := os.ReadDir(dir)
	require.NoError(tb, err)
	seeds := map[string][]byte{}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		require.NoError(tb, err)
		body, ok := strings.CutPrefix(string(b), "go test fuzz v1\n[]byte(")
		require.True(tb, ok, "%s is not a []byte corpus file", e.Name())
		s, err := strconv.Unquote(strings.TrimSuffix(strings.TrimSpace(body), ")"))
		require.NoError(tb, err, e.Name())
		seeds[e.Name()] = []byte(s)
	}
	return seeds
}

// TestWriteFuzzSeeds rewrites the committed seeds from fresh ffmpeg
// output. It runs only when asked: GRIDCAST_WRITE_FUZZ_SEEDS=1.
func TestWriteFuzzSeeds(t *testing.T) {
	if os.Getenv("GRIDCAST_WRITE_FUZZ_SEEDS") != "1" {
		t.Skip("set GRIDCAST_WRITE_FUZZ_SEEDS=1 to rewrite testdata/fuzz from ffmpeg output")
	}
	ts := generate(t, samples[0])
	offsets, _ := splitAll(t, bytes.NewReader(ts), FormatMPEGTS).cleans()
	writeSeed(t, "FuzzSplitMPEGTS", "ffmpeg-h264-aac", slices.Concat(ts[:10*tsPacketSize], ts[offsets[1]:offsets[1]+6*tsPacketSize]))
	writeSeed(t, "FuzzSplitMPEGTS", "ffmpeg-aac", generate(t, samples[1])[:8*tsPacketSize])

	for name, s := range map[string]sample{"ffmpeg-h264-aac": samples[4], "ffmpeg-frames": samples[5]} {
		in := generate(t, s)
		var seed []byte
		moofs := 0
		for pos := 0; pos < len(in) && moofs < 2; {
			size, typ := int(binary.BigEndian.Uint32(in[pos:])), string(in[pos+4:pos+8])
			switch typ {
			case "mdat":
				seed = append(seed, box("mdat", in[pos+8:pos+8+64])...)
			case "moof":
				moofs++
				fallthrough
			default:
				seed = append(seed, in[pos:pos+size]...)
			}
			pos += size
			if name == "ffmpeg-h264-aac" && moofs == 1 && typ == "mdat" {
				break
			}
		}
		writeSeed(t, "FuzzSplitMP4", name, seed)
	}

	webm := generate(t, samples[2])
	offsets, _ = splitAll(t, bytes.NewReader(webm), FormatWebM).cleans()
	seed := bytes.Clone(webm[:offsets[0]])
	for i, off := range offsets[:2] {
		_, size, hl, _, err := ebmlHead(webm[off:])
		require.NoError(t, err)
		var body []byte
		n := 0
		require.NoError(t, eachElement(webm[off+int64(hl):off+int64(hl)+int64(size)], func(id uint32, v []byte) error {
			if n++; n <= 4 {
				body = append(body, el(id, v[:min(len(v), 32)])...)
			}
			return nil
		}))
		if i == 1 {
			seed = append(append(seed, elUnknown(idCluster)...), body...)
		} else {
			seed = append(seed, el(idCluster, body)...)
		}
	}
	writeSeed(t, "FuzzSplitWebM", "ffmpeg-vp8-opus", seed)
}

func writeSeed(t *testing.T, target, name string, data []byte) {
	dir := filepath.Join("testdata", "fuzz", target)
	require.NoError(t, os.MkdirAll(dir, 0o755))
	body := fmt.Sprintf("go test fuzz v1\n[]byte(%s)\n", strconv.Quote(string(data)))
	require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644))
	t.Logf("%s/%s: %d bytes", target, name, len(data))
}
