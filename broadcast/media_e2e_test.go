package broadcast_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/gridcast/gridcast/broadcast"
	"github.com/gridcast/gridcast/media"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// readChunks returns the viewer's chunks in playout order up to the end of
// the stream.
func readChunks(t *testing.T, v *broadcast.Viewer) []broadcast.Played {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	var got []broadcast.Played
	for {
		p, err := v.ReadChunk(ctx)
		if errors.Is(err, io.EOF) {
			return got
		}
		require.NoError(t, err)
		got = append(got, p)
	}
}

// TestWriteUnitCutsAtCleanPoints publishes container units by hand and
// checks where chunks begin, which carry the header, and that MPEG-TS
// chunks hold whole packets.
func TestWriteUnitCutsAtCleanPoints(t *testing.T) {
	_, b, _, v := pair(t, "units", broadcast.WithChunkSize(1000))
	ctx := t.Context()
	header := []byte("PAT+PMT")
	require.NoError(t, b.SetMedia(media.FormatMPEGTS, header))
	packets := func(n int, fill byte) []byte { return bytes.Repeat([]byte{fill}, n*188) }

	var sent []byte
	write := func(data []byte, clean bool) {
		require.NoError(t, b.WriteUnit(ctx, data, clean))
		sent = append(sent, data...)
	}
	write(packets(2, 'a'), false) // before the first keyframe
	write(packets(3, 'K'), true)
	write(packets(12, 'b'), false) // longer than a chunk: cut on packets
	write(packets(1, 'K'), true)
	require.NoError(t, b.Close())

	got := readChunks(t, v)
	var joined []byte
	var cleanAt []int
	for _, p := range got {
		assert.Zero(t, len(p.Payload)%188, "chunk %d holds whole packets", p.Seq)
		assert.LessOrEqual(t, len(p.Payload), 1000)
		if p.Flags&broadcast.FlagCleanStart != 0 {
			cleanAt = append(cleanAt, len(joined))
			require.NotZero(t, p.Flags&broadcast.FlagHeader, "a clean start carries the header")
			assert.Equal(t, header, p.Header)
			assert.Equal(t, media.FormatMPEGTS, p.Format)
			assert.Equal(t, byte('K'), p.Payload[0])
		} else {
			assert.Zero(t, p.Flags&broadcast.FlagHeader)
		}
		joined = append(joined, p.Payload...)
	}
	assert.Equal(t, sent, joined, "the chunks carry the units unchanged, in order")
	assert.Equal(t, []int{2 * 188, 17 * 188}, cleanAt, "clean starts exactly at the clean units")
	assert.NotZero(t, got[0].Flags&broadcast.FlagStreamStart)
	assert.Zero(t, got[0].Flags&broadcast.FlagCleanStart, "the run starts before the first keyframe")
}

// TestReadStartsWithHeader shows Read's player view of a WebM
// stream: the header, then the stream from the first clean start.
func TestReadStartsWithHeader(t *testing.T) {
	_, b, _, v := pair(t, "webm", broadcast.WithChunkSize(1000))
	ctx := t.Context()
	require.NoError(t, b.SetMedia(media.FormatWebM, []byte("[EBML]")))
	require.NoError(t, b.WriteUnit(ctx, []byte("tail of a cluster"), false))
	require.NoError(t, b.WriteUnit(ctx, []byte("<cluster 1>"), true))
	require.NoError(t, b.WriteUnit(ctx, []byte("<cluster 2>"), true))
	require.NoError(t, b.Close())

	out, err := io.ReadAll(v)
	require.NoError(t, err)
	assert.Equal(t, "[EBML]<cluster 1><cluster 2>", string(out), "one header, then clean starts only")
}

func TestSetMediaRejects(t *testing.T) {
	_, b, _, _ := pair(t, "reject", broadcast.WithChunkSize(1000), broadcast.WithMaxPayload(2000))
	require.ErrorIs(t, b.SetMedia(media.Format(9), nil), broadcast.ErrMalformed)
	require.ErrorIs(t, b.SetMedia(media.FormatMP4, make([]byte, 1001)), broadcast.ErrOversized)
	require.NoError(t, b.SetMedia(media.FormatMP4, make([]byte, 1000)))
}
