package relay

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseRate(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
	}{
		{"0", 0},
		{"0k", 0},
		{"unlimited", 0},
		{"500000", 62500},
		{"300k", 37500},
		{"300K", 37500},
		{"300kbit", 37500},
		{"300kbps", 37500},
		{"300kbit/s", 37500},
		{"300 kbit/s", 37500},
		{" 300kb ", 37500},
		{"2Mbit", 250000},
		{"2Mbit/s", 250000},
		{"2mbit", 250000},
		{"1.5M", 187500},
		{"1G", 125_000_000},
		{"1Gbit", 125_000_000},
		{"64KB", 64000},
		{"64kB/s", 64000},
		{"64KBps", 64000},
		{"1MB", 1_000_000},
		{"1 byte", 1},
		{"1KiB", 1024},
		{"8Kibit", 1024},
		{"1 bit", 1}, // a positive rate never rounds to 0 (unlimited)
		{"12bit", 2}, // 1.5 bytes rounds half up
		{".5M", 62500},
		{"2.", 1},
	} {
		got, err := ParseRate(tc.in)
		if assert.NoError(t, err, tc.in) {
			assert.Equal(t, tc.want, got, tc.in)
		}
	}
}

func TestParseRateErrors(t *testing.T) {
	for _, in := range []string{
		"", "   ", "x2", "-5", "-0", "k", ".", "1.2.3", "NaN", "Inf", "+5",
		"5x", "5 kbitz", "5kbyteses", "1e6", "5BPS", "5kk", "0x10",
		"99999999999999999999", "9223372036854775808B", "10000000000000000T",
	} {
		_, err := ParseRate(in)
		if assert.Error(t, err, in) {
			assert.ErrorIs(t, err, ErrBadRate, in)
			assert.Contains(t, err.Error(), `relay: bad rate "`+in+`"`)
		}
	}
}

func TestFormatRate(t *testing.T) {
	for _, tc := range []struct {
		in   int64
		want string
	}{
		{0, "unlimited"},
		{1, "8 bit/s"},
		{37500, "300 kbit/s"},
		{64000, "512 kbit/s"},
		{300000, "2.4 Mbit/s"},
		{1_250_000, "10 Mbit/s"},
		{124_990, "1 Mbit/s"}, // 999.92 kbit/s rounds up into the next prefix
		{154_321, "1.23 Mbit/s"},
		{125_000_000, "1 Gbit/s"},
		{-37500, "-300 kbit/s"},
		{math.MaxInt64, "73800000 Tbit/s"},
	} {
		assert.Equal(t, tc.want, FormatRate(tc.in), tc.in)
	}
}

func TestFormatRateRoundTrip(t *testing.T) {
	for _, v := range []int64{0, 1, 7, 999, 37500, 64000, 123_456, 1_250_000, 987_654_321, math.MaxInt64 / 16} {
		got, err := ParseRate(FormatRate(v))
		require.NoError(t, err, v)
		assertClose(t, v, got)
	}
}

// assertClose checks a FormatRate round trip: three significant digits lose
// at most 0.5%, and bits round to bytes.
func assertClose(t testing.TB, want, got int64) {
	t.Helper()
	diff := math.Abs(float64(got) - float64(want))
	assert.LessOrEqual(t, diff, 0.005*float64(want)+1, "want %d got %d", want, got)
}

func FuzzParseRate(f *testing.F) {
	for _, seed := range []string{
		"300k",       // plain SI bits
		"2Mbit/s",    // unit with /s
		"64kB/s",     // bytes
		"1.5M",       // fraction
		"500000",     // bare number: bits
		"1KiB",       // binary prefix
		"300 kbit/s", // FormatRate's own output
		"unlimited",  // FormatRate(0)
		"0",
		"-1",                    // negative
		"x2",                    // no number
		"99999999999999999999T", // overflow
		"1..2",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseRate(s)
		if err != nil {
			assert.ErrorIs(t, err, ErrBadRate)
			return
		}
		require.GreaterOrEqual(t, v, int64(0))
		back, err := ParseRate(FormatRate(v))
		require.NoError(t, err, "FormatRate(%d) = %q", v, FormatRate(v))
		assertClose(t, v, back)
	})
}
