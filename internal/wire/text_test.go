package wire

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestCheckText(t *testing.T) {
	for _, tc := range []struct {
		name string
		s    string
		want error
	}{
		{"empty", "", nil},
		{"at the limit", strings.Repeat("x", 8), nil},
		{"non-ASCII at the limit", "zoë ü", nil}, // 7 bytes
		{"emoji and '<'", "<👋>", nil},
		{"one byte over", strings.Repeat("x", 9), errTooLong},
		{"over in multi-byte characters", "ëëëëë", errTooLong}, // 10 bytes
		{"invalid UTF-8", "a\xffb", errBadText},
		{"truncated rune", "ab\xe2\x82", errBadText},
		{"U+FFFD itself is fine", "a\uFFFDb", nil},
		{"newline", "a\nb", errBadText},
		{"tab", "a\tb", errBadText},
		{"ESC", "a\x1b[2J", errBadText},
		{"DEL", "a\x7f", errBadText},
		{"C1 control", "a\u0085b", errBadText},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := testErrors.CheckText("nick", tc.s, 8)
			if tc.want == nil {
				assert.NoError(t, err)
				return
			}
			assert.ErrorIs(t, err, tc.want)
			assert.Equal(t, 1, countSentinels(err), "%q wraps exactly one sentinel", err)
		})
	}
}

func TestCheckTextMessages(t *testing.T) {
	err := testErrors.CheckText("nick", "abcdefghi", 8)
	assert.EqualError(t, err, "too long: the nick is 9 bytes long; at most 8 are allowed")
	err = testErrors.CheckText("title", "ab\xff", 8)
	assert.EqualError(t, err, "bad text: the title is not valid UTF-8 at byte 2")
	err = testErrors.CheckText("text", "a\nb", 8)
	assert.EqualError(t, err, "bad text: the text contains the control character U+000A at byte 1")
}

// TestCheckTextOneSentinel is directory's use: too long and bad text are
// one sentinel there.
func TestCheckTextOneSentinel(t *testing.T) {
	e := testErrors
	e.TooLong = errBadText
	assert.ErrorIs(t, e.CheckText("title", "abcdefghi", 8), errBadText)
	assert.ErrorIs(t, e.CheckText("title", "a\x00", 8), errBadText)
}
