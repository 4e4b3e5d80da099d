package player

import (
	"bytes"
	"cmp"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/gridcast/gridcast/broadcast"
	"github.com/gridcast/gridcast/media"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// requireTools skips the test when a tool is missing, unless
// GRIDCAST_REQUIRE_MEDIA=1 says the machine must have them.
func requireTools(t *testing.T, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("GRIDCAST_REQUIRE_MEDIA") == "1" {
				t.Fatalf("%s is required (GRIDCAST_REQUIRE_MEDIA=1): %v", tool, err)
			}
			t.Skipf("needs %s: %v", tool, err)
		}
	}
}

// encodings are the ffmpeg arguments for a test stream in each container.
var encodings = map[media.Format][]string{
	media.FormatWebM: {"-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "8", "-g", "25", "-b:v", "400k",
		"-c:a", "libopus", "-f", "webm"},
	media.FormatMPEGTS: {"-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-g", "25", "-b:v", "400k",
		"-c:a", "aac", "-f", "mpegts"},
	media.FormatMP4: {"-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-g", "25", "-b:v", "400k",
		"-c:a", "aac", "-movflags", "frag_keyframe+empty_moov+default_base_moof", "-f", "mp4"},
}

// makeStream encodes a test pattern with a tone, one keyframe a second.
func makeStream(t *testing.T, f media.Format, d time.Duration) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "in."+f.String())
	args := []string{"-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25",
		"-f", "lavfi", "-i", "sine=frequency=440", "-t", strconv.FormatFloat(d.Seconds(), 'f', 1, 64)}
	args = append(append(args, encodings[f]...), path)
	out, err := exec.Command("ffmpeg", args...).CombinedOutput()
	require.NoError(t, err, "ffmpeg: %s", out)
	return path
}

type probedPacket struct {
	Pos     int64
	PTSTime float64
}

// packetTimes returns the stream's packets by byte position, with their
// presentation times, to pace chunks like a live broadcaster would.
func packetTimes(t *testing.T, path string) []probedPacket {
	t.Helper()
	out, err := exec.Command("ffprobe", "-v", "error", "-show_entries", "packet=pos,pts_time", "-of", "json", path).Output()
	require.NoError(t, err)
	var probe struct {
		Packets []struct {
			Pos     string `json:"pos"`
			PTSTime string `json:"pts_time"`
		} `json:"packets"`
	}
	require.NoError(t, json.Unmarshal(out, &probe))
	var ps []probedPacket
	for _, p := range probe.Packets {
		pos, err1 := strconv.ParseInt(p.Pos, 10, 64)
		pts, err2 := strconv.ParseFloat(p.PTSTime, 64)
		if err1 == nil && err2 == nil {
			ps = append(ps, probedPacket{pos, pts})
		}
	}
	require.NotEmpty(t, ps)
	// Streams begin at their muxer's offset (1.4 s for MPEG-TS); pace
	// from the first packet.
	t0 := slices.MinFunc(ps, func(a, b probedPacket) int { return cmp.Compare(a.PTSTime, b.PTSTime) }).PTSTime
	for i := range ps {
		ps[i].PTSTime -= t0
	}
	slices.SortFunc(ps, func(a, b probedPacket) int { return cmp.Compare(a.Pos, b.Pos) })
	return ps
}

// loadChunks cuts the file into chunks as a Broadcaster would: units from
// media.Splitter, at most 16 KiB a chunk, the header on clean starts. at
// is when each chunk is due: the time of the first packet in it.
func loadChunks(t *testing.T, path string, f media.Format) (chunks []broadcast.Played, at []time.Duration) {
	t.Helper()
	packets := packetTimes(t, path)
	file, err := os.Open(path)
	require.NoError(t, err)
	defer file.Close()
	sp, err := media.NewSplitter(file, f)
	require.NoError(t, err)
	t0 := time.Unix(1_700_000_000, 0)
	var last time.Duration
	for {
		u, err := sp.Next()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		for off := 0; off < len(u.Data); off += broadcast.DefaultChunkSize {
			i, _ := slices.BinarySearchFunc(packets, u.Offset+int64(off), func(p probedPacket, pos int64) int { return cmp.Compare(p.Pos, pos) })
			due := last
			if i < len(packets) {
				due = max(last, time.Duration(packets[i].PTSTime*float64(time.Second)))
			}
			last = due
			p := broadcast.Played{Chunk: broadcast.Chunk{
				Seq:     uint64(len(chunks)),
				Time:    t0.Add(due),
				Payload: bytes.Clone(u.Data[off:min(off+broadcast.DefaultChunkSize, len(u.Data))]),
			}}
			if u.Clean && off == 0 {
				p.Flags = broadcast.FlagCleanStart | broadcast.FlagHeader
				p.Format, p.Header = f, sp.Header()
			}
			chunks = append(chunks, p)
			at = append(at, due)
		}
	}
	return chunks, at
}

type probedFrame struct {
	MediaType string `json:"media_type"`
	KeyFrame  int    `json:"key_frame"`
	PTSTime   string `json:"pts_time"`
}

// probeFrames decodes every frame of the file and returns them with what
// the decoders reported.
func probeFrames(t *testing.T, path string) (frames []probedFrame, errs string) {
	t.Helper()
	cmd := exec.Command("ffprobe", "-v", "error", "-show_entries", "frame=media_type,key_frame,pts_time", "-of", "json", path)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, "ffprobe: %s", stderr.String())
	var probe struct {
		Frames []probedFrame `json:"frames"`
	}
	require.NoError(t, json.Unmarshal(out, &probe))
	return probe.Frames, stderr.String()
}

func TestRealMediaPlaysFromEveryJoin(t *testing.T) {
	requireTools(t, "ffmpeg", "ffprobe")
	for _, f := range []media.Format{media.FormatWebM, media.FormatMPEGTS, media.FormatMP4} {
		t.Run(f.String(), func(t *testing.T) {
			t.Parallel()
			const length = 5 * time.Second
			chunks, at := loadChunks(t, makeStream(t, f, length), f)
			src := &pacedSource{fakeStats: fakeStats{ch: testChannel(t)}, chunks: chunks, at: at}
			s, base, hc := newTestServer(t, src)

			// One player from the start, one joining 2 s in.
			files := make([]string, 2)
			done := make(chan error, 2)
			for i, delay := range []time.Duration{0, 2 * time.Second} {
				files[i] = filepath.Join(t.TempDir(), "out"+strconv.Itoa(i))
				go func() {
					time.Sleep(delay) // a player that joins late, not synchronisation
					resp, err := hc.Get(base + "/stream")
					if err != nil {
						done <- err
						return
					}
					defer resp.Body.Close()
					if resp.Header.Get("Content-Type") != f.ContentType() {
						done <- io.ErrUnexpectedEOF
						return
					}
					out, err := os.Create(files[i])
					if err != nil {
						done <- err
						return
					}
					defer out.Close()
					_, err = io.Copy(out, resp.Body)
					done <- err
				}()
			}
			for range files {
				require.NoError(t, <-done)
			}
			assert.Equal(t, 2, int(s.Stats().PlayersServed))

			var firstPTS [2]float64
			for i, file := range files {
				frames, errs := probeFrames(t, file)
				assert.Empty(t, errs, "player %d: decoder errors", i)
				var video []probedFrame
				for _, fr := range frames {
					if fr.MediaType == "video" {
						video = append(video, fr)
					}
				}
				require.NotEmpty(t, video, "player %d decoded no video", i)
				assert.Equal(t, 1, video[0].KeyFrame, "player %d: the first frame is a keyframe", i)
				first, _ := strconv.ParseFloat(video[0].PTSTime, 64)
				firstPTS[i] = first
				t.Logf("%s player %d: %d video frames, %d frames in all, first video pts %.3f s",
					f, i, len(video), len(frames), first)
				if i == 0 {
					assert.GreaterOrEqual(t, len(video), int(length.Seconds()*25)-5, "the whole stream")
				} else {
					assert.GreaterOrEqual(t, len(video), 2*25, "the late player gets the rest")
					assert.Greater(t, first, firstPTS[0]+0.5, "the late player starts mid-stream")
				}
			}
		})
	}
}
