package media

import (
	"bytes"
	"io"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// cleanOffsets splits in whole and returns where the clean units start.
func cleanOffsets(t *testing.T, in []byte, f Format, opts ...Option) ([]int64, split) {
	t.Helper()
	sp := splitAll(t, bytes.NewReader(in), f, opts...)
	require.Equal(t, io.EOF, sp.err)
	checkWhole(t, sp, in, DefaultMaxUnit)
	offsets, _ := sp.cleans()
	return offsets, sp
}

func TestTSCleanPoints(t *testing.T) {
	pkt := func(i int) int64 { return int64(i * tsPacketSize) }
	sdt := tsPkt(pidSDT, true, false, 0, []byte{0, 0x42})
	in := slices.Concat(
		patPkt(0), pmtPkt(0, avStreams...), // 0, 1: held, then clean with the keyframe
		pesPkt(testVideoPID, true, true, 0), // 2: keyframe
		pesPkt(testVideoPID, false, false, 1),
		pesPkt(testAudioPID, true, true, 0),
		patPkt(1), pmtPkt(1, avStreams...), // 5, 6: before a frame that is not a keyframe
		pesPkt(testVideoPID, true, false, 2),
		pesPkt(testVideoPID, false, true, 3),    // 8: RAI without a PES start
		sdt, patPkt(2), pmtPkt(2, avStreams...), // 9, 10, 11: held with the keyframe
		pesPkt(testVideoPID, true, true, 4), // 12
		pesPkt(testAudioPID, true, true, 1),
		pesPkt(testVideoPID, true, true, 5), // 14: keyframe with no PSI before it
	)
	offsets, sp := cleanOffsets(t, in, FormatMPEGTS)
	assert.Equal(t, []int64{pkt(0), pkt(9), pkt(14)}, offsets)
	_, headers := sp.cleans()
	assert.Equal(t, slices.Concat(patPkt(0), pmtPkt(0, avStreams...)), headers[0])
	assert.Same(t, &headers[0][0], &headers[2][0], "PSI repeated with new continuity counters is the same header")
}

func TestTSStreamTypes(t *testing.T) {
	for _, typ := range []int{0x01, 0x02, 0x10, 0x1B, 0x24, 0x42, 0xD1, 0xEA} {
		in := slices.Concat(patPkt(0), pmtPkt(0, [2]int{0x0F, testAudioPID}, [2]int{typ, testVideoPID}),
			pesPkt(testAudioPID, true, true, 0), pesPkt(testVideoPID, true, true, 0))
		offsets, _ := cleanOffsets(t, in, FormatMPEGTS)
		assert.Equal(t, []int64{3 * tsPacketSize}, offsets, "stream type %#x", typ)
	}
}

// Without video, every PES start of the first stream is clean, random
// access indicator or not; other streams' are not.
func TestTSAudioOnly(t *testing.T) {
	streams := [][2]int{{0x0F, testAudioPID}, {0x06, 0x102}}
	in := slices.Concat(patPkt(0), pmtPkt(0, streams...),
		pesPkt(testAudioPID, true, false, 0), pesPkt(testAudioPID, false, false, 1),
		pesPkt(0x102, true, true, 0), pesPkt(testAudioPID, true, false, 2))
	offsets, _ := cleanOffsets(t, in, FormatMPEGTS)
	assert.Equal(t, []int64{0, 5 * tsPacketSize}, offsets)
}

// No clean point without a PAT and PMT to put in the header, nor with a
// PMT whose CRC is wrong.
func TestTSNeedsPSI(t *testing.T) {
	badPMT := pmtPkt(0, avStreams...)
	badPMT[len(badPMT)-1] ^= 0xFF
	for name, in := range map[string][]byte{
		"none":    slices.Concat(pesPkt(testVideoPID, true, true, 0)),
		"no PMT":  slices.Concat(patPkt(0), pesPkt(testVideoPID, true, true, 0)),
		"bad CRC": slices.Concat(patPkt(0), badPMT, pesPkt(testVideoPID, true, true, 0)),
	} {
		offsets, sp := cleanOffsets(t, in, FormatMPEGTS)
		assert.Empty(t, offsets, name)
		assert.Nil(t, sp.headers[len(sp.headers)-1], name)
	}
}

// Garbage between packets is passed over, counted and returned; the
// clean points after it are still found.
func TestTSResync(t *testing.T) {
	garbage := bytes.Repeat([]byte{1, 2, 3, 4, tsSync}, 50)
	head := slices.Concat(patPkt(0), pmtPkt(0, avStreams...), pesPkt(testVideoPID, true, true, 0))
	tail := slices.Concat(patPkt(1), pmtPkt(1, avStreams...), pesPkt(testVideoPID, true, true, 1),
		pesPkt(testVideoPID, false, false, 2), pesPkt(testVideoPID, false, false, 3))
	for name, tc := range map[string]struct {
		in   []byte
		want []int64
	}{
		"between":  {slices.Concat(head, garbage, tail), []int64{0, int64(len(head) + len(garbage))}},
		"at start": {slices.Concat(garbage, head, tail), []int64{int64(len(garbage)), int64(len(garbage) + len(head))}},
	} {
		offsets, sp := cleanOffsets(t, tc.in, FormatMPEGTS)
		assert.Equal(t, tc.want, offsets, name)
		assert.Equal(t, int64(1), sp.stats.Resyncs, name)
		assert.Equal(t, int64(len(garbage)), sp.stats.SkippedBytes, name)
	}
	// A tail of garbage too short to hold a packet is skipped, not an error.
	offsets, sp := cleanOffsets(t, slices.Concat(head, garbage[:100]), FormatMPEGTS)
	assert.Equal(t, []int64{0}, offsets)
	assert.Equal(t, int64(100), sp.stats.SkippedBytes)
}

func TestMP4SyncFlags(t *testing.T) {
	sync, nonSync := flagsPtr(syncFlags), flagsPtr(nonSyncFlags)
	audio := frag{track: 2}
	for name, tc := range map[string]struct {
		frags []frag
		clean bool
	}{
		"first_sample_flags sync":           {[]frag{{track: 1, first: sync, sample: nonSync, tfhd: nonSync}}, true},
		"first_sample_flags non-sync":       {[]frag{{track: 1, first: nonSync, sample: sync, tfhd: sync}}, false},
		"sample flags sync":                 {[]frag{{track: 1, sample: sync, tfhd: nonSync}}, true},
		"sample flags non-sync":             {[]frag{{track: 1, sample: nonSync, tfhd: sync}}, false},
		"tfhd default sync":                 {[]frag{{track: 1, tfhd: sync}}, true},
		"tfhd default non-sync":             {[]frag{{track: 1, tfhd: nonSync}}, false},
		"trex default (non-sync)":           {[]frag{{track: 1}}, false},
		"audio first, then video sync":      {[]frag{audio, {track: 1, first: sync}}, true},
		"audio only":                        {[]frag{audio}, false},
		"empty video traf, then sync":       {[]frag{{track: 1, noSamples: true}, {track: 1, first: sync}}, true},
		"sync at an absolute offset":        {[]frag{{track: 1, first: sync, absolute: true}}, false},
		"sync, audio at an absolute offset": {[]frag{{track: 1, first: sync}, {track: 2, absolute: true}}, false},
	} {
		in := slices.Concat(testFtyp, avMoov, moof(1, tc.frags...), mdat(10))
		offsets, sp := cleanOffsets(t, in, FormatMP4)
		if tc.clean {
			assert.Equal(t, []int64{int64(len(testFtyp) + len(avMoov))}, offsets, name)
			assert.Equal(t, slices.Concat(testFtyp, avMoov), sp.headers[len(sp.headers)-1], name)
		} else {
			assert.Empty(t, offsets, name)
		}
	}
}

// Without a video track every moof is clean; before a moov none is.
func TestMP4NoVideo(t *testing.T) {
	audioMoov := box("moov", trak(2, "soun"), box("mvex", trex(2, nonSyncFlags)))
	frags := slices.Concat(moof(1, frag{track: 2}), mdat(10), moof(2, frag{track: 2}), mdat(10))
	offsets, _ := cleanOffsets(t, slices.Concat(testFtyp, audioMoov, frags), FormatMP4)
	n := int64(len(testFtyp) + len(audioMoov))
	assert.Equal(t, []int64{n, n + int64(len(frags)/2)}, offsets)

	offsets, _ = cleanOffsets(t, frags, FormatMP4)
	assert.Empty(t, offsets)
}

// styp, sidx, prft and emsg right before a clean moof start its unit; before
// a moof that is not clean they go with the unit before.
func TestMP4HeldBoxes(t *testing.T) {
	init := slices.Concat(testFtyp, avMoov)
	lead := slices.Concat(box("styp", []byte("msdh")), box("sidx", full(0, 0, 1)), box("prft", full(0, 0, 1)))
	key := slices.Concat(lead, moof(1, frag{track: 1, first: flagsPtr(syncFlags)}), mdat(10))
	delta := slices.Concat(lead, moof(2, frag{track: 1}), mdat(10))
	in := slices.Concat(init, key, delta, key)
	offsets, sp := cleanOffsets(t, in, FormatMP4)
	assert.Equal(t, []int64{int64(len(init)), int64(len(init) + len(key) + len(delta))}, offsets)
	assert.Equal(t, 3, len(sp.units))
}

// A 64-bit box size is read; the mdat it sizes streams through in units.
func TestMP4LargeSize(t *testing.T) {
	body := make([]byte, 3*DefaultMaxUnit)
	large := slices.Concat(be32(1), []byte("mdat"), be32(0), be32(uint32(16+len(body))), body)
	in := slices.Concat(testFtyp, avMoov, moof(1, frag{track: 1, first: flagsPtr(syncFlags)}), large)
	offsets, sp := cleanOffsets(t, in, FormatMP4)
	assert.Equal(t, []int64{int64(len(testFtyp) + len(avMoov))}, offsets)
	assert.Equal(t, []int{len(testFtyp) + len(avMoov), DefaultMaxUnit, DefaultMaxUnit, DefaultMaxUnit, len(in) - len(testFtyp) - len(avMoov) - 3*DefaultMaxUnit}, unitLens(sp))
}

func TestWebMCleanPoints(t *testing.T) {
	head := slices.Concat(testEBML, elUnknown(idSegment), testInfo, avTracks, el(0xEC, make([]byte, 20)))
	for name, tc := range map[string]struct {
		tracks []byte
		blocks [][]byte
		clean  bool
	}{
		"key":                     {avTracks, [][]byte{simpleBlock(1, true)}, true},
		"not key":                 {avTracks, [][]byte{simpleBlock(1, false), simpleBlock(1, true)}, false},
		"audio, then key":         {avTracks, [][]byte{simpleBlock(2, true), simpleBlock(1, true)}, true},
		"audio only in cluster":   {avTracks, [][]byte{simpleBlock(2, true)}, false},
		"block group without ref": {avTracks, [][]byte{blockGroup(2, true), blockGroup(1, false)}, true},
		"block group with ref":    {avTracks, [][]byte{blockGroup(1, true)}, false},
		"no video track":          {audioTrack, [][]byte{simpleBlock(1, false)}, true},
	} {
		for _, known := range []bool{true, false} {
			head := slices.Concat(testEBML, elUnknown(idSegment), testInfo, tc.tracks)
			c := cluster(known, tc.blocks...)
			in := slices.Concat(head, c, c)
			offsets, sp := cleanOffsets(t, in, FormatWebM)
			if tc.clean {
				assert.Equal(t, []int64{int64(len(head)), int64(len(head) + len(c))}, offsets, "%s, known size %v", name, known)
				assert.Equal(t, head, sp.headers[len(sp.headers)-1], name)
			} else {
				assert.Empty(t, offsets, "%s, known size %v", name, known)
			}
		}
	}
	// The first video block beyond the look-ahead: undecided, not clean.
	far := cluster(true, simpleBlock(2, true), el(0xEC, make([]byte, 2*MinMaxHeader)), simpleBlock(1, true))
	offsets, _ := cleanOffsets(t, slices.Concat(head, far), FormatWebM, WithMaxHeader(MinMaxHeader))
	assert.Empty(t, offsets)
}

// The header is everything before the first Cluster, with the Segment's
// size made unknown; a new EBML header replaces it.
func TestWebMHeader(t *testing.T) {
	seg := el(idSegment, make([]byte, 300))[:4+2] // a Segment of known size: ID and 2-byte size
	head := slices.Concat(testEBML, seg, testInfo, avTracks, el(idTags, el(0x7373)))
	c := cluster(true, simpleBlock(1, true))
	head2 := slices.Concat(testEBML, elUnknown(idSegment), avTracks)
	in := slices.Concat(head, c, c, head2, c)
	offsets, sp := cleanOffsets(t, in, FormatWebM)
	n := int64(len(head) + 2*len(c))
	assert.Equal(t, []int64{int64(len(head)), int64(len(head) + len(c)), n + int64(len(head2))}, offsets)
	_, headers := sp.cleans()
	want := bytes.Clone(head)
	want[len(testEBML)+4], want[len(testEBML)+5] = 0x7F, 0xFF
	assert.Equal(t, want, headers[0])
	assert.Equal(t, head2, headers[2])
	assert.Equal(t, int64(2), sp.stats.Headers)
}

func TestRaw(t *testing.T) {
	in := bytes.Repeat([]byte("raw bytes "), 20000)
	sp := splitAll(t, &randReader{r: bytes.NewReader(in), max: 3 * DefaultMaxUnit, rnd: newRand()}, FormatRaw)
	require.Equal(t, io.EOF, sp.err)
	checkWhole(t, sp, in, DefaultMaxUnit)
	offsets, _ := sp.cleans()
	assert.Empty(t, offsets)
	assert.Nil(t, sp.headers[len(sp.headers)-1])
}

// Held items and the items around them stay within MaxUnit, however they
// fall: a long run of PSI packets, held boxes before a long mdat.
func TestHeldWithinMaxUnit(t *testing.T) {
	var psi [][]byte
	for i := range 8 {
		psi = append(psi, patPkt(i))
	}
	for name, tc := range map[string]struct {
		format Format
		in     []byte
	}{
		"mpegts": {FormatMPEGTS, slices.Concat(patPkt(0), pmtPkt(0, avStreams...), pesPkt(testVideoPID, true, true, 0),
			pesPkt(testVideoPID, false, false, 1), pesPkt(testVideoPID, false, false, 2), pesPkt(testVideoPID, false, false, 3),
			slices.Concat(psi...), pesPkt(testVideoPID, true, true, 4))},
		"mp4": {FormatMP4, slices.Concat(testFtyp, avMoov, box("free", make([]byte, 500)),
			box("styp", make([]byte, 400)), mdat(5000), box("sidx", make([]byte, 900)), moof(1, frag{track: 1, first: flagsPtr(syncFlags)}))},
	} {
		sp := splitAll(t, bytes.NewReader(tc.in), tc.format, WithMaxUnit(MinMaxUnit))
		require.Equal(t, io.EOF, sp.err, name)
		checkWhole(t, sp, tc.in, MinMaxUnit)
		if tc.format == FormatMPEGTS {
			for _, u := range sp.units {
				assert.Zero(t, len(u.Data)%tsPacketSize, name)
			}
		}
	}
}
