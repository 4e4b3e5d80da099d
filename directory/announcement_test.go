package directory

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAnnouncementRoundTrip(t *testing.T) {
	a := announcementForTest(t)
	data := encodeForTest(t, a)
	assert.Contains(t, string(data), `"title":"Évening show <live>"`, "no HTML escaping")
	got, err := Decode(data)
	require.NoError(t, err)
	assert.True(t, a.Time.Equal(got.Time))
	assert.True(t, a.Started.Equal(got.Started))
	a.Time, a.Started, got.Time, got.Started = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	assert.Equal(t, a, got)

	a = announcementForTest(t)
	a.Started = time.Time{}
	got, err = Decode(encodeForTest(t, a))
	require.NoError(t, err)
	assert.True(t, got.Started.IsZero(), "an unknown start stays unknown")
}

// TestLargestAnnouncementFits builds the longest announcement the limits
// allow (the longest channel ID, and title and format made of the
// characters JSON escapes most) and checks MaxAnnouncementSize holds it.
func TestLargestAnnouncementFits(t *testing.T) {
	a := announcementForTest(t)
	a.Channel = channelForTest(t, 1, strings.Repeat("n", 64))
	a.Title = strings.Repeat("\u2028", MaxTitleLen/3) // 3 bytes, sent as 6
	a.Format = strings.Repeat(`"`, MaxFormatLen)      // 1 byte, sent as 2
	a.Bitrate, a.Viewers, a.Scale = 1<<63-1, MaxViewers, MaxScale
	a.Time = time.Unix(0, 1<<63-1)
	a.Started = a.Time
	a.TTL = MaxTTL
	data, err := a.Encode()
	require.NoError(t, err)
	t.Logf("largest announcement: %d bytes", len(data))
	assert.Less(t, len(data), MaxAnnouncementSize*9/10, "keep a margin")
	_, err = Decode(data)
	assert.NoError(t, err)
}

func TestDecodeErrors(t *testing.T) {
	good := string(encodeForTest(t, announcementForTest(t)))
	swap := func(old, new string) []byte {
		require.Contains(t, good, old)
		return []byte(strings.Replace(good, old, new, 1))
	}
	for _, tc := range []struct {
		name string
		data []byte
		want error
	}{
		{"oversized", []byte(`{"v":1,"title":"` + strings.Repeat("x", MaxAnnouncementSize) + `"}`), ErrOversized},
		{"empty", nil, ErrMalformed},
		{"not JSON", []byte("live!"), ErrMalformed},
		{"an array", []byte("[1]"), ErrMalformed},
		{"invalid UTF-8", swap("show", "sh\xffw"), ErrMalformed},
		{"no version", swap(`"v":1,`, ""), ErrMalformed},
		{"version as text", swap(`"v":1`, `"v":"1"`), ErrMalformed},
		{"version 2", swap(`"v":1`, `"v":2`), ErrUnknownVersion},
		{"version 2 with a new field", swap(`"v":1`, `"v":2,"color":"red"`), ErrUnknownVersion},
		{"unknown field", swap(`"v":1`, `"v":1,"color":"red"`), ErrMalformed},
		{"wrong type", swap(`"viewers":120`, `"viewers":"many"`), ErrMalformed},
		{"fractional", swap(`"viewers":120`, `"viewers":1.5`), ErrMalformed},
		{"trailing object", []byte(good + "{}"), ErrMalformed},
		{"bad channel", swap(ownerOneText+"/live", ownerOneText+"/a b"), ErrBadChannel},
		{"no channel", swap(`"channel":"`+ownerOneText+`/live",`, ""), ErrBadChannel},
		{"channel not canonical", swap(ownerOneText+"/live", " "+ownerOneText+"/live"), ErrBadChannel},
		{"title too long", swap("Évening show", strings.Repeat("x", MaxTitleLen)), ErrBadText},
		{"control in title", swap("Évening show", `Evening\nshow`), ErrBadText},
		{"C1 control in title", swap("Évening show", "Evening\u0085show"), ErrBadText},
		{"format too long", swap("mpegts", strings.Repeat("m", MaxFormatLen+1)), ErrBadText},
		{"TTL too short", swap(`"ttl_ms":30000`, `"ttl_ms":4999`), ErrBadTTL},
		{"TTL too long", swap(`"ttl_ms":30000`, `"ttl_ms":300001`), ErrBadTTL},
		{"no TTL", swap(`,"ttl_ms":30000`, ""), ErrBadTTL},
		{"negative bitrate", swap(`"bitrate":2000000`, `"bitrate":-1`), ErrBadValue},
		{"negative viewers", swap(`"viewers":120`, `"viewers":-1`), ErrBadValue},
		{"too many viewers", swap(`"viewers":120`, `"viewers":2147483648`), ErrBadValue},
		{"scale 0", swap(`"scale":2`, `"scale":0`), ErrBadValue},
		{"scale too large", swap(`"scale":2`, `"scale":1048577`), ErrBadValue},
		{"time 0", swap(`"time_ns":1748779200000000000`, `"time_ns":0`), ErrBadValue},
		{"started after time", swap(`"time_ns":1748779200000000000`, `"time_ns":1748775599000000000`), ErrBadValue},
		{"negative start", swap(`"started_ns":1748775600000000000`, `"started_ns":-1`), ErrBadValue},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Decode(tc.data)
			require.Error(t, err)
			assert.ErrorIs(t, err, tc.want)
			assert.Equal(t, 1, countSentinels(err), "%q wraps exactly one sentinel", err)
		})
	}
}

func TestEncodeRefusesWhatDecodeRefuses(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(*Announcement)
		want   error
	}{
		{"zero channel", func(a *Announcement) { a.Channel.Owner = "" }, ErrBadChannel},
		{"long title", func(a *Announcement) { a.Title = strings.Repeat("x", MaxTitleLen+1) }, ErrBadText},
		{"short TTL", func(a *Announcement) { a.TTL = time.Second }, ErrBadTTL},
		{"zero time", func(a *Announcement) { a.Time = time.Time{} }, ErrBadValue},
		{"scale 0", func(a *Announcement) { a.Scale = 0 }, ErrBadValue},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := announcementForTest(t)
			tc.change(&a)
			_, err := a.Encode()
			assert.ErrorIs(t, err, tc.want)
		})
	}
}

// countSentinels counts the package's decode sentinels err wraps.
func countSentinels(err error) int {
	n := 0
	for _, s := range []error{ErrOversized, ErrMalformed, ErrUnknownVersion, ErrBadChannel, ErrBadText, ErrBadTTL, ErrBadValue, ErrWrongChannel} {
		if errors.Is(err, s) {
			n++
		}
	}
	return n
}
