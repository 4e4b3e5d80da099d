package media

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// split is everything a splitter returned for one stream.
type split struct {
	units   []Unit   // Data copied
	headers [][]byte // Header() after each unit
	err     error    // what ended it: io.EOF at the clean end
	stats   SplitterStats
	format  Format
}

// splitAll runs a splitter over r to its end or first error.
func splitAll(tb testing.TB, r io.Reader, f Format, opts ...Option) split {
	tb.Helper()
	s, err := NewSplitter(r, f, opts...)
	require.NoError(tb, err)
	var sp split
	for {
		u, err := s.Next()
		if err != nil {
			sp.err = err
			break
		}
		require.NotEmpty(tb, u.Data, "Next returned an empty unit at offset %d", u.Offset)
		u.Data = bytes.Clone(u.Data)
		sp.units = append(sp.units, u)
		sp.headers = append(sp.headers, s.Header())
	}
	_, again := s.Next()
	assert.Equal(tb, sp.err, again, "Next must keep returning its error")
	sp.stats, sp.format = s.Stats(), s.Format()
	return sp
}

func (sp split) concat() []byte {
	var b []byte
	for _, u := range sp.units {
		b = append(b, u.Data...)
	}
	return b
}

// cleans returns the offsets of the clean units and the header of each.
func (sp split) cleans() (offsets []int64, headers [][]byte) {
	for i, u := range sp.units {
		if u.Clean {
			offsets = append(offsets, u.Offset)
			headers = append(headers, sp.headers[i])
		}
	}
	return offsets, headers
}

// shape is a unit without its bytes, to compare two splits of one stream.
type shape struct {
	Offset int64
	Len    int
	Clean  bool
}

func (sp split) shapes() []shape {
	out := make([]shape, len(sp.units))
	for i, u := range sp.units {
		out[i] = shape{u.Offset, len(u.Data), u.Clean}
	}
	return out
}

// checkWhole asserts that the units are the input, in order and offsets
// that add up, each within maxUnit.
func checkWhole(tb testing.TB, sp split, in []byte, maxUnit int) {
	tb.Helper()
	assert.True(tb, bytes.Equal(in, sp.concat()), "the units are not the input: %d bytes out of %d", len(sp.concat()), len(in))
	var off int64
	for _, u := range sp.units {
		assert.Equal(tb, off, u.Offset)
		assert.LessOrEqual(tb, len(u.Data), maxUnit)
		off += int64(len(u.Data))
	}
	assert.Equal(tb, int64(len(in)), sp.stats.Bytes)
	assert.Equal(tb, int64(len(sp.units)), sp.stats.Units)
	offsets, _ := sp.cleans()
	assert.Equal(tb, int64(len(offsets)), sp.stats.CleanUnits)
}

// isErr says whether err is one of the errors a splitter may end with on
// a stream that a bytes.Reader serves.
func isErr(err error) bool {
	return err == io.EOF || errors.Is(err, ErrMalformed) || errors.Is(err, ErrTooLarge) || errors.Is(err, ErrTruncated)
}

func newRand() *rand.Rand { return rand.New(rand.NewPCG(1, 2)) }

func unitLens(sp split) []int {
	out := make([]int, len(sp.units))
	for i, u := range sp.units {
		out[i] = len(u.Data)
	}
	return out
}
