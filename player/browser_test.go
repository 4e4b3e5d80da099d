package player

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gridcast/gridcast/broadcast"
	"github.com/gridcast/gridcast/media"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	chromiumPath     = "/usr/bin/chromium"
	chromedriverPath = "/usr/bin/chromedriver"
)

// videoState is what the page's video element reports.
type videoState struct {
	Time       float64 `json:"t"`
	ReadyState int     `json:"ready"`
	Paused     bool    `json:"paused"`
	Error      string  `json:"error"`
	Src        string  `json:"src"`
}

const videoStateScript = `var v = document.getElementById('video');
return {t: v.currentTime, ready: v.readyState, paused: v.paused,
	error: v.error ? (v.error.code + ' ' + v.error.message) : '', src: v.getAttribute('src') || ''};`

// TestBrowserPlaysWebM opens the page in headless Chromium and watches the
// video element play a WebM stream fed in real time, then checks that the
// page shows player commands instead of a video for MPEG-TS.
func TestBrowserPlaysWebM(t *testing.T) {
	requireTools(t, "ffmpeg", "ffprobe", chromiumPath, chromedriverPath)
	t.Parallel()
	// The stream runs in real time from when the server starts, so the
	// browser starts first, and the stream is long enough for a loaded
	// machine to be slow to load the page.
	wd := startWebDriver(t, chromiumPath, chromedriverPath)
	chunks, at := loadChunks(t, makeStream(t, media.FormatWebM, 20*time.Second), media.FormatWebM)
	src := &pacedSource{fakeStats: fakeStats{ch: testChannel(t)}, chunks: chunks, at: at}
	_, base, _ := newTestServer(t, src)
	require.NoError(t, wd.navigate(base+"/"))

	// Sample currentTime until a run of samples, each later than the one
	// before, spans 2.5 s of playback. Playback starts where the stream the
	// page got starts (the cached clean start), not necessarily at 0. A
	// loaded machine can starve the browser into a stall; a stall restarts
	// the run, and is logged.
	var samples []videoState
	start, stalls := -1, 0 // start: first sample of the current run
	opened := time.Now()
	var startup time.Duration
	for deadline := opened.Add(25 * time.Second); time.Now().Before(deadline); {
		var st videoState
		require.NoError(t, wd.execute(videoStateScript, &st))
		samples = append(samples, st)
		n := len(samples)
		switch {
		case n < 2:
		case st.Time <= samples[n-2].Time:
			if start >= 0 {
				stalls++
			}
			start = -1
		case start < 0:
			start = n - 2
			if startup == 0 {
				startup = time.Since(opened)
			}
		}
		if start >= 0 && st.Time-samples[start].Time >= 2.5 && n-start >= 5 {
			break
		}
		time.Sleep(400 * time.Millisecond) // the sampling period
	}
	times := make([]float64, len(samples))
	for i, s := range samples {
		times[i] = s.Time
	}
	t.Logf("currentTime samples, 400 ms apart: %.3f; playing %v after navigating; %d stalls",
		times, startup.Round(100*time.Millisecond), stalls)
	last := samples[len(samples)-1]
	require.GreaterOrEqual(t, start, 0, "the video is not playing: %+v", last)
	assert.Empty(t, last.Error)
	assert.Equal(t, "/stream", last.Src)
	assert.False(t, last.Paused)
	run := samples[start:]
	assert.GreaterOrEqual(t, run[len(run)-1].Time-run[0].Time, 2.5, "seconds of continuous playback observed")
	for i := 1; i < len(run); i++ {
		assert.Greater(t, run[i].Time, run[i-1].Time, "currentTime advances between samples")
	}

	// The stats panel is filled from /stats.
	chunksText := regexp.MustCompile(`^([1-9][0-9]*) / [0-9]+$`)
	var text map[string]string
	require.Eventually(t, func() bool {
		err := wd.execute(`var o = {}; ['stat-chunks', 'stat-download', 'stat-upload', 'stat-cap', 'stat-players', 'stat-latency', 'stat-updated']
			.forEach(function (id) { o[id] = document.getElementById(id).textContent; }); return o;`, &text)
		return err == nil && chunksText.MatchString(text["stat-chunks"])
	}, 10*time.Second, 100*time.Millisecond, "stats panel: %v", text)
	t.Logf("stats panel: %v", text)
	assert.True(t, strings.HasSuffix(text["stat-download"], "kbit/s"))
	assert.Contains(t, text["stat-upload"], "of 2000 kbit/s cap", "upload against the 250 kB/s cap")
	assert.Equal(t, "Its upload is capped at 2000 kbit/s.", text["stat-cap"])
	assert.Equal(t, "1", text["stat-players"])
	assert.Equal(t, "40 / 90 ms", text["stat-latency"])

	// MPEG-TS: no broken player, but the commands with this server's URL.
	tsSrc := newStepSource(t)
	_, tsBase, _ := newTestServer(t, tsSrc)
	tsSrc.push(broadcast.Played{Chunk: broadcast.Chunk{
		Time: time.Now(), Flags: broadcast.FlagCleanStart | broadcast.FlagHeader, Format: media.FormatMPEGTS,
		Header: []byte{0x47}, Payload: []byte{0x47},
	}})
	require.NoError(t, wd.navigate(tsBase+"/"))
	var page struct {
		External bool   `json:"external"`
		Video    bool   `json:"video"`
		Src      string `json:"src"`
		VLC      string `json:"vlc"`
		Why      string `json:"why"`
	}
	require.Eventually(t, func() bool {
		err := wd.execute(`var $ = function (id) { return document.getElementById(id); };
			return {external: !$('external').hidden, video: !$('video').hidden, src: $('video').getAttribute('src') || '',
				vlc: $('cmd-vlc').textContent, why: $('why').textContent};`, &page)
		return err == nil && page.External
	}, 10*time.Second, 50*time.Millisecond, "MPEG-TS page: %+v", page)
	assert.False(t, page.Video)
	assert.Empty(t, page.Src)
	assert.Equal(t, "vlc "+tsBase+"/stream.ts", page.VLC)
	assert.Contains(t, page.Why, "can't play MPEG-TS")
}
