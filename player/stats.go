package player

import (
	"time"

	"github.com/gridcast/gridcast/media"
)

// Stats is a snapshot of a Server's counters.
type Stats struct {
	Players       int    // connected now: /stream responses and Subscribe clients
	PlayersServed uint64 // ever connected
	BytesServed   uint64 // written to /stream responses or read from Clients
	// Drops counts chunks players lost by falling a whole queue behind,
	// including those skipped while waiting for the next clean start.
	Drops   uint64
	Format  media.Format // the stream's container; FormatRaw until Started
	Started bool         // the first clean start has arrived
	Ended   bool         // the source has ended
}

// Stats returns the server's counters.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return Stats{
		Players:       len(s.clients),
		PlayersServed: s.served,
		BytesServed:   s.bytesServed.Load(),
		Drops:         s.drops.Load(),
		Format:        s.format,
		Started:       s.started,
		Ended:         s.end != nil,
	}
}

// pageStats is what /stats returns and the page shows.
type pageStats struct {
	Channel string `json:"channel"`
	// Format is "mpegts", "webm", "mp4" or "raw" (media.Format.String);
	// "" before the first clean start.
	Format      string `json:"format"`
	ContentType string `json:"content_type"`
	Ended       bool   `json:"ended"`
	// Relay traffic of the viewer's node, all channels, over the last few
	// seconds; UploadCapKbps is 0 when there is no cap.
	DownloadKbps  float64 `json:"download_kbps"`
	UploadKbps    float64 `json:"upload_kbps"`
	UploadCapKbps float64 `json:"upload_cap_kbps"`
	// BufferSeconds estimates how far the viewer's playout holds chunks
	// ahead of what players got: the chunks it holds (waiting behind a
	// missing one) times the mean publish interval of recent chunks. The
	// playout hands in-order chunks on at once, so it is usually 0, and
	// the real buffer is the player's own (the page shows the browser's).
	BufferSeconds  float64 `json:"buffer_s"`
	ChunksReceived uint64  `json:"chunks_received"`
	ChunksSkipped  uint64  `json:"chunks_skipped"`
	LatencyP50Ms   float64 `json:"latency_p50_ms"`
	LatencyP95Ms   float64 `json:"latency_p95_ms"`
	MeshPeers      int     `json:"mesh_peers"`
	Viewers        *int    `json:"viewers"` // null when unknown
	Players        int     `json:"players"`
	PlayersServed  uint64  `json:"players_served"`
	Drops          uint64  `json:"drops"`
}

func (s *Server) pageStats() pageStats {
	vs := s.src.Stats()
	st := s.Stats()
	now := s.cfg.now()
	s.mu.Lock()
	in, out := s.rates.update(now, vs.BytesIn, vs.BytesOut)
	interval := s.times.interval()
	s.mu.Unlock()
	ps := pageStats{
		Channel:        s.src.Channel().ID(),
		Ended:          st.Ended,
		DownloadKbps:   kbps(in),
		UploadKbps:     kbps(out),
		UploadCapKbps:  kbps(float64(max(vs.UploadCap, 0))),
		BufferSeconds:  float64(vs.Playout.Buffered) * interval.Seconds(),
		ChunksReceived: vs.Received,
		ChunksSkipped:  vs.Skipped,
		LatencyP50Ms:   ms(vs.Latency.P50),
		LatencyP95Ms:   ms(vs.Latency.P95),
		MeshPeers:      vs.MeshPeers,
		Players:        st.Players,
		PlayersServed:  st.PlayersServed,
		Drops:          st.Drops,
	}
	if st.Started {
		ps.Format, ps.ContentType = st.Format.String(), st.Format.ContentType()
	}
	if s.cfg.viewers != nil {
		if n := s.cfg.viewers(); n >= 0 {
			ps.Viewers = &n
		}
	}
	return ps
}

func kbps(bytesPerSecond float64) float64 { return round1(bytesPerSecond * 8 / 1000) }
func ms(d time.Duration) float64          { return round1(float64(d) / float64(time.Millisecond)) }
func round1(x float64) float64            { return float64(int64(x*10+0.5)) / 10 }

const (
	rateWindow    = 5 * time.Second        // rates average over about this long
	rateSampleGap = 500 * time.Millisecond // at most two samples a second
	rateSamples   = 16                     // 8 s of samples at the gap: covers the window
)

type counterSample struct {
	at      time.Time
	in, out uint64
}

// rateMeter turns byte counters read on demand into rates. It is pure and
// not safe for concurrent use.
type rateMeter struct {
	ring    [rateSamples]counterSample
	n, next int
}

// update returns the rates of in and out in bytes/s since the oldest
// sample within rateWindow before now, and keeps (now, in, out) as a sample
// unless the newest is under rateSampleGap old. The rates are 0 until a
// sample is older than now; a counter that went down reads as 0.
func (m *rateMeter) update(now time.Time, in, out uint64) (inRate, outRate float64) {
	for i := range m.n {
		base := m.ring[(m.next-m.n+i+rateSamples)%rateSamples]
		age := now.Sub(base.at)
		if age > rateWindow || age <= 0 {
			continue
		}
		inRate = perSecond(in, base.in, age)
		outRate = perSecond(out, base.out, age)
		break
	}
	if m.n == 0 || now.Sub(m.ring[(m.next-1+rateSamples)%rateSamples].at) >= rateSampleGap {
		m.ring[m.next] = counterSample{at: now, in: in, out: out}
		m.next = (m.next + 1) % rateSamples
		m.n = min(m.n+1, rateSamples)
	}
	return inRate, outRate
}

func perSecond(now, then uint64, d time.Duration) float64 {
	if now < then {
		return 0
	}
	return float64(now-then) / d.Seconds()
}

const intervalSamples = 32 // chunks the mean publish interval spans

// timeRing keeps the publish times of the last intervalSamples chunks.
type timeRing struct {
	t       [intervalSamples]time.Time
	n, next int
}

func (r *timeRing) add(t time.Time) {
	r.t[r.next] = t
	r.next = (r.next + 1) % intervalSamples
	r.n = min(r.n+1, intervalSamples)
}

// interval is the mean time between the recorded chunks' publish times; 0
// with fewer than two, or when a restart made them go back.
func (r *timeRing) interval() time.Duration {
	if r.n < 2 {
		return 0
	}
	oldest := r.t[(r.next-r.n+intervalSamples)%intervalSamples]
	newest := r.t[(r.next-1+intervalSamples)%intervalSamples]
	return max(newest.Sub(oldest)/time.Duration(r.n-1), 0)
}
