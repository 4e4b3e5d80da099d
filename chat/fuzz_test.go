package chat

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

// lineSeeds lists the committed seeds in testdata/fuzz/FuzzDecodeLine and
// the error each must produce (nil: decodes). All derive from
// lineForTest: peer two's line in owner one's "live", sent at epoch.
//
//   - valid: a nick with non-ASCII, a text with '<' (sent unescaped) and
//     an emoji.
//   - oversized: valid with a text past MaxLineSize.
//   - truncated: valid without its last two bytes.
//   - version-2: valid with "v":2, to be skipped, not rejected.
//   - wrong-channel: valid naming owner one's "other".
//   - bad-from: "from":"bob".
//   - text-too-long: a text of MaxTextLen+13 bytes, inside MaxLineSize.
//   - control-in-text: an escaped BEL (\u0007) in the text.
var lineSeeds = map[string]error{
	"valid":           nil,
	"oversized":       ErrOversized,
	"truncated":       ErrMalformed,
	"version-2":       ErrUnknownVersion,
	"wrong-channel":   ErrWrongChannel,
	"bad-from":        ErrBadFrom,
	"text-too-long":   ErrTooLong,
	"control-in-text": ErrBadText,
}

func FuzzDecodeLine(f *testing.F) {
	ch := channelForTest(f, 1, "live")
	// Beyond the committed corpus: JSON oddities the decoder must refuse
	// or read consistently.
	good := string(encodeForTest(f, lineForTest(f)))
	f.Add([]byte(good))
	f.Add([]byte(strings.Replace(good, `"text"`, `"Text"`, 1))) // encoding/json matches keys case-insensitively
	f.Add([]byte(strings.Replace(good, `"nick":"zoë"`, `"nick":"\ud800"`, 1)))
	f.Add([]byte("null"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := Decode(data, ch)
		if err != nil {
			require.Equal(t, 1, countSentinels(err), "error %q must wrap exactly one sentinel", err)
			require.Zero(t, l)
			return
		}
		require.Equal(t, ch, l.Channel)
		again, err := l.Encode()
		require.NoError(t, err, "a decoded line re-encodes")
		require.LessOrEqual(t, len(again), MaxLineSize)
		back, err := Decode(again, ch)
		require.NoError(t, err)
		require.Equal(t, l, back, "and decodes to the same value")
	})
}

// TestSeedCorpus keeps the committed seeds what lineSeeds says they are.
func TestSeedCorpus(t *testing.T) {
	ch := channelForTest(t, 1, "live")
	dir := filepath.Join("testdata", "fuzz", "FuzzDecodeLine")
	for name, want := range lineSeeds {
		t.Run(name, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join(dir, name))
			require.NoError(t, err)
			_, err = Decode(parseCorpusBytes(t, raw), ch)
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
		// Files the fuzzer adds after a failure are named by hash; keep
		// them, but describe hand-made seeds above.
		if len(e.Name()) != 16 {
			_, ok := lineSeeds[e.Name()]
			assert.True(t, ok, "seed %s is not described in lineSeeds", e.Name())
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
