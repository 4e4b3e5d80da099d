package broadcast

import (
	"bytes"
	"math"
	"testing"
	"time"

	"github.com/gridcast/gridcast/media"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestWireLayout pins the byte layout documented in doc.go.
func TestWireLayout(t *testing.T) {
	ch := channelForTest(t, 1, "live")
	c := Chunk{
		Channel: ch,
		Seq:     0x0102030405060708,
		Time:    time.Unix(0, 0x1122334455667788),
		Flags:   FlagCleanStart | FlagStreamStart,
		Payload: []byte("hi"),
	}
	id := ownerOneText + "/live"
	var want []byte
	want = append(want, 1, 0x05, byte(len(id)))
	want = append(want, id...)
	want = append(want, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08)
	want = append(want, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88)
	want = append(want, 0, 0, 0, 2, 'h', 'i')
	assert.Equal(t, want, encodeForTest(t, c))
}

func TestEncodeErrors(t *testing.T) {
	ch := channelForTest(t, 1, "live")
	ok := Chunk{Channel: ch, Seq: 1, Time: epoch}
	tests := []struct {
		name   string
		mutate func(*Chunk)
		want   error
	}{
		{"zero channel", func(c *Chunk) { c.Channel = Channel{} }, ErrBadChannelID},
		{"bad name", func(c *Chunk) { c.Channel.Name = "a b" }, ErrBadChannelID},
		{"payload above default max", func(c *Chunk) { c.Payload = make([]byte, DefaultMaxPayload+1) }, ErrOversized},
		{"unknown flag", func(c *Chunk) { c.Flags = 1 << 4 }, ErrMalformed},
		{"zero time", func(c *Chunk) { c.Time = time.Time{} }, ErrMalformed},
		{"after 2262", func(c *Chunk) { c.Time = time.Unix(0, math.MaxInt64).Add(1) }, ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := ok
			tt.mutate(&c)
			dst := []byte("keep")
			got, err := c.AppendEncode(dst)
			require.ErrorIs(t, err, tt.want)
			assert.Equal(t, []byte("keep"), got, "dst is returned unchanged on error")
		})
	}
}

func TestEncoder(t *testing.T) {
	ch := channelForTest(t, 1, "live")
	enc, err := NewEncoder(ch, 8)
	require.NoError(t, err)
	assert.Equal(t, ch, enc.Channel())

	c := Chunk{Channel: ch, Seq: 9, Time: epoch, Payload: []byte("12345678")}
	got, err := enc.AppendEncode([]byte("prefix"), &c)
	require.NoError(t, err)
	assert.Equal(t, append([]byte("prefix"), encodeForTest(t, c)...), got)

	c.Payload = []byte("123456789")
	_, err = enc.AppendEncode(nil, &c)
	assert.ErrorIs(t, err, ErrOversized)

	other := Chunk{Channel: channelForTest(t, 2, "live"), Time: epoch}
	_, err = enc.AppendEncode(nil, &other)
	assert.ErrorIs(t, err, ErrWrongChannel)

	_, err = NewEncoder(Channel{Name: "x"}, 0)
	assert.ErrorIs(t, err, ErrBadChannelID)
}

func TestEncoderDoesNotAllocate(t *testing.T) {
	ch := channelForTest(t, 1, "live")
	enc, err := NewEncoder(ch, 0)
	require.NoError(t, err)
	c := Chunk{Channel: ch, Seq: 9, Time: epoch, Payload: make([]byte, 16<<10)}
	buf := make([]byte, 0, 32<<10)
	allocs := testing.AllocsPerRun(100, func() {
		_, err = enc.AppendEncode(buf[:0], &c)
	})
	require.NoError(t, err)
	assert.Zero(t, allocs)
}

func TestRoundTrip(t *testing.T) {
	ch := channelForTest(t, 1, "live")
	dec, err := NewDecoder(ch, 0)
	require.NoError(t, err)
	tests := []struct {
		name string
		c    Chunk
	}{
		{"empty payload", Chunk{Seq: 0, Time: epoch, Flags: FlagEndOfStream}},
		{"all flags", Chunk{Seq: 42, Time: epoch, Flags: knownFlags, Format: media.FormatMP4, Header: []byte("moov"), Payload: []byte("x")}},
		{"max seq", Chunk{Seq: math.MaxUint64, Time: epoch, Payload: []byte("y")}},
		{"earliest time", Chunk{Time: time.Unix(0, math.MinInt64), Payload: []byte{0}}},
		{"latest time", Chunk{Time: time.Unix(0, math.MaxInt64), Payload: []byte{0}}},
		{"before 1970", Chunk{Time: time.Unix(-5, 7), Payload: []byte{0}}},
		{"max payload", Chunk{Seq: 3, Time: epoch, Payload: bytes.Repeat([]byte{0xab}, DefaultMaxPayload)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.c
			c.Channel = ch
			data := encodeForTest(t, c)
			want := headerLen + len(ch.ID()) + len(c.Payload)
			if c.Flags&FlagHeader != 0 {
				want += mediaBlockLen + len(c.Header)
			}
			assert.Len(t, data, want)

			got, err := dec.Decode(data)
			require.NoError(t, err)
			assert.Equal(t, ch, got.Channel)
			assert.Equal(t, c.Seq, got.Seq)
			assert.True(t, c.Time.Equal(got.Time), "time %v, want %v", got.Time, c.Time)
			assert.Equal(t, c.Flags, got.Flags)
			assert.Equal(t, len(c.Payload), len(got.Payload))
			assert.True(t, bytes.Equal(c.Payload, got.Payload))
			assert.Equal(t, c.Format, got.Format)
			assert.True(t, bytes.Equal(c.Header, got.Header))

			again, err := got.Encode()
			require.NoError(t, err)
			assert.Equal(t, data, again)
		})
	}
}

func TestEncodeMonotonicTimeIsDropped(t *testing.T) {
	ch := channelForTest(t, 1, "live")
	now := time.Now() // carries a monotonic reading the wire cannot
	a := encodeForTest(t, Chunk{Channel: ch, Time: now})
	b := encodeForTest(t, Chunk{Channel: ch, Time: now.Round(0)})
	assert.Equal(t, a, b)
}
