package examples_test

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

// needTools skips the test when a media tool is missing, unless
// GRIDCAST_REQUIRE_MEDIA=1 (as in CI), where a missing tool fails it.
func needTools(t *testing.T, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("GRIDCAST_REQUIRE_MEDIA") == "1" {
				t.Fatalf("%s is required (GRIDCAST_REQUIRE_MEDIA=1): %v", tool, err)
			}
			t.Skipf("%s not installed (apt-get install ffmpeg): %v", tool, err)
		}
	}
}

type frame struct {
	key bool
	pts float64
}

// probe is what ffprobe decoded of a file's first video stream.
type probe struct {
	frames []frame
	stderr string // ffprobe's error messages
}

// probeFile decodes every video frame of path with ffprobe. ffprobe
// failing outright (exit status) fails the test.
func probeFile(t *testing.T, path string) probe {
	t.Helper()
	cmd := exec.Command("ffprobe", "-v", "error", "-select_streams", "v:0",
		"-show_entries", "frame=key_frame,pts_time,best_effort_timestamp_time", "-of", "json", path)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	require.NoError(t, cmd.Run(), "ffprobe %s: %s", path, &stderr)
	var out struct {
		Frames []struct {
			KeyFrame int    `json:"key_frame"`
			PTS      string `json:"pts_time"`
			BestPTS  string `json:"best_effort_timestamp_time"`
		} `json:"frames"`
	}
	require.NoError(t, json.Unmarshal(stdout.Bytes(), &out), "ffprobe output")
	p := probe{stderr: stderr.String()}
	for _, f := range out.Frames {
		ts := f.PTS
		if ts == "" {
			ts = f.BestPTS
		}
		pts, _ := strconv.ParseFloat(ts, 64)
		p.frames = append(p.frames, frame{key: f.KeyFrame == 1, pts: pts})
	}
	return p
}

// framesFrom counts the frames of p at or after pts.
func (p probe) framesFrom(pts float64) int {
	n := 0
	for _, f := range p.frames {
		if f.pts >= pts-0.001 {
			n++
		}
	}
	return n
}

// checkDecodes asserts that got, a viewer's copy of source, starts with a
// keyframe and decodes at least 95% of the source's frames from its start
// on; it returns got's frame count and the count expected.
func checkDecodes(t *testing.T, who string, source, got probe, log string) (decoded, expected int) {
	t.Helper()
	require.NotEmpty(t, got.frames, "%s decoded no frame; ffprobe: %s", who, got.stderr)
	require.True(t, got.frames[0].key, "%s: the first frame decoded is not a keyframe", who)
	expected = source.framesFrom(got.frames[0].pts)
	decoded = len(got.frames)
	require.GreaterOrEqual(t, float64(decoded), 0.95*float64(expected),
		"%s decoded %d of the %d frames from its start at %.2fs; ffprobe: %s\n%s", who, decoded, expected, got.frames[0].pts, got.stderr, log)
	return decoded, expected
}
