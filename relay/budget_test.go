package relay

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testBitrate is the 300 kbit/s stream the package documentation's table is
// for, in bytes per second.
const testBitrate = 300_000 / 8

func TestProfiles(t *testing.T) {
	for _, tc := range []struct {
		name   string
		b      Budget
		copies int
	}{
		{"ADSL", ADSL(), 1},
		{"Cable", Cable(), 6},
		{"Fibre", Fibre(), MaxDegree},
		{"unlimited", Budget{}, MaxDegree},
	} {
		require.NoError(t, tc.b.Validate(), tc.name)
		assert.Equal(t, tc.copies, tc.b.Copies(testBitrate), tc.name)
	}
	assert.Equal(t, 3, Fibre().Copies(3_000_000/8), "fibre, 3 Mbit/s stream")
	assert.Less(t, ADSL().Upload, Cable().Upload)
	assert.Less(t, Cable().Upload, Fibre().Upload)
}

func TestCopies(t *testing.T) {
	for _, tc := range []struct {
		upload, bitrate int64
		want            int
	}{
		{0, testBitrate, MaxDegree},   // unlimited
		{1000, 0, MaxDegree},          // nothing to carry
		{-1, testBitrate, 0},          // invalid
		{41249, testBitrate, 0},       // one copy costs 37500 + 10% = 41250
		{41250, testBitrate, 1},       //
		{82500, testBitrate, 2},       //
		{3, 1, 1},                     // 1 byte/s + 10%, rounded up, costs 2
		{math.MaxInt64, 1, MaxDegree}, // no overflow
		{math.MaxInt64, math.MaxInt64, 0},
		{math.MaxInt64, math.MaxInt64 / 4, 3},
	} {
		assert.Equal(t, tc.want, Budget{Upload: tc.upload}.Copies(tc.bitrate), "upload %d bitrate %d", tc.upload, tc.bitrate)
	}
}

func TestMultiple(t *testing.T) {
	assert.Equal(t, Budget{Upload: 3 * testBitrate}, Multiple(testBitrate, 3))
	assert.Equal(t, Budget{Upload: 18750}, Multiple(testBitrate, 0.5))
	assert.Equal(t, Budget{Upload: 1}, Multiple(1, 0.1), "tiny but not unlimited")
	assert.Equal(t, Budget{Upload: math.MaxInt64}, Multiple(math.MaxInt64, 2))
	for _, bad := range []Budget{
		Multiple(testBitrate, 0), Multiple(testBitrate, -1), Multiple(testBitrate, math.NaN()), Multiple(0, 3), Multiple(-5, 3),
	} {
		assert.ErrorIs(t, bad.Validate(), ErrBadBudget, "%+v", bad)
	}
}

func TestValidate(t *testing.T) {
	assert.NoError(t, Budget{}.Validate())
	err := Budget{Upload: -3}.Validate()
	require.ErrorIs(t, err, ErrBadBudget)
	assert.Contains(t, err.Error(), "Upload=-3")
}

func TestOversubscribed(t *testing.T) {
	const copyCost = 41250 // 300 kbit/s + 10%, in bytes per second
	for _, tc := range []struct {
		name   string
		b      Budget
		role   Role
		expect bool
	}{
		// A leaf (at most one copy) has Dhi = 2 and forwards one copy: it
		// is oversubscribed only under one copy. Any other viewer's Dhi is
		// at least MinViewerDegree = 4, so it may forward 3 copies: a
		// budget of two copies is oversubscribed.
		{"0.5× viewer", Multiple(testBitrate, 0.5), RoleViewer, true},
		{"just under 1 copy, viewer", Budget{Upload: copyCost - 1}, RoleViewer, true},
		{"1 copy, viewer", Budget{Upload: copyCost}, RoleViewer, false},
		{"ADSL viewer", ADSL(), RoleViewer, false},
		{"3× viewer", Multiple(testBitrate, 3), RoleViewer, true},
		{"just under 3 copies, viewer", Budget{Upload: 3*copyCost - 1}, RoleViewer, true},
		{"3 copies, viewer", Budget{Upload: 3 * copyCost}, RoleViewer, false},
		{"Cable viewer", Cable(), RoleViewer, false},
		{"10× viewer", Multiple(testBitrate, 10), RoleViewer, false},
		{"unlimited viewer", Budget{}, RoleViewer, false},
		// A source's Dhi is at least MinDegree = 2, and it sends to all of
		// them: any budget under 2 copies is oversubscribed.
		{"1.2× source", Multiple(testBitrate, 1.2), RoleSource, true},
		{"ADSL source", ADSL(), RoleSource, true},
		{"just under 2 copies, source", Budget{Upload: 2*copyCost - 1}, RoleSource, true},
		{"2 copies, source", Budget{Upload: 2 * copyCost}, RoleSource, false},
		{"3× source", Multiple(testBitrate, 3), RoleSource, false},
		{"10× source", Multiple(testBitrate, 10), RoleSource, false},
		{"unlimited source", Budget{}, RoleSource, false},
	} {
		assert.Equal(t, tc.expect, tc.b.Oversubscribed(testBitrate, tc.role), tc.name)
	}
}
