package broadcast

import (
	"encoding/binary"
	"math"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNewDecoder(t *testing.T) {
	ch := channelForTest(t, 1, "live")
	for _, tt := range []struct{ in, want int }{
		{0, DefaultMaxPayload},
		{-1, DefaultMaxPayload},
		{10, 10},
		{math.MaxInt, maxPayloadLimit},
	} {
		d, err := NewDecoder(ch, tt.in)
		require.NoError(t, err)
		assert.Equal(t, tt.want, d.MaxPayload(), "NewDecoder(ch, %d)", tt.in)
		assert.Equal(t, ch, d.Channel())
	}
	_, err := NewDecoder(Channel{}, 0)
	assert.ErrorIs(t, err, ErrBadChannelID)
}

func TestDecodeErrors(t *testing.T) {
	const maxPayload = 8
	ch := channelForTest(t, 1, "live")
	dec, err := NewDecoder(ch, maxPayload)
	require.NoError(t, err)

	valid := encodeForTest(t, Chunk{Channel: ch, Seq: 7, Time: epoch, Flags: FlagCleanStart, Payload: []byte("hello")})
	idLen := len(ch.ID())
	lenAt := 3 + idLen + 16 // offset of the payload length
	payloadAt := headerLen + idLen

	// edit returns a copy of valid changed by f.
	edit := func(f func([]byte) []byte) []byte { return f(slices.Clone(valid)) }
	setLen := func(n uint32) []byte {
		return edit(func(b []byte) []byte { binary.BigEndian.PutUint32(b[lenAt:], n); return b })
	}

	tests := []struct {
		name string
		data []byte
		want error
		msg  string
	}{
		{"nil", nil, ErrTruncated, "no data"},
		{"version only", []byte{Version}, ErrTruncated, "shorter than the 23-byte header"},
		{"one byte short of the fixed header", valid[:headerLen-1], ErrTruncated, "22 bytes"},
		{"version 0", edit(func(b []byte) []byte { b[0] = 0; return b }), ErrUnknownVersion, "version 0, want 1"},
		{"version 2", edit(func(b []byte) []byte { b[0] = 2; return b }), ErrUnknownVersion, "version 2"},
		{"short future version", []byte{2}, ErrUnknownVersion, "version 2"},
		{"longer than any allowed chunk", append(slices.Clone(valid), make([]byte, MaxIDLen)...), ErrOversized, "at most 291 allowed"},
		{"unknown flag bit", edit(func(b []byte) []byte { b[1] |= 0x80; return b }), ErrMalformed, "unknown flag bits 0x80"},
		{"zero channel length", edit(func(b []byte) []byte { b[2] = 0; return b }), ErrMalformed, "empty channel ID"},
		{"ends inside channel ID", valid[:headerLen+1], ErrTruncated, "with its 57-byte channel ID"},
		{"ends inside length", valid[:payloadAt-1], ErrTruncated, "channel ID"},
		{"channel length overruns", edit(func(b []byte) []byte { b[2] = 255; return b }), ErrTruncated, "278-byte header"},
		{"other owner", encodeForTest(t, Chunk{Channel: channelForTest(t, 2, "live"), Time: epoch}), ErrWrongChannel, "want"},
		{"other name, same length", encodeForTest(t, Chunk{Channel: channelForTest(t, 1, "livf"), Time: epoch}), ErrWrongChannel, "/livf"},
		{"shorter channel ID", encodeForTest(t, Chunk{Channel: channelForTest(t, 1, "li"), Time: epoch}), ErrWrongChannel, "/li"},
		{"declared payload above max", encodeForTest(t, Chunk{Channel: ch, Time: epoch, Payload: make([]byte, maxPayload+1)}), ErrOversized, "declared payload of 9 bytes, at most 8"},
		{"declared length 4 GiB", setLen(math.MaxUint32), ErrOversized, "4294967295"},
		{"declared more than present", setLen(6), ErrTruncated, "declared payload of 6 bytes, 5 present"},
		{"payload cut short", valid[:len(valid)-1], ErrTruncated, "declared payload of 5 bytes, 4 present"},
		{"declared less than present", setLen(4), ErrMalformed, "declared payload of 4 bytes, 5 present"},
		{"trailing byte", append(slices.Clone(valid), 0), ErrMalformed, "declared payload of 5 bytes, 6 present"},
	}
	sentinels := []error{ErrTruncated, ErrOversized, ErrUnknownVersion, ErrWrongChannel, ErrMalformed}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := dec.Decode(tt.data)
			require.ErrorIs(t, err, tt.want)
			assert.ErrorContains(t, err, tt.msg)
			assert.Zero(t, c)
			for _, s := range sentinels {
				if s != tt.want {
					assert.NotErrorIs(t, err, s)
				}
			}
		})
	}
}

func TestDecodeBoundaries(t *testing.T) {
	ch := channelForTest(t, 1, "live")
	for _, maxPayload := range []int{1, 16 << 10, DefaultMaxPayload} {
		dec, err := NewDecoder(ch, maxPayload)
		require.NoError(t, err)
		enc, err := NewEncoder(ch, maxPayload+1)
		require.NoError(t, err)
		for _, n := range []int{0, 1, maxPayload - 1, maxPayload, maxPayload + 1} {
			data, err := enc.AppendEncode(nil, &Chunk{Channel: ch, Time: epoch, Payload: make([]byte, n)})
			require.NoError(t, err)
			c, err := dec.Decode(data)
			if n > maxPayload {
				assert.ErrorIs(t, err, ErrOversized, "max %d, payload %d", maxPayload, n)
				continue
			}
			require.NoError(t, err, "max %d, payload %d", maxPayload, n)
			assert.Len(t, c.Payload, n)
		}
	}
}

func TestDecodeAliasesData(t *testing.T) {
	ch := channelForTest(t, 1, "live")
	dec, err := NewDecoder(ch, 0)
	require.NoError(t, err)
	data := encodeForTest(t, Chunk{Channel: ch, Time: epoch, Payload: []byte("abc")})
	data = append(data, "spare capacity"...)[:len(data)]

	c, err := dec.Decode(data)
	require.NoError(t, err)
	assert.Equal(t, len(c.Payload), cap(c.Payload), "capacity clipped")
	data[len(data)-1] = 'Z'
	assert.Equal(t, "abZ", string(c.Payload), "payload shares data's memory")

	c.Payload = append(c.Payload, '!')
	assert.Equal(t, "abZ", string(data[len(data)-3:]), "append copies instead of writing past data")
}

func TestDecodeDoesNotAllocate(t *testing.T) {
	ch := channelForTest(t, 1, "live")
	dec, err := NewDecoder(ch, 0)
	require.NoError(t, err)
	data := encodeForTest(t, Chunk{Channel: ch, Seq: 1, Time: epoch, Payload: make([]byte, 16<<10)})
	allocs := testing.AllocsPerRun(100, func() {
		_, err = dec.Decode(data)
	})
	require.NoError(t, err)
	assert.Zero(t, allocs)
}
