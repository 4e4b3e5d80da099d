package wire

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEncodeJSON(t *testing.T) {
	data, err := testErrors.EncodeJSON(msg{V: 1, Name: "<b>&zoë", N: 7}, 100)
	require.NoError(t, err)
	assert.Equal(t, `{"v":1,"name":"<b>&zoë","n":7}`, string(data), "no HTML escaping, no newline")

	_, err = testErrors.EncodeJSON(msg{V: 1, Name: strings.Repeat("x", 100)}, 100)
	assert.ErrorIs(t, err, errOversized)
	assert.Equal(t, 1, countSentinels(err))

	_, err = testErrors.EncodeJSON(func() {}, 100)
	assert.ErrorIs(t, err, errMalformed)
	assert.Equal(t, 1, countSentinels(err))
}

func TestDecodeJSON(t *testing.T) {
	good := `{"v":1,"name":"zoë","n":7}`
	var m msg
	require.NoError(t, testErrors.DecodeJSON([]byte(good), 64, 1, &m))
	assert.Equal(t, msg{V: 1, Name: "zoë", N: 7}, m)

	swap := func(old, new string) []byte {
		require.Contains(t, good, old)
		return []byte(strings.Replace(good, old, new, 1))
	}
	for _, tc := range []struct {
		name string
		data []byte
		want error
	}{
		{"oversized", []byte(`{"v":1,"name":"` + strings.Repeat("x", 64) + `"}`), errOversized},
		{"oversized before anything else", []byte(strings.Repeat("\xff", 65)), errOversized},
		{"empty", nil, errMalformed},
		{"not JSON", []byte("hi"), errMalformed},
		{"null", []byte("null"), errMalformed},
		{"an array", []byte("[1]"), errMalformed},
		{"invalid UTF-8", swap("zoë", "zo\xff"), errMalformed},
		{"no version", swap(`"v":1,`, ""), errMalformed},
		{"version as text", swap(`"v":1`, `"v":"1"`), errMalformed},
		{"fractional version", swap(`"v":1`, `"v":1.5`), errMalformed},
		{"version with an exponent", swap(`"v":1`, `"v":1e0`), errMalformed},
		{"version 2", swap(`"v":1`, `"v":2`), errUnknownVersion},
		{"version 2 with a new field", swap(`"v":1`, `"v":2,"color":"red"`), errUnknownVersion},
		{"unknown field", swap(`"v":1`, `"v":1,"color":"red"`), errMalformed},
		{"wrong type", swap(`"n":7`, `"n":"seven"`), errMalformed},
		{"trailing bytes", []byte(good + " x"), errMalformed},
		{"trailing object", []byte(good + "{}"), errMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var m msg
			err := testErrors.DecodeJSON(tc.data, 64, 1, &m)
			require.Error(t, err)
			assert.ErrorIs(t, err, tc.want)
			assert.Equal(t, 1, countSentinels(err), "%q wraps exactly one sentinel", err)
		})
	}

	for _, ok := range []string{" " + good + "\n", `{"v":1}`} {
		var m msg
		assert.NoError(t, testErrors.DecodeJSON([]byte(ok), 64, 1, &m), "%s", ok)
	}
}

// FuzzDecodeJSON checks that DecodeJSON never panics, reports every
// failure with exactly one sentinel, and that what it accepts re-encodes
// to a form it accepts again, with the same value.
func FuzzDecodeJSON(f *testing.F) {
	f.Add([]byte(`{"v":1,"name":"zoë","n":7}`))         // valid
	f.Add([]byte(`{"v":1,"NAME":"zoë"}`))               // encoding/json matches keys case-insensitively
	f.Add([]byte(`{"v":1,"v":2}`))                      // a repeated key: the last wins
	f.Add([]byte(`{"v":2,"name":"zoë","color":"red"}`)) // a newer version
	f.Add([]byte(`{"v":1,"name":"\ud800"}`))            // a lone surrogate
	f.Add([]byte(`{"v":1} {}`))                         // trailing value
	f.Add([]byte("null"))                               // not an object
	f.Add([]byte{})                                     // nothing
	f.Fuzz(func(t *testing.T, data []byte) {
		var m msg
		err := testErrors.DecodeJSON(data, 256, 1, &m)
		if err != nil {
			require.Equal(t, 1, countSentinels(err), "error %q must wrap exactly one sentinel", err)
			return
		}
		require.Equal(t, 1, m.V)
		again, err := testErrors.EncodeJSON(m, 1024)
		require.NoError(t, err)
		var back msg
		require.NoError(t, testErrors.DecodeJSON(again, 1024, 1, &back))
		require.Equal(t, m, back)
	})
}
