package main

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"time"
)

// A long run (-sample) samples the process every period and folds what it
// has recorded into counters, so that its own records stay bounded and a
// growing heap means a leak in what runs, not in the harness.

// Sample is the process at one moment of a run.
type Sample struct {
	Seconds    float64 `json:"t_s"`
	HeapLive   uint64  `json:"heap_live_bytes"`
	Goroutines int     `json:"goroutines"`
	Viewers    int     `json:"viewers"`
}

// takeSample reads the live heap (as of the last GC, so what is retained
// rather than garbage not yet collected) and the goroutine count.
func takeSample(since time.Time, viewers int) Sample {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	return Sample{
		Seconds:    time.Since(since).Seconds(),
		HeapLive:   s[0].Value.Uint64(),
		Goroutines: runtime.NumGoroutine(),
		Viewers:    viewers,
	}
}

func (s Sample) String() string {
	return fmt.Sprintf("sample %6.0fs  heap_live %6.1f MB  goroutines %6d  viewers %4d",
		s.Seconds, float64(s.HeapLive)/1e6, s.Goroutines, s.Viewers)
}

// durationHistogram counts durations in logarithmic buckets 1% wide, from
// 1 µs to about 20 minutes: quantiles read from it are within 1%.
type durationHistogram struct {
	counts [2100]uint64
	n      uint64
}

const histogramGrowth = 1.01

func (h *durationHistogram) add(ds ...time.Duration) {
	for _, d := range ds {
		i := 0
		if us := float64(d) / float64(time.Microsecond); us > 1 {
			i = min(int(math.Log(us)/math.Log(histogramGrowth)), len(h.counts)-1)
		}
		h.counts[i]++
		h.n++
	}
}

// quantile returns the nearest-rank q-quantile, as its bucket's midpoint.
func (h *durationHistogram) quantile(q float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	rank := uint64(math.Ceil(q * float64(h.n)))
	var seen uint64
	for i, c := range h.counts {
		if seen += c; seen >= max(rank, 1) {
			return time.Duration(math.Pow(histogramGrowth, float64(i)+0.5) * float64(time.Microsecond))
		}
	}
	return 0
}

// quantiles returns the p50, p95 and p99 in milliseconds.
func (h *durationHistogram) quantiles() Quantiles {
	return Quantiles{P50: ms(h.quantile(0.5)), P95: ms(h.quantile(0.95)), P99: ms(h.quantile(0.99))}
}

// fold moves every chunk whose deadline fell before cutoff out of the
// records: its plays out of the viewers' maps into their counts, and all
// latencies so far into r.folded.
func (r *runner) fold(cutoff time.Time) {
	r.mu.Lock()
	n := 0
	for n < len(r.pubs) && !r.pubs[n].At.Add(r.w.Deadline).After(cutoff) {
		n++
	}
	if n == 0 {
		r.mu.Unlock()
		return
	}
	folded := append([]published(nil), r.pubs[:n]...)
	r.pubs = append(r.pubs[:0:0], r.pubs[n:]...)
	all := append(append([]member(nil), r.gone...), r.members...)
	if r.folded == nil {
		r.folded = new(durationHistogram)
	}
	r.mu.Unlock()

	last := folded[len(folded)-1].Index
	var lat []time.Duration
	for _, m := range all {
		v := m.recorder().snapshot(cutoff)
		d := viewerDues(folded, v, r.w.Deadline, cutoff)
		pending := 0
		if v.FirstPlay.IsZero() {
			pending, d = d.due-v.PendingDue, dues{} // due only if it never starts
		}
		lat = append(lat, m.recorder().fold(last, pending, d)...)
	}
	r.mu.Lock()
	r.folded.add(lat...)
	r.mu.Unlock()
	if r.hops != nil {
		r.hops.fold(last)
	}
}

// writeHeapProfile writes the heap profile of sample s to r.heapProfiles,
// named by the second of the run, so two minutes can be compared with
// go tool pprof -diff_base. A failure is reported on the progress stream
// and does not stop the run: the profile is a diagnostic, the run is not.
func (r *runner) writeHeapProfile(s Sample) {
	if r.heapProfiles == "" {
		return
	}
	name := filepath.Join(r.heapProfiles, fmt.Sprintf("%s-heap-%05.0fs.pb.gz", r.mode, s.Seconds))
	err := os.MkdirAll(r.heapProfiles, 0o755)
	if err == nil {
		err = writeProfile(name)
	}
	if err != nil {
		fmt.Fprintf(r.progress, "%-18s heap profile: %v\n", r.mode, err)
	}
}

func writeProfile(name string) error {
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", name, err)
	}
	return f.Close()
}
