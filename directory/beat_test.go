package directory

import (
	"bytes"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBeatRoundTrip(t *testing.T) {
	ch := channelForTest(t, 1, "live")
	b := Beat{Channel: ch, Scale: 16, Time: epoch}
	data := beatForTest(t, b)
	assert.Len(t, data, beatFixedLen+len(ch.ID()))
	got, err := DecodeBeat(data, ch)
	require.NoError(t, err)
	assert.Equal(t, ch, got.Channel)
	assert.Equal(t, 16, got.Scale)
	assert.True(t, epoch.Equal(got.Time))
}

func TestDecodeBeatErrors(t *testing.T) {
	ch := channelForTest(t, 1, "live")
	good := beatForTest(t, Beat{Channel: ch, Scale: 16, Time: epoch})
	with := func(f func([]byte)) []byte {
		data := bytes.Clone(good)
		f(data)
		return data
	}
	scaleAt := 2 + len(ch.ID())
	for _, tc := range []struct {
		name string
		data []byte
		want error
	}{
		{"empty", nil, ErrMalformed},
		{"version 2", with(func(d []byte) { d[0] = 2 }), ErrUnknownVersion},
		{"oversized", append(bytes.Clone(good), make([]byte, MaxBeatSize)...), ErrOversized},
		{"just the version", []byte{Version}, ErrMalformed},
		{"truncated", good[:len(good)-1], ErrMalformed},
		{"trailing byte", append(bytes.Clone(good), 0), ErrMalformed},
		{"declares a longer ID", with(func(d []byte) { d[1]++ }), ErrMalformed},
		{"another channel", beatForTest(t, Beat{Channel: channelForTest(t, 2, "live"), Scale: 1, Time: epoch}), ErrWrongChannel},
		{"scale 0", with(func(d []byte) { copy(d[scaleAt:], []byte{0, 0, 0, 0}) }), ErrBadValue},
		{"scale too large", with(func(d []byte) { copy(d[scaleAt:], []byte{0xff, 0, 0, 0}) }), ErrBadValue},
		{"time 0", with(func(d []byte) { copy(d[scaleAt+4:], make([]byte, 8)) }), ErrBadValue},
		{"negative time", with(func(d []byte) { d[scaleAt+4] = 0x80 }), ErrBadValue},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := DecodeBeat(tc.data, ch)
			require.Error(t, err)
			assert.ErrorIs(t, err, tc.want)
			assert.Equal(t, 1, countSentinels(err), "%q wraps exactly one sentinel", err)
		})
	}
}

func TestBeatEncodeRefuses(t *testing.T) {
	ch := channelForTest(t, 1, "live")
	_, err := Beat{Channel: ch, Scale: 0, Time: epoch}.AppendEncode(nil)
	assert.ErrorIs(t, err, ErrBadValue)
	_, err = Beat{Channel: ch, Scale: 1}.AppendEncode(nil)
	assert.ErrorIs(t, err, ErrBadValue)
	_, err = Beat{Scale: 1, Time: time.Unix(1, 0)}.AppendEncode(nil)
	assert.ErrorIs(t, err, ErrBadChannel)
}
