package main

import (
	"io"
	"testing"
	"time"

	"github.com/gridcast/gridcast/relay"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var t0 = time.Unix(1000, 0)

func at(s float64) time.Time { return t0.Add(time.Duration(s * float64(time.Second))) }

// pubsEvery publishes n chunks, one per second from t0.
func pubsEvery(n int) []published {
	pubs := make([]published, n)
	for i := range pubs {
		pubs[i] = published{Index: uint64(i), At: at(float64(i))}
	}
	return pubs
}

func TestContinuity(t *testing.T) {
	pubs := pubsEvery(10) // chunks at 0..9 s
	deadline := 2 * time.Second
	end := at(10) // chunks 0..8 are due by the end (8 + 2 = 10)

	perfect := viewerResult{Joined: at(0), Left: at(100), FirstPlay: at(0.1), FirstPublish: at(0), Plays: map[uint64]time.Time{}}
	for i := range 10 {
		perfect.Plays[uint64(i)] = at(float64(i) + 0.1)
	}
	onTime, due := continuity(pubs, []viewerResult{perfect}, deadline, end)
	assert.Equal(t, 9, due)
	assert.Equal(t, 9, onTime)

	// Chunk 3 played late (2.5 s after publishing), chunk 5 never.
	flawed := viewerResult{Joined: at(0), Left: at(100), FirstPlay: at(0.1), FirstPublish: at(0), Plays: map[uint64]time.Time{}}
	for i := range 10 {
		flawed.Plays[uint64(i)] = at(float64(i) + 0.1)
	}
	flawed.Plays[3] = at(5.5)
	delete(flawed.Plays, 5)
	onTime, due = continuity(pubs, []viewerResult{flawed}, deadline, end)
	assert.Equal(t, 9, due)
	assert.Equal(t, 7, onTime)

	// A late joiner is due from its first played chunk (4) until it left
	// at 8 s: chunks 4, 5 and 6 (6 + 2 = 8).
	late := viewerResult{Joined: at(3.5), Left: at(8), FirstPlay: at(4.2), FirstPublish: at(4), Plays: map[uint64]time.Time{
		4: at(4.2), 5: at(5.2), 6: at(6.2), 7: at(7.2),
	}}
	onTime, due = continuity(pubs, []viewerResult{late}, deadline, end)
	assert.Equal(t, 3, due)
	assert.Equal(t, 3, onTime)

	// A viewer that never played owes everything since it joined.
	never := viewerResult{Joined: at(5.5), Left: at(100)}
	onTime, due = continuity(pubs, []viewerResult{never}, deadline, end)
	assert.Equal(t, 3, due) // chunks 6, 7, 8
	assert.Zero(t, onTime)

	onTime, due = continuity(pubs, []viewerResult{perfect, flawed, late, never}, deadline, end)
	assert.Equal(t, 9+9+3+3, due)
	assert.Equal(t, 9+7+3, onTime)

	// Chunks folded away while a viewer had not started are due only if
	// it never starts.
	never.PendingDue = 4
	onTime, due = continuity(pubs, []viewerResult{never}, deadline, end)
	assert.Equal(t, 3+4, due)
	assert.Zero(t, onTime)
}

func TestMisses(t *testing.T) {
	pubs := pubsEvery(10)
	deadline := 2 * time.Second
	end := at(10) // chunks 0..8 are due

	played := func(late, lost []uint64) viewerResult {
		v := viewerResult{Joined: at(0), Left: at(100), FirstPlay: at(0.1), FirstPublish: at(0), Plays: map[uint64]time.Time{}}
		for i := range 10 {
			v.Plays[uint64(i)] = at(float64(i) + 0.1)
		}
		for _, i := range late {
			v.Plays[i] = at(float64(i) + 2.5)
		}
		for _, i := range lost {
			delete(v.Plays, i)
		}
		return v
	}
	var viewers []viewerResult
	for range 18 {
		viewers = append(viewers, played(nil, nil))
	}
	viewers = append(viewers, played([]uint64{3}, []uint64{5}))
	// The worst viewer also missed 6 chunks that were folded away.
	worst := played(nil, []uint64{1, 2})
	worst.Folded = dues{due: 10, onTime: 4, late: 1}
	viewers = append(viewers, worst)

	m := misses(pubs, viewers, deadline, end)
	require.NotNil(t, m)
	due := 20*9 + 10
	assert.InDelta(t, float64(1+1)/float64(due), m.Late, 1e-9)
	assert.InDelta(t, float64(1+2+5)/float64(due), m.Lost, 1e-9)
	assert.InDelta(t, 2.0/20, m.ViewersMissing, 1e-9)
	// The worst tenth is two viewers: every miss.
	assert.InDelta(t, 1.0, m.WorstTenth, 1e-9)

	assert.Nil(t, misses(pubs, nil, deadline, end))
}

func TestDurationHistogramQuantiles(t *testing.T) {
	var h durationHistogram
	var exact []time.Duration
	for i := 1; i <= 1000; i++ {
		d := time.Duration(i) * time.Millisecond
		h.add(d)
		exact = append(exact, d)
	}
	for _, q := range []float64{0.5, 0.95, 0.99} {
		want := quantiles(exact, q)[0]
		got := h.quantile(q)
		assert.InEpsilon(t, float64(want), float64(got), 0.01, "q%v", q)
	}
	assert.Zero(t, new(durationHistogram).quantile(0.5))
}

func TestStartup(t *testing.T) {
	streamStart := at(10)
	viewers := []viewerResult{
		{Joined: at(0), FirstPlay: at(10.5)},  // joined before the stream: 0.5 s from its start
		{Joined: at(20), FirstPlay: at(21.5)}, // joined during: 1.5 s
		{Joined: at(30)},                      // never played: not counted
	}
	assert.Equal(t, []time.Duration{500 * time.Millisecond, 1500 * time.Millisecond}, startup(viewers, streamStart))
}

func TestDuplicatesPerChunk(t *testing.T) {
	assert.Zero(t, duplicatesPerChunk(nil))
	viewers := []viewerResult{{Delivered: 100, Duplicates: 50}, {Delivered: 100, Duplicates: 250}}
	assert.InDelta(t, 1.5, duplicatesPerChunk(viewers), 1e-9)
}

func TestDuplicateCauses(t *testing.T) {
	assert.Nil(t, duplicateCauses([]viewerResult{{Delivered: 100}}), "no router counts (client-server)")
	viewers := []viewerResult{
		{Delivered: 100, Causes: relay.DuplicateCauses{Pulled: 10, Crossed: 30, Late: 5, Other: 5}},
		{Delivered: 300, Causes: relay.DuplicateCauses{Pulled: 30, Crossed: 10, Late: 15}},
	}
	assert.Equal(t, &DuplicateCauses{Pulled: 0.1, Crossed: 0.1, Late: 0.05, Other: 0.0125}, duplicateCauses(viewers))
}

func TestDownloadMultiples(t *testing.T) {
	const bitrate = 1000
	viewers := []viewerResult{
		{Joined: at(0), Left: at(20), BytesIn: 2 * 10 * bitrate}, // 2× over the 10 s since the stream started
		{Joined: at(15), Left: at(20), BytesIn: 5 * bitrate},     // 1× over 5 s
		{Joined: at(19), Left: at(20), BytesIn: 100 * bitrate},   // present under the minimum: ignored
	}
	got := downloadMultiples(viewers, bitrate, at(10), 2*time.Second)
	assert.InDeltaSlice(t, []float64{2, 1}, got, 1e-9)
}

func TestDownloadParts(t *testing.T) {
	const bitrate = 1000
	assert.Nil(t, downloadParts([]viewerResult{{Joined: at(0), Left: at(20), BytesIn: 5000}}, bitrate, at(10), 2*time.Second),
		"no router counts (client-server)")

	// 10 s present: 10,000 bytes is 1×.
	full := relay.ReceivedBytes{
		Total: 16_000, FirstPayload: 10_000, FirstHeaders: 500, Duplicates: 3000,
		IHave: 1000, IDontWant: 800, IWant: 200, // Other: 500
	}
	viewers := []viewerResult{
		{Joined: at(0), Left: at(20), BytesIn: 16_100, Received: full},
		{Joined: at(15), Left: at(20), BytesIn: 5000, Received: relay.ReceivedBytes{Total: 5000, FirstPayload: 5000}},
		{Joined: at(19), Left: at(20), BytesIn: 1e6, Received: relay.ReceivedBytes{Total: 1e6, Duplicates: 1e6}}, // ignored
	}
	got := downloadParts(viewers, bitrate, at(10), 2*time.Second)
	require.NotNil(t, got)
	assert.InDelta(t, (1+1)/2.0, got.ChunkData, 1e-9)
	assert.InDelta(t, 0.05/2, got.ChunkHeaders, 1e-9)
	assert.InDelta(t, 0.3/2, got.Duplicates, 1e-9)
	assert.InDelta(t, 0.1/2, got.IHave, 1e-9)
	assert.InDelta(t, 0.08/2, got.IDontWant, 1e-9)
	assert.InDelta(t, 0.02/2, got.IWant, 1e-9)
	assert.InDelta(t, 0.05/2, got.Other, 1e-9)
	assert.InDelta(t, 0.01/2, got.Outside, 1e-9)
	sum := got.ChunkData + got.ChunkHeaders + got.Duplicates + got.IHave + got.IDontWant + got.IWant + got.Other + got.Outside
	assert.InDelta(t, mean(downloadMultiples(viewers, bitrate, at(10), 2*time.Second)), sum, 1e-9, "the parts add up to the mean")
}

func TestQuantiles(t *testing.T) {
	xs := []float64{5, 1, 4, 2, 3, 6, 7, 8, 9, 10}
	assert.Equal(t, []float64{5, 10, 10}, quantiles(xs, 0.5, 0.95, 0.99))
	assert.Equal(t, []time.Duration{0}, quantiles([]time.Duration{}, 0.5))
	assert.InDelta(t, 5.5, mean(xs), 1e-9)
}

func TestParseWorkloadFlags(t *testing.T) {
	cfg, err := parseFlags([]string{"-starved", "5"}, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, 5, cfg.starved)
	_, err = parseFlags([]string{"-starved", "-1"}, io.Discard)
	assert.ErrorContains(t, err, "-starved")

	classes, err := parseUplinks("adsl=30%:1x,cable=60%:3x,fibre=10%:10x")
	assert.NoError(t, err)
	assert.Equal(t, seedUplinks, classes)
	_, err = parseUplinks("adsl=30%")
	assert.Error(t, err)

	lo, hi, err := parseLatency("20ms-80ms")
	assert.NoError(t, err)
	assert.Equal(t, []time.Duration{20 * time.Millisecond, 80 * time.Millisecond}, []time.Duration{lo, hi})

	every, err := parseChunk("8KiB", 8192)
	assert.NoError(t, err)
	assert.Equal(t, time.Second, every)
	every, err = parseChunk("250ms", 8192)
	assert.NoError(t, err)
	assert.Equal(t, 250*time.Millisecond, every)

	w, err := Preset("seed")
	assert.NoError(t, err)
	assert.NoError(t, w.Validate())
	w.Uplinks = []UplinkClass{{Name: "x", Share: 0.5, Multiple: 1}}
	assert.ErrorContains(t, w.Validate(), "100%")
}
