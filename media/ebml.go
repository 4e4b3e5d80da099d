package media

import (
	"errors"
	"fmt"
)

// Matroska element IDs, with their length marker.
const (
	idEBML        = 0x1A45DFA3
	idSegment     = 0x18538067
	idSeekHead    = 0x114D9B74
	idInfo        = 0x1549A966
	idTracks      = 0x1654AE6B
	idCues        = 0x1C53BB6B
	idCluster     = 0x1F43B675
	idChapters    = 0x1043A770
	idTags        = 0x1254C367
	idAttachments = 0x1941A469
	idTrackEntry  = 0xAE
	idTrackNumber = 0xD7
	idTrackType   = 0x83
	idSimpleBlock = 0xA3
	idBlockGroup  = 0xA0
	idBlock       = 0xA1
	idRefBlock    = 0xFB

	trackTypeVideo = 1
	ebmlMaxHeader  = 12 // a 4-byte ID and an 8-byte size
)

var ebmlMagic = [4]byte{0x1A, 0x45, 0xDF, 0xA3}

var (
	errEBMLShort = errors.New("cut short")
	errEBMLBad   = errors.New("invalid")
)

// ebmlID reads an element ID: 1 to 4 bytes, its length given by the
// position of the first set bit of the first byte, marker kept.
func ebmlID(b []byte) (id uint32, n int, err error) {
	if len(b) == 0 {
		return 0, 0, errEBMLShort
	}
	n = vintLen(b[0])
	if n == 0 || n > 4 {
		return 0, 0, fmt.Errorf("%w element ID byte %#02x", errEBMLBad, b[0])
	}
	if len(b) < n {
		return 0, 0, errEBMLShort
	}
	for _, c := range b[:n] {
		id = id<<8 | uint32(c)
	}
	return id, n, nil
}

// ebmlSize reads an element size: a 1 to 8 byte vint, marker removed.
// All value bits set means unknown, reported as known=false.
func ebmlSize(b []byte) (size uint64, n int, known bool, err error) {
	if len(b) == 0 {
		return 0, 0, false, errEBMLShort
	}
	n = vintLen(b[0])
	if n == 0 {
		return 0, 0, false, fmt.Errorf("%w element size byte 0x00", errEBMLBad)
	}
	if len(b) < n {
		return 0, 0, false, errEBMLShort
	}
	size = uint64(b[0]) & (0xFF >> n)
	for _, c := range b[1:n] {
		size = size<<8 | uint64(c)
	}
	return size, n, size != 1<<(7*n)-1, nil
}

// vintLen is a vint's length from its first byte; 0 when no bit is set.
func vintLen(c byte) int {
	for n := 1; n <= 8; n++ {
		if c&(0x80>>(n-1)) != 0 {
			return n
		}
	}
	return 0
}

// ebmlHead reads an element's ID and size from b.
func ebmlHead(b []byte) (id uint32, size uint64, hl int, known bool, err error) {
	id, idn, err := ebmlID(b)
	if err != nil {
		return 0, 0, 0, false, err
	}
	size, sn, known, err := ebmlSize(b[idn:])
	return id, size, idn + sn, known, err
}

// eachElement calls fn for each element in b, a master element's body.
// Children of unknown size are not accepted here.
func eachElement(b []byte, fn func(id uint32, body []byte) error) error {
	for len(b) > 0 {
		id, size, hl, known, err := ebmlHead(b)
		switch {
		case err != nil:
			return err
		case !known:
			return fmt.Errorf("%w: element %#x of unknown size inside a sized one", errEBMLBad, id)
		case size > uint64(len(b)-hl):
			return fmt.Errorf("%w: element %#x of %d bytes, %d remain", errEBMLBad, id, size, len(b)-hl)
		}
		if err := fn(id, b[hl:hl+int(size)]); err != nil {
			return err
		}
		b = b[hl+int(size):]
	}
	return nil
}

// ebmlUint reads an unsigned integer element's body (at most 8 bytes).
func ebmlUint(b []byte) (uint64, error) {
	if len(b) > 8 {
		return 0, fmt.Errorf("%w: %d-byte integer", errEBMLBad, len(b))
	}
	var v uint64
	for _, c := range b {
		v = v<<8 | uint64(c)
	}
	return v, nil
}

// isLevel1 says whether id is a Segment child that ends a Cluster of
// unknown size, or a top-level element that ends the Segment.
func isLevel1(id uint32) bool {
	switch id {
	case idSeekHead, idInfo, idTracks, idCues, idCluster, idChapters, idTags, idAttachments, idEBML, idSegment:
		return true
	}
	return false
}
