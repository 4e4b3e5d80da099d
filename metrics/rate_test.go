package metrics

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

var t0 = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

// traffic feeds a rateMeter from simulated time.
type traffic struct {
	m     *rateMeter
	now   time.Time
	total uint64
}

// run steps time by d, scraping every step while bytes grow at perSecond,
// and returns the last rate.
func (tr *traffic) run(d, step time.Duration, perSecond float64) float64 {
	var rate float64
	for end := tr.now.Add(d); tr.now.Before(end); {
		tr.now = tr.now.Add(step)
		tr.total += uint64(perSecond * step.Seconds())
		rate = tr.m.observe(tr.now, tr.total)
	}
	return rate
}

func TestRateOverWindowWhenScrapedOften(t *testing.T) {
	tr := &traffic{m: newRateMeter(10*time.Second, t0, 0), now: t0}
	assert.InDelta(t, 1000, tr.run(10*time.Second, time.Second, 1000), 1e-9)
	// Five quiet seconds: the window still holds five busy ones.
	assert.InDelta(t, 500, tr.run(5*time.Second, time.Second, 0), 1e-9)
	assert.InDelta(t, 0, tr.run(5*time.Second, time.Second, 0), 1e-9)
}

func TestRateSincePreviousScrapeWhenScrapedRarely(t *testing.T) {
	tr := &traffic{m: newRateMeter(10*time.Second, t0, 0), now: t0}
	assert.InDelta(t, 2000, tr.run(15*time.Second, 15*time.Second, 2000), 1e-9)
	assert.InDelta(t, 300, tr.run(15*time.Second, 15*time.Second, 300), 1e-9)
}

// A scraper polling fast does not shorten the window for a slow one, as a
// since-last-scrape rate would: a burst in the last 100ms is averaged over
// about ten seconds, not reported as a megabyte a second.
func TestRateUnskewedByFastScraper(t *testing.T) {
	tr := &traffic{m: newRateMeter(10*time.Second, t0, 0), now: t0}
	tr.run(20*time.Second, 100*time.Millisecond, 1000)
	rate := tr.run(100*time.Millisecond, 100*time.Millisecond, 1_000_000)
	assert.InDelta(t, 11_000, rate, 1000, "(10 s × 1000 B/s + 100 kB) / about 10 s")
}

func TestRateKeepsFewSamples(t *testing.T) {
	tr := &traffic{m: newRateMeter(10*time.Second, t0, 0), now: t0}
	assert.InDelta(t, 4000, tr.run(time.Minute, time.Millisecond, 4000), 1e-6)
	assert.LessOrEqual(t, len(tr.m.samples), rateResolution+2)
}

func TestRateStartsOverWhenCountGoesBack(t *testing.T) {
	m := newRateMeter(10*time.Second, t0, 5000)
	assert.Equal(t, 0.0, m.observe(t0.Add(time.Second), 100))
	assert.InDelta(t, 100, m.observe(t0.Add(2*time.Second), 200), 1e-9)
}
