package media

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
)

// Flags of MP4 track fragments and sample runs.
const (
	tfhdBaseDataOffset = 0x000001
	tfhdDefaultFlags   = 0x000020
	trunDataOffset     = 0x000001
	trunHasFirstFlags  = 0x000004
	trunSampleDuration = 0x000100
	trunSampleSize     = 0x000200
	trunSampleFlags    = 0x000400
	sampleIsNonSync    = 0x010000
)

var errBoxSize = errors.New("box size does not fit its parent")

// boxTypes interns the box types of fragmented MP4, so that naming one as
// a string allocates nothing: there are a few per fragment.
var boxTypes = func() map[string]string {
	m := map[string]string{}
	for _, t := range strings.Fields(`ftyp styp moov moof mdat sidx prft emsg free skip mvhd trak tkhd
		mdia mdhd hdlr minf mvex mehd trex traf tfhd tfdt trun mfhd udta meta edts sbgp sgpd saiz saio senc uuid`) {
		m[t] = t
	}
	return m
}()

func fourCC(b []byte) string {
	if t, ok := boxTypes[string(b)]; ok {
		return t
	}
	return string(b)
}

// eachBox calls fn for each box in b, a box body holding only boxes. A
// size of 0 means the rest of b, as it may inside a box.
func eachBox(b []byte, fn func(typ string, body []byte) error) error {
	for len(b) > 0 {
		if len(b) < 8 {
			return fmt.Errorf("%w: %d stray bytes", errBoxSize, len(b))
		}
		size, hl := uint64(binary.BigEndian.Uint32(b)), uint64(8)
		typ := fourCC(b[4:8])
		switch size {
		case 0:
			size = uint64(len(b))
		case 1:
			if len(b) < 16 {
				return fmt.Errorf("%w: %q's 64-bit size is cut", errBoxSize, typ)
			}
			size, hl = binary.BigEndian.Uint64(b[8:]), 16
		}
		if size < hl || size > uint64(len(b)) {
			return fmt.Errorf("%w: %q declares %d bytes, %d remain", errBoxSize, typ, size, len(b))
		}
		if err := fn(typ, b[hl:size]); err != nil {
			return err
		}
		b = b[size:]
	}
	return nil
}

// mp4Tracks is what a moov says about the tracks: which one is video and
// each track's default sample flags (from mvex/trex).
type mp4Tracks struct {
	hasVideo  bool
	video     uint32
	trexFlags map[uint32]uint32
}

// parseMoov reads a moov body. The map has one entry per trex box, so it
// is bounded by the moov's size.
func parseMoov(moov []byte) (mp4Tracks, error) {
	t := mp4Tracks{trexFlags: map[uint32]uint32{}}
	err := eachBox(moov, func(typ string, body []byte) error {
		switch typ {
		case "trak":
			id, handler, err := parseTrak(body)
			if err == nil && handler == "vide" && !t.hasVideo {
				t.hasVideo, t.video = true, id
			}
			return err
		case "mvex":
			return eachBox(body, func(typ string, body []byte) error {
				if typ != "trex" {
					return nil
				}
				if len(body) < 24 {
					return fmt.Errorf("trex of %d bytes", len(body))
				}
				t.trexFlags[binary.BigEndian.Uint32(body[4:])] = binary.BigEndian.Uint32(body[20:])
				return nil
			})
		}
		return nil
	})
	return t, err
}

// parseTrak returns a trak's track_ID (tkhd) and handler type (mdia/hdlr).
func parseTrak(trak []byte) (id uint32, handler string, _ error) {
	err := eachBox(trak, func(typ string, body []byte) error {
		switch typ {
		case "tkhd":
			at := 12 // version/flags, creation and modification times
			if len(body) > 0 && body[0] == 1 {
				at = 20
			}
			if len(body) < at+4 {
				return fmt.Errorf("tkhd of %d bytes", len(body))
			}
			id = binary.BigEndian.Uint32(body[at:])
		case "mdia":
			return eachBox(body, func(typ string, body []byte) error {
				if typ != "hdlr" {
					return nil
				}
				if len(body) < 12 {
					return fmt.Errorf("hdlr of %d bytes", len(body))
				}
				handler = string(body[8:12])
				return nil
			})
		}
		return nil
	})
	return id, handler, err
}

// moofStartsSync says whether a moof's video track fragment starts with a
// sync sample. Without a video track every moof does; a moof without the
// video track's fragment does not. Nor does a moof with a fragment that
// places its samples at an absolute offset (tfhd base_data_offset): in a
// joiner's stream, which starts later, that offset points elsewhere.
func (t mp4Tracks) moofStartsSync(moof []byte) (bool, error) {
	var found, sync, absolute bool
	err := eachBox(moof, func(typ string, body []byte) error {
		if typ != "traf" {
			return nil
		}
		abs, err := trafAbsolute(body)
		if absolute = absolute || abs; err != nil || found || !t.hasVideo {
			return err
		}
		flags, ok, err := t.firstSampleFlags(body)
		if err != nil || !ok {
			return err
		}
		found, sync = true, flags&sampleIsNonSync == 0
		return nil
	})
	if err != nil {
		return false, err
	}
	return !absolute && (!t.hasVideo || sync), nil
}

// trafAbsolute says whether a traf's tfhd gives a base_data_offset.
func trafAbsolute(traf []byte) (abs bool, _ error) {
	err := eachBox(traf, func(typ string, body []byte) error {
		if typ == "tfhd" && len(body) >= 4 {
			abs = abs || binary.BigEndian.Uint32(body)&tfhdBaseDataOffset != 0
		}
		return nil
	})
	return abs, err
}

// firstSampleFlags returns the flags of a video traf's first sample: the
// trun's first_sample_flags, else its sample 0 flags, else the tfhd's
// default, else the trex's. ok is false for another track's traf, or one
// without samples.
func (t mp4Tracks) firstSampleFlags(traf []byte) (flags uint32, ok bool, _ error) {
	var id, tfhdFlags uint32
	var haveTfhd, haveTfhdFlags, done, inherit bool
	err := eachBox(traf, func(typ string, body []byte) error {
		if done {
			return nil
		}
		switch typ {
		case "tfhd":
			if len(body) < 8 {
				return fmt.Errorf("tfhd of %d bytes", len(body))
			}
			haveTfhd, id = true, binary.BigEndian.Uint32(body[4:])
			tf := binary.BigEndian.Uint32(body) & 0xFFFFFF
			if tf&tfhdDefaultFlags == 0 {
				return nil
			}
			at := 8
			if tf&tfhdBaseDataOffset != 0 {
				at += 8
			}
			for _, bit := range []uint32{0x02, 0x08, 0x10} { // description index, duration, size
				if tf&bit != 0 {
					at += 4
				}
			}
			if len(body) < at+4 {
				return fmt.Errorf("tfhd of %d bytes with flags %#06x", len(body), tf)
			}
			haveTfhdFlags, tfhdFlags = true, binary.BigEndian.Uint32(body[at:])
		case "trun":
			if !haveTfhd || id != t.video {
				done = true
				return nil
			}
			f, has, own, err := trunFirstFlags(body)
			if err != nil || !has {
				return err
			}
			done, ok, flags, inherit = true, true, f, !own
		}
		return nil
	})
	switch {
	case err != nil || !ok || !inherit:
		return flags, ok, err
	case haveTfhdFlags:
		return tfhdFlags, true, nil
	}
	return t.trexFlags[id], true, nil
}

// trunFirstFlags returns the flags a trun gives its first sample; has is
// false when the trun has no samples, own is false when it gives the
// sample no flags of its own (it then takes the defaults).
func trunFirstFlags(trun []byte) (flags uint32, has, own bool, _ error) {
	if len(trun) < 8 {
		return 0, false, false, fmt.Errorf("trun of %d bytes", len(trun))
	}
	tf := binary.BigEndian.Uint32(trun) & 0xFFFFFF
	if binary.BigEndian.Uint32(trun[4:]) == 0 {
		return 0, false, false, nil
	}
	at := 8
	if tf&trunDataOffset != 0 {
		at += 4
	}
	switch {
	case tf&trunHasFirstFlags != 0:
	case tf&trunSampleFlags != 0:
		if tf&trunSampleDuration != 0 {
			at += 4
		}
		if tf&trunSampleSize != 0 {
			at += 4
		}
	default:
		return 0, true, false, nil
	}
	if len(trun) < at+4 {
		return 0, false, false, fmt.Errorf("trun of %d bytes with flags %#06x", len(trun), tf)
	}
	return binary.BigEndian.Uint32(trun[at:]), true, true, nil
}
