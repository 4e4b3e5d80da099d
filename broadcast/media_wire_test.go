package broadcast

import (
	"encoding/binary"
	"slices"
	"testing"

	"github.com/gridcast/gridcast/media"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func headerChunk(ch Channel) Chunk {
	return Chunk{
		Channel: ch, Seq: 9, Time: epoch,
		Flags:  FlagCleanStart | FlagHeader,
		Format: media.FormatWebM, Header: []byte("init"), Payload: []byte("frame"),
	}
}

// TestMediaBlockLayout pins the media header block documented in doc.go.
func TestMediaBlockLayout(t *testing.T) {
	ch := channelForTest(t, 1, "live")
	data := encodeForTest(t, headerChunk(ch))
	at := 3 + len(ch.ID()) + 16
	assert.Equal(t, byte(0x09), data[1], "clean start and media header bits")
	assert.Equal(t, byte(media.FormatWebM), data[at])
	assert.Equal(t, uint32(4), binary.BigEndian.Uint32(data[at+1:]))
	assert.Equal(t, "init", string(data[at+5:at+9]))
	assert.Equal(t, uint32(5), binary.BigEndian.Uint32(data[at+9:]))
	assert.Equal(t, "frame", string(data[at+13:]))

	dec, err := NewDecoder(ch, 0)
	require.NoError(t, err)
	c, err := dec.Decode(data)
	require.NoError(t, err)
	assert.Equal(t, headerChunk(ch).Header, c.Header)
	assert.Equal(t, media.FormatWebM, c.Format)
	assert.Equal(t, []byte("frame"), c.Payload)
	assert.Equal(t, len(c.Header), cap(c.Header), "the header's capacity is clipped")
}

func TestEncodeMediaErrors(t *testing.T) {
	ch := channelForTest(t, 1, "live")
	enc, err := NewEncoder(ch, 16)
	require.NoError(t, err)
	tests := []struct {
		name   string
		mutate func(*Chunk)
		want   error
		msg    string
	}{
		{"header on a chunk that is not clean", func(c *Chunk) { c.Flags = FlagHeader }, ErrMalformed, "not a clean start"},
		{"unknown format", func(c *Chunk) { c.Format = 9 }, ErrMalformed, "unknown container format 9"},
		{"format without the flag", func(c *Chunk) { c.Flags = FlagCleanStart }, ErrMalformed, "without FlagHeader"},
		{"header without the flag", func(c *Chunk) { c.Flags, c.Format = FlagCleanStart, media.FormatRaw }, ErrMalformed, "without FlagHeader"},
		{"header and payload over the limit", func(c *Chunk) { c.Header = make([]byte, 12) }, ErrOversized, "12+5 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := headerChunk(ch)
			tt.mutate(&c)
			got, err := enc.AppendEncode([]byte("keep"), &c)
			require.ErrorIs(t, err, tt.want)
			assert.ErrorContains(t, err, tt.msg)
			assert.Equal(t, []byte("keep"), got)
		})
	}
}

func TestDecodeMediaErrors(t *testing.T) {
	const maxPayload = 12
	ch := channelForTest(t, 1, "live")
	dec, err := NewDecoder(ch, maxPayload)
	require.NoError(t, err)
	valid := encodeForTest(t, headerChunk(ch))
	at := 3 + len(ch.ID()) + 16
	edit := func(f func([]byte)) []byte { b := slices.Clone(valid); f(b); return b }

	tests := []struct {
		name string
		data []byte
		want error
		msg  string
	}{
		{"media header on a chunk that is not clean", edit(func(b []byte) { b[1] = byte(FlagHeader) }), ErrMalformed, "not a clean start"},
		{"unknown format", edit(func(b []byte) { b[at] = 7 }), ErrMalformed, "unknown container format 7"},
		{"ends inside the block", valid[:at+4], ErrTruncated, "inside the media header block"},
		{"header length above the limit", edit(func(b []byte) { binary.BigEndian.PutUint32(b[at+1:], 1<<31) }), ErrOversized, "media header of 2147483648"},
		{"ends inside the header", valid[:at+7], ErrTruncated, "media header of 4 bytes, 2 present"},
		{"ends before the payload length", valid[:at+10], ErrTruncated, "before the payload length"},
		{"header and payload above the limit", encodeForTest(t, Chunk{
			Channel: ch, Time: epoch, Flags: FlagCleanStart | FlagHeader, Format: media.FormatMP4,
			Header: make([]byte, 8), Payload: make([]byte, 5),
		}), ErrOversized, "5 bytes with a 8-byte media header"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := dec.Decode(tt.data)
			require.ErrorIs(t, err, tt.want)
			assert.ErrorContains(t, err, tt.msg)
			assert.Zero(t, c)
		})
	}
}
