package media

import (
	"bytes"
	"errors"
	"io"
	"slices"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMalformed(t *testing.T) {
	init := slices.Concat(testFtyp, avMoov)
	key := moof(1, frag{track: 1, first: flagsPtr(syncFlags)})
	webmHead := slices.Concat(testEBML, elUnknown(idSegment), testInfo, avTracks)
	tsHead := slices.Concat(patPkt(0), pmtPkt(0, avStreams...), pesPkt(testVideoPID, true, true, 0))
	big := make([]byte, 2*MinMaxHeader)
	for _, tc := range []struct {
		name   string
		format Format
		in     []byte
		opts   []Option
		want   error
		before int // bytes returned before the error; -1: all of them
	}{
		{"mp4 box of size 0", FormatMP4, slices.Concat(init, be32(0), []byte("mdat")), nil, ErrMalformed, len(init)},
		{"mp4 box smaller than its header", FormatMP4, slices.Concat(init, be32(7), []byte("free")), nil, ErrMalformed, len(init)},
		{"mp4 64-bit size smaller than its header", FormatMP4,
			slices.Concat(init, be32(1), []byte("mdat"), be32(0), be32(15)), nil, ErrMalformed, len(init)},
		{"mp4 64-bit size beyond int64", FormatMP4,
			slices.Concat(init, be32(1), []byte("mdat"), be32(0x80000000), be32(0)), nil, ErrMalformed, len(init)},
		{"mp4 moov above MaxHeader", FormatMP4, slices.Concat(testFtyp, box("moov", box("free", big))),
			[]Option{WithMaxHeader(MinMaxHeader)}, ErrTooLarge, len(testFtyp)},
		{"mp4 moof above MaxHeader", FormatMP4, slices.Concat(init, box("moof", box("free", big))),
			[]Option{WithMaxHeader(MinMaxHeader)}, ErrTooLarge, len(init)},
		{"mp4 moov child overruns it", FormatMP4,
			slices.Concat(testFtyp, box("moov", be32(100), []byte("trak"))), nil, ErrMalformed, len(testFtyp)},
		{"mp4 short tkhd", FormatMP4,
			slices.Concat(testFtyp, box("moov", box("trak", box("tkhd", full(0, 0))))), nil, ErrMalformed, len(testFtyp)},
		{"mp4 short trun", FormatMP4,
			slices.Concat(init, box("moof", box("traf", box("tfhd", full(0, 0, 1)), box("trun", full(0, 0))))), nil, ErrMalformed, len(init)},
		{"mp4 tfhd without its default flags", FormatMP4,
			slices.Concat(init, box("moof", box("traf", box("tfhd", full(0, tfhdDefaultFlags, 1))))), nil, ErrMalformed, len(init)},
		{"mp4 cut in a box header", FormatMP4, slices.Concat(init, []byte{0, 0, 0}), nil, ErrTruncated, -1},
		{"mp4 cut in a 64-bit size", FormatMP4, slices.Concat(init, be32(1), []byte("mdat"), be32(0)), nil, ErrTruncated, -1},
		{"mp4 cut in a moov", FormatMP4, slices.Concat(testFtyp, avMoov[:100]), nil, ErrTruncated, -1},
		{"mp4 cut in an mdat", FormatMP4, slices.Concat(init, key, mdat(1000)[:500]), nil, ErrTruncated, -1},

		{"webm ID without a length marker", FormatWebM, slices.Concat(webmHead, []byte{0, 0x81, 0}), nil, ErrMalformed, len(webmHead)},
		{"webm ID longer than 4 bytes", FormatWebM, slices.Concat(webmHead, []byte{0x08, 1, 2, 3, 4, 0x80}), nil, ErrMalformed, len(webmHead)},
		{"webm size without a length marker", FormatWebM, slices.Concat(webmHead, []byte{0xEC, 0, 0}), nil, ErrMalformed, len(webmHead)},
		{"webm element of 2^56-2 bytes", FormatWebM,
			slices.Concat(webmHead, cluster(true), []byte{0xEC, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE}, big), nil, ErrTruncated, -1},
		{"webm Info of unknown size", FormatWebM,
			slices.Concat(testEBML, elUnknown(idSegment), elUnknown(idInfo)), nil, ErrMalformed, len(testEBML) + 12},
		{"webm cluster child of unknown size", FormatWebM,
			slices.Concat(webmHead, cluster(false), elUnknown(idBlockGroup)), nil, ErrMalformed, len(webmHead) + len(cluster(false))},
		{"webm header above MaxHeader", FormatWebM, slices.Concat(testEBML, elUnknown(idSegment), el(0xEC, big)),
			[]Option{WithMaxHeader(MinMaxHeader)}, ErrTooLarge, len(testEBML) + 12},
		{"webm track entry overruns Tracks", FormatWebM,
			slices.Concat(testEBML, elUnknown(idSegment), el(idTracks, []byte{idTrackEntry, 0x85, 1})), nil, ErrMalformed, len(testEBML) + 12},
		{"webm cut in an element head", FormatWebM, slices.Concat(webmHead, []byte{0x1F, 0x43}), nil, ErrTruncated, -1},
		{"webm cut in a header element", FormatWebM, slices.Concat(testEBML, elUnknown(idSegment), avTracks[:20]), nil, ErrTruncated, -1},
		{"webm cut in a cluster", FormatWebM, slices.Concat(webmHead, cluster(true, simpleBlock(1, true))[:12]), nil, ErrTruncated, -1},

		{"mpegts cut in a packet", FormatMPEGTS, slices.Concat(tsHead, tsHead[:100]), nil, ErrTruncated, -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sp := splitAll(t, bytes.NewReader(tc.in), tc.format, tc.opts...)
			require.ErrorIs(t, sp.err, tc.want)
			assert.Contains(t, sp.err.Error(), "offset")
			before := tc.before
			if before < 0 {
				before = len(tc.in)
			}
			assert.Equal(t, tc.in[:before], sp.concat(), "the bytes before the failure are returned")
		})
	}
}

// TestTruncatedEveryOffset cuts small streams at every byte: the bytes
// read come back whole, and the end is io.EOF or ErrTruncated.
func TestTruncatedEveryOffset(t *testing.T) {
	streams := map[string]struct {
		format Format
		in     []byte
	}{
		"mpegts": {FormatMPEGTS, slices.Concat(patPkt(0), pmtPkt(0, avStreams...), pesPkt(testVideoPID, true, true, 0),
			pesPkt(testAudioPID, true, true, 0), patPkt(1), pmtPkt(1, avStreams...), pesPkt(testVideoPID, true, true, 1))},
		"mp4": {FormatMP4, slices.Concat(testFtyp, avMoov, box("styp", []byte("msdh")),
			moof(1, frag{track: 1, first: flagsPtr(syncFlags)}, frag{track: 2}), mdat(40),
			moof(2, frag{track: 1, sample: flagsPtr(nonSyncFlags)}), mdat(40))},
		"webm": {FormatWebM, slices.Concat(testEBML, elUnknown(idSegment), testInfo, avTracks,
			cluster(true, simpleBlock(2, true), simpleBlock(1, true)),
			cluster(false, blockGroup(1, false), simpleBlock(1, false)), cluster(true, simpleBlock(1, false)))},
	}
	for target, format := range map[string]Format{"FuzzSplitMPEGTS": FormatMPEGTS, "FuzzSplitMP4": FormatMP4, "FuzzSplitWebM": FormatWebM} {
		for name, in := range committedSeeds(t, target) {
			streams[target+"/"+name] = struct {
				format Format
				in     []byte
			}{format, in}
		}
	}
	for name, st := range streams {
		t.Run(name, func(t *testing.T) {
			for i := range len(st.in) + 1 {
				sp := splitAll(t, bytes.NewReader(st.in[:i]), st.format, WithMaxUnit(MinMaxUnit))
				if sp.err != io.EOF && !errors.Is(sp.err, ErrTruncated) {
					t.Fatalf("cut at %d of %d: %v", i, len(st.in), sp.err)
				}
				if !bytes.Equal(st.in[:i], sp.concat()) {
					t.Fatalf("cut at %d of %d: %d bytes come back", i, len(st.in), len(sp.concat()))
				}
			}
		})
	}
}

var errBoom = errors.New("boom")

// A failing reader's error comes after the bytes read before it, wrapped
// with the offset; a reader that returns nothing for ever is stuck.
func TestReaderErrors(t *testing.T) {
	for f, in := range map[Format][]byte{
		FormatRaw:    bytes.Repeat([]byte("raw "), 100),
		FormatMPEGTS: slices.Concat(patPkt(0), pmtPkt(0, avStreams...), pesPkt(testVideoPID, true, true, 0)),
		FormatMP4:    slices.Concat(testFtyp, avMoov, moof(1, frag{track: 1, first: flagsPtr(syncFlags)}), mdat(100)),
		FormatWebM:   slices.Concat(testEBML, elUnknown(idSegment), avTracks, cluster(true, simpleBlock(1, true))),
	} {
		for _, n := range []int{0, 10, len(in) - 50} {
			sp := splitAll(t, io.MultiReader(bytes.NewReader(in[:n]), iotest.ErrReader(errBoom)), f)
			require.ErrorIs(t, sp.err, errBoom, "%s after %d bytes", f, n)
			assert.Contains(t, sp.err.Error(), "offset")
			assert.True(t, bytes.Equal(in[:n], sp.concat()), "%s after %d bytes: %d bytes came back", f, n, len(sp.concat()))
		}
		sp := splitAll(t, iotest.ErrReader(nil), f)
		assert.ErrorIs(t, sp.err, io.ErrNoProgress, f.String())
	}
}

func TestNewSplitterErrors(t *testing.T) {
	r := bytes.NewReader(nil)
	_, err := NewSplitter(r, Format(7))
	assert.ErrorIs(t, err, ErrUnknownFormat)
	for _, opt := range []Option{
		WithMaxUnit(MinMaxUnit - 1), WithMaxUnit(MaxLimit + 1),
		WithMaxHeader(MinMaxHeader - 1), WithMaxHeader(MaxLimit + 1),
	} {
		_, err := NewSplitter(r, FormatMPEGTS, opt)
		assert.Error(t, err)
	}
	s, err := NewSplitter(r, FormatMPEGTS, WithMaxUnit(MinMaxUnit), WithMaxHeader(MaxLimit))
	require.NoError(t, err)
	_, err = s.Next()
	assert.Equal(t, io.EOF, err)
}
