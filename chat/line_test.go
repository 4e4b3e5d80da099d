package chat

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLineRoundTrip(t *testing.T) {
	l := lineForTest(t)
	data := encodeForTest(t, l)
	assert.Contains(t, string(data), `"text":"hello <everyone> 👋"`, "no HTML escaping")
	got, err := Decode(data, l.Channel)
	require.NoError(t, err)
	assert.True(t, l.Time.Equal(got.Time))
	l.Time, got.Time = time.Time{}, time.Time{}
	assert.Equal(t, l, got)
}

// TestLargestLineFits builds the longest line the limits allow, with the
// characters JSON escapes most, and checks MaxLineSize holds it.
func TestLargestLineFits(t *testing.T) {
	l := lineForTest(t)
	l.Channel = channelForTest(t, 1, strings.Repeat("n", 64))
	l.Nick = strings.Repeat(`"`, MaxNickLen) // 1 byte each, sent as 2
	// U+2028 is 3 bytes, sent as 6; a backslash is sent as 2.
	l.Text = strings.Repeat("\u2028", MaxTextLen/3) + `\\`
	l.Time = time.Unix(0, 1<<63-1)
	data, err := l.Encode()
	require.NoError(t, err)
	t.Logf("largest line: %d bytes", len(data))
	assert.Less(t, len(data), MaxLineSize*9/10, "keep a margin")
	_, err = Decode(data, l.Channel)
	assert.NoError(t, err)
}

func TestLineString(t *testing.T) {
	l := lineForTest(t)
	at := l.Time.Local().Format("15:04:05")
	assert.Equal(t, at+" <zoë>: hello <everyone> 👋", l.String())

	l.Nick = ""
	assert.Equal(t, at+" <…"+ownerTwoText[len(ownerTwoText)-6:]+">: hello <everyone> 👋", l.String(),
		"no nick: the end of the peer ID")

	l.From = ""
	assert.Equal(t, at+" <…>: hello <everyone> 👋", l.String(), "no sender either")

	l.Nick = "zoë"
	l.Time = time.Date(2025, 6, 1, 23, 59, 58, 0, time.FixedZone("far", 5*3600))
	assert.Equal(t, l.Time.Local().Format("15:04:05")+" <zoë>: hello <everyone> 👋", l.String(),
		"the local time, whatever zone the line's time is in")
}

func TestDecodeErrors(t *testing.T) {
	ch := channelForTest(t, 1, "live")
	good := string(encodeForTest(t, lineForTest(t)))
	swap := func(old, new string) []byte {
		require.Contains(t, good, old)
		return []byte(strings.Replace(good, old, new, 1))
	}
	for _, tc := range []struct {
		name string
		data []byte
		want error
	}{
		{"oversized", []byte(`{"v":1,"text":"` + strings.Repeat("x", MaxLineSize) + `"}`), ErrOversized},
		{"empty", nil, ErrMalformed},
		{"not JSON", []byte("hi"), ErrMalformed},
		{"invalid UTF-8", swap("hello", "h\xffllo"), ErrMalformed},
		{"no version", swap(`"v":1,`, ""), ErrMalformed},
		{"version 2", swap(`"v":1`, `"v":2`), ErrUnknownVersion},
		{"version 2 with a new field", swap(`"v":1`, `"v":2,"reply_to":"x"`), ErrUnknownVersion},
		{"unknown field", swap(`"v":1`, `"v":1,"reply_to":"x"`), ErrMalformed},
		{"wrong type", swap(`"time_ns":1748779200000000000`, `"time_ns":"now"`), ErrMalformed},
		{"trailing bytes", []byte(good + " x"), ErrMalformed},
		{"another channel", swap(ownerOneText+"/live", ownerOneText+"/other"), ErrWrongChannel},
		{"channel not canonical", swap(ownerOneText+"/live", " "+ownerOneText+"/live"), ErrWrongChannel},
		{"no sender", swap(`"from":"`+ownerTwoText+`"`, `"from":""`), ErrBadFrom},
		{"sender not a peer ID", swap(`"from":"`+ownerTwoText+`"`, `"from":"bob"`), ErrBadFrom},
		{"sender too long", swap(`"from":"`+ownerTwoText+`"`, `"from":"`+strings.Repeat("1", MaxFromLen+1)+`"`), ErrBadFrom},
		{"nick too long", swap(`"nick":"zoë"`, `"nick":"`+strings.Repeat("z", MaxNickLen+1)+`"`), ErrTooLong},
		{"control in nick", swap(`"nick":"zoë"`, `"nick":"zo\u0007"`), ErrBadText},
		{"text too long", swap("hello", strings.Repeat("h", MaxTextLen)), ErrTooLong},
		{"empty text", swap(`"text":"hello <everyone> 👋"`, `"text":""`), ErrBadText},
		{"newline in text", swap("hello", `hel\nlo`), ErrBadText},
		{"escaped ESC in text", swap("hello", `hel\u001b[2Jlo`), ErrBadText},
		{"raw ESC in text (not JSON)", swap("hello", "hel\u001b[2Jlo"), ErrMalformed},
		{"time 0", swap(`"time_ns":1748779200000000000`, `"time_ns":0`), ErrMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Decode(tc.data, ch)
			require.Error(t, err)
			assert.ErrorIs(t, err, tc.want)
			assert.Equal(t, 1, countSentinels(err), "%q wraps exactly one sentinel", err)
		})
	}
}

func TestEncodeRefusesWhatDecodeRefuses(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(*Line)
		want   error
	}{
		{"long text", func(l *Line) { l.Text = strings.Repeat("x", MaxTextLen+1) }, ErrTooLong},
		{"empty text", func(l *Line) { l.Text = "" }, ErrBadText},
		{"tab in text", func(l *Line) { l.Text = "a\tb" }, ErrBadText},
		{"no sender", func(l *Line) { l.From = "" }, ErrBadFrom},
		{"zero time", func(l *Line) { l.Time = time.Time{} }, ErrMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := lineForTest(t)
			tc.change(&l)
			_, err := l.Encode()
			assert.ErrorIs(t, err, tc.want)
		})
	}
}
