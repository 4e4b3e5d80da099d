package metrics

import "time"

// rateResolution is how many samples per window a rateMeter keeps at most:
// a scraper polling every millisecond must not grow it without bound.
const rateResolution = 16

// rateMeter turns a cumulative byte count into a rate. Collectors start no
// goroutines, so it is fed only when scraped; it measures from the newest
// sample at least window old, or from the oldest it has. Scraped more often
// than the window, it reports the rate over about the window; scraped less
// often, the rate since the previous scrape. Several scrapers do not skew
// each other, unlike a plain since-last-scrape rate.
//
// It is a pure function of what it is fed. Not safe for concurrent use.
type rateMeter struct {
	window  time.Duration
	samples []rateSample // oldest first
}

type rateSample struct {
	at    time.Time
	total uint64
}

func newRateMeter(window time.Duration, now time.Time, total uint64) *rateMeter {
	return &rateMeter{window: window, samples: []rateSample{{now, total}}}
}

// observe records total at now and returns the rate in units per second.
func (m *rateMeter) observe(now time.Time, total uint64) float64 {
	if n := len(m.samples); n > 0 && (total < m.samples[n-1].total || now.Before(m.samples[n-1].at)) {
		m.samples = m.samples[:0] // the count or the clock went back: start over
	}
	base := 0
	for i := len(m.samples) - 1; i >= 0; i-- {
		if now.Sub(m.samples[i].at) >= m.window {
			base = i
			break
		}
	}
	var rate float64
	if base < len(m.samples) {
		b := m.samples[base]
		if dt := now.Sub(b.at); dt > 0 {
			rate = float64(total-b.total) / dt.Seconds()
		}
		// Older samples are older still at every later scrape: never a base again.
		m.samples = append(m.samples[:0], m.samples[base:]...)
	}
	if n := len(m.samples); n == 0 || now.Sub(m.samples[n-1].at) >= m.window/rateResolution {
		m.samples = append(m.samples, rateSample{now, total})
	}
	return rate
}
