package media

import (
	"bytes"
	"fmt"
	"strings"
)

// Format is a container format. Its values are stable: they may be stored
// or sent as one byte.
type Format uint8

const (
	// FormatRaw is bytes of an unknown kind: no clean points, no header.
	FormatRaw Format = iota
	// FormatMPEGTS is an MPEG transport stream of 188-byte packets.
	FormatMPEGTS
	// FormatWebM is WebM or Matroska.
	FormatWebM
	// FormatMP4 is fragmented MP4: an ftyp+moov init, then moof+mdat
	// fragments.
	FormatMP4
)

// FormatAuto asks [NewSplitter] to sniff the format with [Detect]. It is
// never the format of a stream.
const FormatAuto Format = 255

// formatNames are ParseFormat's accepted names, canonical name first.
var formatNames = []struct {
	f     Format
	names []string
}{
	{FormatRaw, []string{"raw"}},
	{FormatMPEGTS, []string{"mpegts", "ts"}},
	{FormatWebM, []string{"webm", "mkv"}},
	{FormatMP4, []string{"mp4", "fmp4"}},
	{FormatAuto, []string{"auto"}},
}

// String returns the format's canonical name: "raw", "mpegts", "webm",
// "mp4" or "auto".
func (f Format) String() string {
	for _, n := range formatNames {
		if n.f == f {
			return n.names[0]
		}
	}
	return fmt.Sprintf("Format(%d)", uint8(f))
}

// ContentType returns the format's MIME type; FormatRaw, FormatAuto and
// unknown values are "application/octet-stream".
func (f Format) ContentType() string {
	switch f {
	case FormatMPEGTS:
		return "video/mp2t"
	case FormatWebM:
		return "video/webm"
	case FormatMP4:
		return "video/mp4"
	}
	return "application/octet-stream"
}

// ParseFormat reads a format name as a -format flag gives it: "auto",
// "raw", "ts" or "mpegts", "webm" or "mkv", "mp4" or "fmp4", in any case.
// Errors wrap ErrUnknownFormat.
func ParseFormat(s string) (Format, error) {
	low := strings.ToLower(strings.TrimSpace(s))
	var all []string
	for _, n := range formatNames {
		for _, name := range n.names {
			if name == low {
				return n.f, nil
			}
			all = append(all, name)
		}
	}
	return FormatRaw, fmt.Errorf("%w %q: want one of %s", ErrUnknownFormat, s, strings.Join(all, ", "))
}

// Set parses s with ParseFormat, so that a *Format is a flag.Value.
func (f *Format) Set(s string) error {
	v, err := ParseFormat(s)
	if err != nil {
		return err
	}
	*f = v
	return nil
}

func (f Format) known() bool { return f <= FormatMP4 }

// Detect sniffs a stream's format from its first bytes:
//   - WebM/Matroska: the EBML header ID 1A 45 DF A3 at offset 0 (4 bytes);
//   - MP4: a box of type ftyp, styp, moof or moov at offset 0 (8 bytes);
//   - MPEG-TS: the sync byte 0x47 at offsets 0 and 188, and at 376 when the
//     prefix reaches it (189 bytes at least).
//
// ok is false when the prefix is too short to tell or matches none of
// them; the format is then FormatRaw.
func Detect(prefix []byte) (f Format, ok bool) {
	switch {
	case len(prefix) >= 4 && bytes.Equal(prefix[:4], ebmlMagic[:]):
		return FormatWebM, true
	case len(prefix) >= 8 && isMP4Start(prefix[4:8]):
		return FormatMP4, true
	case len(prefix) > tsPacketSize && prefix[0] == tsSync && prefix[tsPacketSize] == tsSync &&
		(len(prefix) <= 2*tsPacketSize || prefix[2*tsPacketSize] == tsSync):
		return FormatMPEGTS, true
	}
	return FormatRaw, false
}
