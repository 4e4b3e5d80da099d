package media

import (
	"encoding/binary"
	"slices"
)

// Builders of small synthetic streams, exact to the byte, for the tests
// that need a structure ffmpeg does not write (or not on demand).

func be32(v uint32) []byte { return binary.BigEndian.AppendUint32(nil, v) }

// tsPkt builds one packet. An adaptation field pads the payload to the
// end of the packet and carries random_access_indicator; payload must
// leave it room (at most 182 bytes).
func tsPkt(pid int, pusi, rai bool, cc int, payload []byte) []byte {
	p := make([]byte, tsPacketSize)
	p[0], p[1], p[2], p[3] = tsSync, byte(pid>>8)&0x1F, byte(pid), 0x30|byte(cc&15)
	if pusi {
		p[1] |= 0x40
	}
	af := tsPacketSize - 5 - len(payload)
	p[4] = byte(af)
	if af > 0 {
		for i := 6; i < 5+af; i++ {
			p[i] = 0xFF
		}
		if rai {
			p[5] = 0x40
		}
	}
	copy(p[5+af:], payload)
	return p
}

// psiPkt wraps a PSI section (table ID, extension, body) with its CRC in
// one packet.
func psiPkt(pid int, table byte, ext uint16, body []byte, cc int) []byte {
	n := 5 + len(body) + 4
	sec := []byte{table, 0xB0 | byte(n>>8), byte(n), byte(ext >> 8), byte(ext), 0xC1, 0, 0}
	sec = append(sec, body...)
	sec = binary.BigEndian.AppendUint32(sec, mpegCRC(sec))
	return tsPkt(pid, true, false, cc, append([]byte{0}, sec...))
}

const (
	testPMTPID   = 0x1000
	testVideoPID = 0x100
	testAudioPID = 0x101
)

func patPkt(cc int) []byte {
	return psiPkt(pidPAT, 0x00, 1, []byte{0, 1, 0xE0 | testPMTPID>>8, testPMTPID & 0xFF}, cc)
}

// pmtPkt lists the streams as stream type, PID pairs.
func pmtPkt(cc int, streams ...[2]int) []byte {
	body := []byte{0xE0 | testVideoPID>>8, testVideoPID & 0xFF, 0xF0, 0}
	for _, s := range streams {
		body = append(body, byte(s[0]), 0xE0|byte(s[1]>>8), byte(s[1]), 0xF0, 0)
	}
	return psiPkt(testPMTPID, 0x02, 1, body, cc)
}

var avStreams = [][2]int{{0x0F, testAudioPID}, {0x1B, testVideoPID}}

func pesPkt(pid int, start, key bool, cc int) []byte {
	payload := []byte{0, 0, 1, 0xE0, 0, 0, 0x80, 0, 0, 0xAB}
	if !start {
		payload = []byte{0xAB, 0xCD}
	}
	return tsPkt(pid, start, key, cc, payload)
}

// --- MP4 ---

func box(typ string, parts ...[]byte) []byte {
	body := slices.Concat(parts...)
	return slices.Concat(be32(uint32(8+len(body))), []byte(typ), body)
}

// full is a full box's version and flags followed by 32-bit fields.
func full(version byte, flags uint32, fields ...uint32) []byte {
	b := be32(uint32(version)<<24 | flags)
	for _, f := range fields {
		b = binary.BigEndian.AppendUint32(b, f)
	}
	return b
}

var testFtyp = box("ftyp", []byte("isom"), be32(0x200), []byte("isomiso6"))

func trak(id uint32, handler string) []byte {
	return box("trak",
		box("tkhd", full(0, 3, 0, 0, id, 0, 0)),
		box("mdia", box("hdlr", full(0, 0, 0), []byte(handler), make([]byte, 13))))
}

func trex(id, flags uint32) []byte { return box("trex", full(0, 0, id, 1, 0, 0, flags)) }

// avMoov has video track 1 (trex: non-sync by default) and audio track 2.
var avMoov = box("moov", box("mvhd", full(0, 0, 0, 0, 1000, 0)),
	trak(1, "vide"), trak(2, "soun"),
	box("mvex", trex(1, 0x01010000), trex(2, 0x02000000)))

// frag says where a traf states its first sample's flags.
type frag struct {
	track     uint32
	first     *uint32 // trun first_sample_flags
	sample    *uint32 // trun per-sample flags of sample 0
	tfhd      *uint32 // tfhd default_sample_flags
	noSamples bool
	absolute  bool // tfhd base_data_offset
}

func flagsPtr(v uint32) *uint32 { return &v }

const (
	syncFlags    = 0x02000000 // sample_depends_on = 2: an I frame
	nonSyncFlags = 0x01010000
)

func traf(f frag) []byte {
	tf := uint32(0x020000) // default-base-is-moof
	fields := []uint32{f.track}
	if f.absolute {
		tf = tfhdBaseDataOffset
		fields = append(fields, 0, 1000)
	}
	if f.tfhd != nil {
		tf |= tfhdDefaultFlags
		fields = append(fields, *f.tfhd)
	}
	tfhd := full(0, tf, fields...)
	count := uint32(2)
	if f.noSamples {
		count = 0
	}
	trf := uint32(trunDataOffset | trunSampleSize)
	fields = []uint32{count, 0}
	if f.first != nil {
		trf |= trunHasFirstFlags
		fields = append(fields, *f.first)
	}
	if f.sample != nil {
		trf |= trunSampleFlags
	}
	for i := range count {
		fields = append(fields, 100+i)
		if f.sample != nil {
			fields = append(fields, *f.sample)
		}
	}
	return box("traf", box("tfhd", tfhd), box("tfdt", full(1, 0, 0, 0)), box("trun", full(0, trf, fields...)))
}

func moof(seq uint32, frags ...frag) []byte {
	parts := [][]byte{box("mfhd", full(0, 0, seq))}
	for _, f := range frags {
		parts = append(parts, traf(f))
	}
	return box("moof", parts...)
}

func mdat(n int) []byte { return box("mdat", make([]byte, n)) }

// --- WebM ---

// el builds an element with a minimal-length size.
func el(id uint32, parts ...[]byte) []byte {
	body := slices.Concat(parts...)
	return slices.Concat(ebmlIDBytes(id), vint(uint64(len(body))), body)
}

// elUnknown is the head of an element of unknown size.
func elUnknown(id uint32) []byte {
	return append(ebmlIDBytes(id), 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF)
}

func ebmlIDBytes(id uint32) []byte {
	b := be32(id)
	for len(b) > 1 && b[0] == 0 {
		b = b[1:]
	}
	return b
}

func vint(v uint64) []byte {
	for n := 1; n <= 8; n++ {
		if v < 1<<(7*n)-1 {
			b := make([]byte, n)
			for i := n - 1; i >= 0; i-- {
				b[i] = byte(v)
				v >>= 8
			}
			b[0] |= 0x80 >> (n - 1)
			return b
		}
	}
	panic("vint too large")
}

func uintEl(id uint32, v uint64) []byte { return el(id, []byte{byte(v)}) }

var (
	testEBML   = el(idEBML, el(0x4282, []byte("webm")))
	testInfo   = el(idInfo, el(0x2AD7B1, []byte{0x0F, 0x42, 0x40}))
	avTracks   = el(idTracks, trackEntry(1, 1, "V_VP8"), trackEntry(2, 2, "A_OPUS"))
	audioTrack = el(idTracks, trackEntry(1, 2, "A_OPUS"))
)

func trackEntry(num, typ uint64, codec string) []byte {
	return el(idTrackEntry, uintEl(idTrackNumber, num), uintEl(idTrackType, typ), el(0x86, []byte(codec)))
}

func simpleBlock(track uint64, key bool) []byte {
	flags := byte(0)
	if key {
		flags = 0x80
	}
	return el(idSimpleBlock, vint(track), []byte{0, 0, flags, 0xAB, 0xCD})
}

func blockGroup(track uint64, ref bool) []byte {
	parts := [][]byte{el(idBlock, vint(track), []byte{0, 0, 0, 0xAB})}
	if ref {
		parts = append(parts, el(idRefBlock, []byte{0xFF}))
	}
	return el(idBlockGroup, parts...)
}

func cluster(known bool, blocks ...[]byte) []byte {
	body := slices.Concat(append([][]byte{uintEl(0xE7, 0)}, blocks...)...)
	if !known {
		return append(elUnknown(idCluster), body...)
	}
	return el(idCluster, body)
}
