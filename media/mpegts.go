package media

import (
	"fmt"
	"io"
)

const (
	tsPacketSize = 188
	tsSync       = 0x47
	// tsResyncChunk is how far one resync step searches before it returns
	// the bytes passed over, so that a long stretch of garbage streams
	// through in bounded steps.
	tsResyncChunk = 8 << 10
	tsResyncSpan  = tsResyncChunk + 2*tsPacketSize + 1

	pidPAT = 0x0000
	pidSDT = 0x0011
)

// tsVideoTypes are the PMT stream types of video: MPEG-1/2, MPEG-4 part 2,
// H.264, HEVC, AVS, Dirac and VC-1.
var tsVideoTypes = map[byte]bool{
	0x01: true, 0x02: true, 0x10: true, 0x1B: true, 0x24: true, 0x42: true, 0xD1: true, 0xEA: true,
}

// tsParser finds clean points in an MPEG transport stream: from the PAT it
// learns the PMT's PID, from the PMT the video PID. A video packet that
// starts a PES packet with random_access_indicator set is a clean point;
// with no video stream, every PES start of the PMT's first stream is.
// PSI packets (PAT, PMT, SDT) are held back so that, when they come right
// before the clean point, they start its unit with it.
type tsParser struct {
	stats *SplitterStats
	pos   int64
	lost  bool // sync lost, not yet found again

	pmtPID   int // -1: unknown
	esPID    int // the PID whose PES starts are clean points; -1: none yet
	needRAI  bool
	pat, pmt tsSection
	header   []byte
}

func newTSParser(stats *SplitterStats) *tsParser {
	return &tsParser{stats: stats, pmtPID: -1, esPID: -1}
}

func (p *tsParser) next(w *window) (item, error) {
	b, err := w.peek(p.pos, tsPacketSize)
	if len(b) == 0 {
		return item{}, err
	}
	if b[0] != tsSync {
		return p.resync(w)
	}
	if len(b) < tsPacketSize {
		if err == io.EOF {
			return item{}, fmt.Errorf("%w: mpegts packet at offset %d has %d of %d bytes",
				ErrTruncated, p.pos, len(b), tsPacketSize)
		}
		return item{}, err
	}
	it := p.packet(b[:tsPacketSize])
	p.pos += tsPacketSize
	return it, nil
}

// packet reads one packet's header and, for the PSI PIDs, its sections.
func (p *tsParser) packet(pkt []byte) item {
	it := item{n: tsPacketSize}
	if pkt[1]&0x80 != 0 { // transport_error_indicator: nothing in it can be trusted
		return it
	}
	pid := int(pkt[1]&0x1F)<<8 | int(pkt[2])
	pusi := pkt[1]&0x40 != 0
	afc := pkt[3] >> 4 & 3
	start, rai := 4, false
	if afc&2 != 0 {
		afLen := int(pkt[4])
		if afLen > 0 {
			rai = pkt[5]&0x40 != 0
		}
		start = 5 + afLen
	}
	var payload []byte
	if afc&1 != 0 && start < tsPacketSize {
		payload = pkt[start:]
	}
	switch {
	case pid == pidPAT:
		it.hold = true
		if sec := p.pat.add(pkt, payload, pusi); sec != nil {
			p.onPAT(sec)
		}
	case pid == p.pmtPID:
		it.hold = true
		if sec := p.pmt.add(pkt, payload, pusi); sec != nil {
			p.onPMT(sec)
		}
	case pid == pidSDT:
		it.hold = true
	case pid == p.esPID && pusi && payload != nil && (rai || !p.needRAI) && p.header != nil:
		it.clean, it.hdr = true, p.header
	}
	return it
}

// resync passes over bytes until one starts three packets in a row (or,
// near the end of the stream, as many as remain, with at least one whole).
func (p *tsParser) resync(w *window) (item, error) {
	if !p.lost {
		p.lost = true
		p.stats.Resyncs++
		p.pat.reset()
		p.pmt.reset()
	}
	b, err := w.peek(p.pos, tsResyncSpan)
	if len(b) < tsResyncSpan && err != io.EOF {
		return item{}, err
	}
	skip := min(len(b), tsResyncChunk)
	for i := 1; i < len(b) && i < tsResyncChunk; i++ {
		if b[i] == tsSync && tsSynced(b[i:]) {
			skip = i
			p.lost = false
			break
		}
	}
	p.pos += int64(skip)
	p.stats.SkippedBytes += int64(skip)
	return item{n: int64(skip)}, nil
}

// tsSynced says whether b starts three packets, or at the end of the
// stream (b shorter than three packets) whole packets as far as b goes.
func tsSynced(b []byte) bool {
	if len(b) < tsPacketSize {
		return false
	}
	for k := tsPacketSize; k <= 2*tsPacketSize && k < len(b); k += tsPacketSize {
		if b[k] != tsSync {
			return false
		}
	}
	return true
}

// onPAT takes the first program's PMT PID.
func (p *tsParser) onPAT(sec []byte) {
	if sec[0] != 0x00 {
		return
	}
	for e := sec[8 : len(sec)-4]; len(e) >= 4; e = e[4:] {
		if program := int(e[0])<<8 | int(e[1]); program != 0 {
			if pid := int(e[2]&0x1F)<<8 | int(e[3]); pid != p.pmtPID {
				// Forget the old PMT whole: its packets carry the old PID.
				p.pmtPID, p.esPID, p.pmt = pid, -1, tsSection{}
			}
			p.newHeader()
			return
		}
	}
}

// onPMT takes the first video stream's PID, else the first stream's.
func (p *tsParser) onPMT(sec []byte) {
	if sec[0] != 0x02 || len(sec) < 16 {
		return
	}
	infoLen := int(sec[10]&0x0F)<<8 | int(sec[11])
	if 12+infoLen > len(sec)-4 {
		return
	}
	first, video := -1, -1
	for e := sec[12+infoLen : len(sec)-4]; len(e) >= 5; {
		pid := int(e[1]&0x1F)<<8 | int(e[2])
		if first < 0 {
			first = pid
		}
		if video < 0 && tsVideoTypes[e[0]] {
			video = pid
		}
		esInfo := int(e[3]&0x0F)<<8 | int(e[4])
		if 5+esInfo > len(e) {
			break
		}
		e = e[5+esInfo:]
	}
	p.esPID, p.needRAI = video, true
	if video < 0 {
		p.esPID, p.needRAI = first, false
	}
	p.newHeader()
}

// newHeader makes the header from the packets of the latest PAT and PMT,
// in a new slice when they changed.
func (p *tsParser) newHeader() {
	if !p.pat.changed && !p.pmt.changed && p.header != nil {
		return
	}
	if len(p.pat.pkts) == 0 || len(p.pmt.pkts) == 0 || p.esPID < 0 {
		return
	}
	h := make([]byte, 0, len(p.pat.pkts)+len(p.pmt.pkts))
	p.header = append(append(h, p.pat.pkts...), p.pmt.pkts...)
	p.pat.changed, p.pmt.changed = false, false
	p.stats.Headers++
}
