package main

import (
	"io"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestHeapProfilesFlag(t *testing.T) {
	_, err := parseFlags([]string{"-heap-profiles", t.TempDir()}, io.Discard)
	assert.ErrorContains(t, err, "-sample", "profiles are written at samples")

	dir := filepath.Join(t.TempDir(), "profiles")
	cfg, err := parseFlags([]string{"-sample", "1m", "-heap-profiles", dir}, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, dir, cfg.heapProfiles)

	r := newRunner(cfg, "gridcast", io.Discard)
	r.writeHeapProfile(Sample{Seconds: 125})
	info, err := os.Stat(filepath.Join(dir, "gridcast-heap-00125s.pb.gz"))
	require.NoError(t, err, "named by the second, in a directory it creates")
	assert.Positive(t, info.Size())
}

// TestFoldFreesRecords checks that folding gives back the memory of the
// plays it folds: a long run keeps the records of every viewer that left.
func TestFoldFreesRecords(t *testing.T) {
	const recorders, chunks = 50, 6000 // ten minutes of chunks each
	heap := func() uint64 {
		runtime.GC()
		return takeSample(time.Now(), 0).HeapLive
	}
	now := time.Unix(1000, 0)
	before := heap()
	kept := make([]*recorder, recorders)
	for i := range kept {
		r := newRecorder(now)
		for c := range uint64(chunks) {
			r.arrive(c, time.Second)
			r.play(c, now, now)
		}
		r.fold(chunks-2, 0, dues{}) // the last chunk is not due yet
		kept[i] = r
	}
	perRecorder := float64(int64(heap())-int64(before)) / recorders
	for _, r := range kept {
		v := r.snapshot(now)
		assert.Len(t, v.Plays, 1)
	}
	// The two maps of 6000 entries hold about 400 kB, and so do their
	// maps.Clone copies.
	assert.Less(t, perRecorder, 10e3, "bytes a folded recorder keeps")
}
