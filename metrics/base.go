package metrics

import (
	"sync"
	"time"

	"github.com/gridcast/gridcast/broadcast"
	"github.com/prometheus/client_golang/prometheus"
)

// base holds what the viewer and broadcaster collectors share: the option
// error, the optional viewer estimate and the upload rate.
type base struct {
	err      error
	invalid  *prometheus.Desc // reports err; nil when the options were good
	labels   prometheus.Labels
	viewers  *prometheus.Desc // nil without WithViewerEstimate
	estimate func() int
	window   time.Duration
	now      func() time.Time

	rate *prometheus.Desc
	mu   sync.Mutex // guards meter
	// meter is nil until startRate; a broadcaster collector without a
	// node has no upload to measure.
	meter *rateMeter
}

func newBase(ch broadcast.Channel, opts []Option) *base {
	cfg, err := buildConfig(opts)
	b := &base{err: err, now: cfg.now, window: cfg.window, estimate: cfg.viewers}
	if err != nil {
		b.invalid = prometheus.NewInvalidDesc(err)
		return b
	}
	b.labels = constLabels(ch, cfg.labels)
	if cfg.viewers != nil {
		b.viewers = prometheus.NewDesc(famViewers.name, famViewers.help, nil, b.labels)
	}
	return b
}

// startRate begins measuring the upload from sent, the node's byte count now.
func (b *base) startRate(sent uint64) {
	b.rate = prometheus.NewDesc(famUploadRate.name, famUploadRate.help, nil, b.labels)
	b.meter = newRateMeter(b.window, b.now(), sent)
}

// describe sends the shared descriptors, or the invalid one alone.
func (b *base) describe(ch chan<- *prometheus.Desc) {
	if b.invalid != nil {
		ch <- b.invalid
		return
	}
	if b.viewers != nil {
		ch <- b.viewers
	}
	if b.rate != nil {
		ch <- b.rate
	}
}

// collect sends the shared metrics; sent is the node's byte count now.
func (b *base) collect(ch chan<- prometheus.Metric, sent uint64) {
	if b.viewers != nil {
		ch <- constMetric(b.viewers, famViewers.typ, float64(b.estimate()))
	}
	if b.meter != nil {
		b.mu.Lock()
		rate := b.meter.observe(b.now(), sent)
		b.mu.Unlock()
		ch <- constMetric(b.rate, famUploadRate.typ, rate)
	}
}
