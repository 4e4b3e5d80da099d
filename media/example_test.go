package media_test

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"

	"github.com/gridcast/gridcast/media"
)

func ExampleParseFormat() {
	for _, name := range []string{"ts", "MKV", "fmp4", "auto", "avi"} {
		f, err := media.ParseFormat(name)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Println(f, f.ContentType())
	}
	// Output:
	// mpegts video/mp2t
	// webm video/webm
	// mp4 video/mp4
	// auto application/octet-stream
	// media: unknown format "avi": want one of raw, mpegts, ts, webm, mkv, mp4, fmp4, auto
}

func ExampleDetect() {
	for _, prefix := range [][]byte{
		[]byte("\x00\x00\x00\x18ftypisom"),
		{0x1A, 0x45, 0xDF, 0xA3, 0x9F},
		{0x47, 0x40, 0x00}, // an MPEG-TS packet start, but too short to tell
	} {
		fmt.Println(media.Detect(prefix))
	}
	// Output:
	// mp4 true
	// webm true
	// raw false
}

// A broadcaster's loop: the encoder's output in, units out, each clean
// unit published with the header. The stream here is a fragmented MP4
// with one video track and two fragments: a keyframe, then a frame that
// depends on it.
func ExampleSplitter() {
	s, err := media.NewSplitter(bytes.NewReader(exampleMP4()), media.FormatAuto)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(s.Format())
	for {
		u, err := s.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("%d bytes at %d, clean %v, header %d bytes\n", len(u.Data), u.Offset, u.Clean, len(s.Header()))
	}
	// Output:
	// mp4
	// 113 bytes at 0, clean false, header 0 bytes
	// 176 bytes at 113, clean true, header 113 bytes
}

// exampleMP4 builds ftyp, moov and two moof+mdat fragments, with just the
// boxes the splitter reads.
func exampleMP4() []byte {
	box := func(typ string, parts ...[]byte) []byte {
		body := bytes.Join(parts, nil)
		return append(binary.BigEndian.AppendUint32(nil, uint32(8+len(body))), append([]byte(typ), body...)...)
	}
	u32s := func(vs ...uint32) []byte {
		var b []byte
		for _, v := range vs {
			b = binary.BigEndian.AppendUint32(b, v)
		}
		return b
	}
	const sync, nonSync = 0x02000000, 0x01010000 // sample flags
	fragment := func(seq, flags uint32) []byte {
		return append(box("moof",
			box("mfhd", u32s(0, seq)),
			box("traf",
				box("tfhd", u32s(0x020020, 1, flags)),  // track 1, default sample flags
				box("trun", u32s(0x000201, 1, 0, 4)))), // one sample of 4 bytes
			box("mdat", []byte("data"))...)
	}
	return bytes.Join([][]byte{
		box("ftyp", []byte("isom"), u32s(0x200), []byte("isomiso6")),
		box("moov", box("trak",
			box("tkhd", u32s(0, 0, 0, 1, 0, 0)), // track 1
			box("mdia", box("hdlr", u32s(0, 0), []byte("vide"), make([]byte, 13))))),
		fragment(1, sync),
		fragment(2, nonSync),
	}, nil)
}
