package media

import "bytes"

const (
	// maxSectionLen is the longest PAT or PMT section: 3 header bytes and
	// a section_length of at most 1021.
	maxSectionLen = 1024
	// maxSectionPackets is how many packets such a section can span.
	maxSectionPackets = 7
)

// tsSection reassembles the sections of one PSI PID (PAT or PMT), keeping
// the packets that carried the latest one for the header. Its buffers are
// bounded by maxSectionLen and maxSectionPackets.
type tsSection struct {
	buf     []byte // the section being assembled
	cur     []byte // the packets it came in
	active  bool   // buf holds the start of a section
	last    []byte // the latest complete section with a good CRC
	pkts    []byte // the packets that carried last; a new slice when last changes
	changed bool   // pkts changed since the header was made
}

func (s *tsSection) reset() {
	s.buf, s.cur, s.active = s.buf[:0], s.cur[:0], false
}

// add takes one packet of the PID and returns the section it completes,
// if any: whole, with a valid CRC, current (not next).
func (s *tsSection) add(pkt, payload []byte, pusi bool) []byte {
	switch {
	case payload == nil:
		return nil
	case pusi:
		ptr := int(payload[0])
		if 1+ptr >= len(payload) {
			s.reset()
			return nil
		}
		s.buf = append(s.buf[:0], payload[1+ptr:]...)
		s.cur = append(s.cur[:0], pkt...)
		s.active = true
	case !s.active || len(s.cur) >= maxSectionPackets*tsPacketSize:
		s.reset()
		return nil
	default:
		s.buf = append(s.buf, payload...)
		s.cur = append(s.cur, pkt...)
	}
	if len(s.buf) < 3 {
		return nil
	}
	n := 3 + (int(s.buf[1]&0x0F)<<8 | int(s.buf[2]))
	if n < 12 || n > maxSectionLen || s.buf[1]&0x80 == 0 {
		s.reset()
		return nil
	}
	if len(s.buf) < n {
		return nil
	}
	sec := s.buf[:n]
	s.active = false
	if mpegCRC(sec) != 0 || sec[5]&1 == 0 {
		return nil
	}
	if !bytes.Equal(sec, s.last) {
		s.last = append([]byte(nil), sec...)
		s.pkts = append([]byte(nil), s.cur...)
		s.changed = true
	}
	return s.last
}

// mpegCRCTable is CRC-32/MPEG-2: polynomial 0x04C11DB7, not reflected.
var mpegCRCTable = func() (t [256]uint32) {
	for i := range t {
		c := uint32(i) << 24
		for range 8 {
			if c&0x80000000 != 0 {
				c = c<<1 ^ 0x04C11DB7
			} else {
				c <<= 1
			}
		}
		t[i] = c
	}
	return t
}()

// mpegCRC is the PSI CRC; over a whole section, its CRC field included,
// it is 0 when the section is intact.
func mpegCRC(b []byte) uint32 {
	c := uint32(0xFFFFFFFF)
	for _, x := range b {
		c = c<<8 ^ mpegCRCTable[byte(c>>24)^x]
	}
	return c
}
