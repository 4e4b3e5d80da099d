package directory

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// announcementSeeds lists the committed seeds in
// testdata/fuzz/FuzzDecodeAnnouncement and the error each must produce
// (nil: decodes). All derive from announcementForTest, owner one's "live":
//
//   - valid: every field set, a title with non-ASCII and '<' (sent
//     unescaped).
//   - valid-minimal: empty title and format, zero bitrate and viewers,
//     scale 1, unknown start, TTL MinTTL.
//   - oversized: valid with a title past MaxAnnouncementSize.
//   - truncated: the first half of valid.
//   - version-2: valid with "v":2, to be skipped, not rejected.
//   - unknown-field: valid with an extra "color" field.
//   - bad-channel: a channel name with a space.
//   - control-in-title: an escaped ESC (\u001b) in the title.
//   - ttl-too-long: "ttl_ms":300001.
//   - negative-viewers: "viewers":-1.
var announcementSeeds = map[string]error{
	"valid":            nil,
	"valid-minimal":    nil,
	"oversized":        ErrOversized,
	"truncated":        ErrMalformed,
	"version-2":        ErrUnknownVersion,
	"unknown-field":    ErrMalformed,
	"bad-channel":      ErrBadChannel,
	"control-in-title": ErrBadText,
	"ttl-too-long":     ErrBadTTL,
	"negative-viewers": ErrBadValue,
}

// beatSeeds lists the committed seeds in testdata/fuzz/FuzzDecodeBeat, all
// for owner one's "live" (except wrong-channel, owner two's):
//
//   - valid: scale 16, sent at epoch.
//   - truncated: valid without its last byte.
//   - version-2: valid with version byte 2.
//   - wrong-channel: a valid beat of owner two's "live".
//   - scale-0: valid with scale 0.
//   - declared-id-too-long: valid declaring a 255-byte channel ID.
var beatSeeds = map[string]error{
	"valid":                nil,
	"truncated":            ErrMalformed,
	"version-2":            ErrUnknownVersion,
	"wrong-channel":        ErrWrongChannel,
	"scale-0":              ErrBadValue,
	"declared-id-too-long": ErrMalformed,
}

func FuzzDecodeAnnouncement(f *testing.F) {
	// Beyond the committed corpus: JSON oddities the decoder must refuse
	// or read consistently.
	good := string(encodeForTest(f, announcementForTest(f)))
	f.Add([]byte(good))
	f.Add([]byte(strings.Replace(good, `"title"`, `"TITLE"`, 1))) // encoding/json matches keys case-insensitively
	f.Add([]byte(strings.Replace(good, `"v":1`, `"v":1,"v":1`, 1)))
	f.Add([]byte(" " + good + "\n"))
	f.Add([]byte("null"))
	f.Add([]byte(`{"v":1e0}`))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := Decode(data)
		if err != nil {
			require.Equal(t, 1, countSentinels(err), "error %q must wrap exactly one sentinel", err)
			require.Zero(t, a)
			return
		}
		again, err := a.Encode()
		require.NoError(t, err, "a decoded announcement re-encodes")
		require.LessOrEqual(t, len(again), MaxAnnouncementSize)
		b, err := Decode(again)
		require.NoError(t, err)
		require.Equal(t, a, b, "and decodes to the same value")
	})
}

func FuzzDecodeBeat(f *testing.F) {
	ch := channelForTest(f, 1, "live")
	f.Add(beatForTest(f, Beat{Channel: ch, Scale: MaxScale, Time: epoch}))
	f.Add([]byte{Version, 0})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := DecodeBeat(data, ch)
		if err != nil {
			require.Equal(t, 1, countSentinels(err), "error %q must wrap exactly one sentinel", err)
			return
		}
		require.Equal(t, ch, b.Channel)
		again, err := b.AppendEncode(nil)
		require.NoError(t, err)
		require.Equal(t, data, again, "a decoded beat re-encodes to the same bytes")
	})
}

// TestSeedCorpus keeps the committed seeds what the lists above say they
// are, so a format change cannot quietly turn them into noise.
func TestSeedCorpus(t *testing.T) {
	ch := channelForTest(t, 1, "live")
	for target, seeds := range map[string]map[string]error{
		"FuzzDecodeAnnouncement": announcementSeeds,
		"FuzzDecodeBeat":         beatSeeds,
	} {
		dir := filepath.Join("testdata", "fuzz", target)
		for name, want := range seeds {
			t.Run(target+"/"+name, func(t *testing.T) {
				raw, err := os.ReadFile(filepath.Join(dir, name))
				require.NoError(t, err)
				data := parseCorpusBytes(t, raw)
				if target == "FuzzDecodeBeat" {
					_, err = DecodeBeat(data, ch)
				} else {
					_, err = Decode(data)
				}
				if want == nil {
					assert.NoError(t, err)
				} else {
					assert.ErrorIs(t, err, want)
				}
			})
		}
		entries, err := os.ReadDir(dir)
		require.NoError(t, err)
		for _, e := range entries {
			// Files the fuzzer adds after a failure are named by hash;
			// keep them, but describe hand-made seeds above.
			if len(e.Name()) != 16 {
				_, ok := seeds[e.Name()]
				assert.True(t, ok, "seed %s/%s is not described", target, e.Name())
			}
		}
	}
}

// parseCorpusBytes reads a one-value "go test fuzz v1" file holding []byte.
func parseCorpusBytes(t *testing.T, raw []byte) []byte {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
	require.Len(t, lines, 2)
	require.Equal(t, "go test fuzz v1", lines[0])
	lit, ok := strings.CutPrefix(lines[1], "[]byte(")
	require.True(t, ok, "want a []byte value, got %q", lines[1])
	lit, ok = strings.CutSuffix(lit, ")")
	require.True(t, ok)
	s, err := strconv.Unquote(lit)
	require.NoError(t, err)
	return bytes.Clone([]byte(s))
}
