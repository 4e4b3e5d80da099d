package broadcast

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/gridcast/gridcast/media"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fuzzMaxPayload keeps the payload limit small, so the fuzzer reaches the
// oversized paths with short inputs.
const fuzzMaxPayload = 64

// decodeSeedCorpus lists the committed seeds in testdata/fuzz/FuzzDecodeChunk
// and the error each must produce (nil: decodes). All are chunks of channel
// ownerOneText + "/live", built with the fixed key of ownerForTest(1):
//
//   - valid-clean-start: seq 1, FlagStreamStart|FlagCleanStart, payload
//     "frame", time 2025-06-01 12:00 UTC. The fuzzer mutates it field by
//     field from here.
//   - valid-end-of-stream: seq 2, FlagEndOfStream, empty payload.
//   - truncated-header: the first 10 bytes of valid-clean-start.
//   - truncated-payload: valid-clean-start without its last byte.
//   - wrong-version: valid-clean-start with version byte 2.
//   - wrong-channel: a valid chunk of ownerTwoText + "/live".
//   - oversized-length: valid-clean-start declaring a 0xffffffff-byte
//     payload, which must be refused before anything is sized by it.
//   - unknown-flag: valid-clean-start with flag bit 4 set.
//   - valid-media-header: valid-clean-start with FlagHeader, format WebM
//     and the 4-byte header "EBML".
var decodeSeedCorpus = map[string]error{
	"valid-clean-start":   nil,
	"valid-end-of-stream": nil,
	"truncated-header":    ErrTruncated,
	"truncated-payload":   ErrTruncated,
	"wrong-version":       ErrUnknownVersion,
	"wrong-channel":       ErrWrongChannel,
	"oversized-length":    ErrOversized,
	"unknown-flag":        ErrMalformed,
	"valid-media-header":  nil,
}

func fuzzDecoder(tb testing.TB) *Decoder {
	tb.Helper()
	dec, err := NewDecoder(channelForTest(tb, 1, "live"), fuzzMaxPayload)
	require.NoError(tb, err)
	return dec
}

func FuzzDecodeChunk(f *testing.F) {
	dec := fuzzDecoder(f)
	enc, err := NewEncoder(dec.Channel(), fuzzMaxPayload)
	require.NoError(f, err)
	ch := dec.Channel()

	// More seeds than the committed corpus: payload limits, every flag and
	// extreme field values.
	f.Add(encodeForTest(f, Chunk{Channel: ch, Seq: 0, Time: epoch, Flags: knownFlags}))
	f.Add(encodeForTest(f, Chunk{Channel: ch, Seq: ^uint64(0), Time: epoch, Payload: make([]byte, fuzzMaxPayload)}))
	f.Add(encodeForTest(f, Chunk{Channel: ch, Seq: 5, Time: epoch, Payload: make([]byte, fuzzMaxPayload+1)}))
	f.Add([]byte{})
	f.Add([]byte{Version, 0, 0})

	sentinels := []error{ErrTruncated, ErrOversized, ErrUnknownVersion, ErrWrongChannel, ErrMalformed}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := dec.Decode(data)
		if err != nil {
			matched := 0
			for _, s := range sentinels {
				if errors.Is(err, s) {
					matched++
				}
			}
			require.Equal(t, 1, matched, "error %q must wrap exactly one sentinel", err)
			return
		}
		require.Equal(t, ch, c.Channel)
		require.LessOrEqual(t, len(c.Payload), fuzzMaxPayload)
		require.Equal(t, len(c.Payload), cap(c.Payload))
		again, err := enc.AppendEncode(nil, &c)
		require.NoError(t, err)
		require.Equal(t, data, again, "a decoded chunk re-encodes to the same bytes")
	})
}

func FuzzParseChannel(f *testing.F) {
	f.Add(ownerOneText + "/live")
	f.Add(" " + ownerOneCID + "/a.b_c-d\n")
	f.Add(ownerOneText + "/a/b")
	f.Add(ownerOneText + "/..")
	f.Add(hashedPeerText + "/live")
	f.Add("12D3KooW/x")
	f.Add("/")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		ch, err := ParseChannel(s)
		if err != nil {
			require.ErrorIs(t, err, ErrBadChannelID)
			require.Zero(t, ch)
			return
		}
		require.NoError(t, ch.Validate())
		require.LessOrEqual(t, len(ch.ID()), MaxIDLen)
		back, err := ParseChannel(ch.ID())
		require.NoError(t, err)
		require.Equal(t, ch, back, "ID round-trips")
	})
}

// TestDecodeSeedCorpus keeps the committed seeds what the list above says
// they are, so a format change cannot quietly turn them into noise.
func TestDecodeSeedCorpus(t *testing.T) {
	dec := fuzzDecoder(t)
	dir := filepath.Join("testdata", "fuzz", "FuzzDecodeChunk")
	seen := map[string]bool{}
	for name, want := range decodeSeedCorpus {
		t.Run(name, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join(dir, name))
			require.NoError(t, err)
			data := parseCorpusBytes(t, raw)
			_, err = dec.Decode(data)
			if want == nil {
				assert.NoError(t, err)
			} else {
				assert.ErrorIs(t, err, want)
			}
		})
		seen[name] = true
	}
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	for _, e := range entries {
		// Files the fuzzer adds after finding a failure are named by hash;
		// keep them, but describe hand-made seeds above.
		if len(e.Name()) != 16 {
			assert.True(t, seen[e.Name()], "seed %s is not described in decodeSeedCorpus", e.Name())
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

// TestDeclaredLengthsAllocateNothing decodes chunks declaring a 4 GiB
// payload or media header and checks that decoding allocates no more than
// its error message: nothing is ever sized by a length field, which only
// selects a slice of the bytes already received.
func TestDeclaredLengthsAllocateNothing(t *testing.T) {
	dec := fuzzDecoder(t)
	c := Chunk{Channel: dec.Channel(), Seq: 1, Time: epoch, Flags: FlagCleanStart | FlagHeader,
		Format: media.FormatWebM, Header: []byte("EBML"), Payload: []byte("frame")}
	valid := encodeForTest(t, c)
	payloadLenAt := len(valid) - len(c.Payload) - 4
	headerLenAt := payloadLenAt - len(c.Header) - 4
	for name, at := range map[string]int{"payload": payloadLenAt, "header": headerLenAt} {
		data := bytes.Clone(valid)
		binary.BigEndian.PutUint32(data[at:], 0xffffffff)
		_, err := dec.Decode(data)
		require.ErrorIs(t, err, ErrOversized, name)
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		for range 100 {
			dec.Decode(data)
		}
		runtime.ReadMemStats(&after)
		perDecode := (after.TotalAlloc - before.TotalAlloc) / 100
		assert.Less(t, perDecode, uint64(1024), "%s: bytes allocated per decode", name)
	}
}
