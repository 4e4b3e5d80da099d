package main

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"
)

// Report is what a run produces: the workload and one entry per mode.
type Report struct {
	Workload Workload     `json:"workload"`
	Modes    []ModeReport `json:"modes"`
	// Ratios are gridcast ÷ gossipsub-default for each numeric column,
	// when both ran.
	Ratios map[string]float64 `json:"ratios_gridcast_over_default,omitempty"`
}

// ModeReport is one mode's measurements. The JSON names are the report's
// schema (README, "The swarm").
type ModeReport struct {
	Mode               string  `json:"mode"`
	Continuity         float64 `json:"continuity"`
	SourceUploadX      float64 `json:"source_upload_x"`
	DownloadXMean      float64 `json:"download_x_mean"`
	DownloadXP95       float64 `json:"download_x_p95"`
	DuplicatesPerChunk float64 `json:"duplicates_per_chunk"`
	// DuplicateCauses splits DuplicatesPerChunk by cause.
	DuplicateCauses *DuplicateCauses `json:"duplicate_causes,omitempty"`
	// Misses splits the chunks not played on time.
	Misses *MissReport `json:"misses,omitempty"`
	// DownloadParts splits DownloadXMean by what the bytes carried.
	DownloadParts *DownloadParts `json:"download_parts,omitempty"`
	LatencyMs     Quantiles      `json:"latency_ms"`
	StartupMs     Quantiles      `json:"startup_ms"`
	CPUSeconds    float64        `json:"cpu_s"`
	PeakHeapBytes uint64         `json:"peak_heap_bytes"`
	Saturated     bool           `json:"saturated"`
	// Beyond the required columns:
	ViewersSeen     int       `json:"viewers_seen"`
	NeverStarted    int       `json:"never_started"`
	ChunksPublished int       `json:"chunks_published"`
	ScheduleLagMs   Quantiles `json:"schedule_lag_ms"`
	WallSeconds     float64   `json:"wall_s"`
	// ForgedDelivered counts chunks honest viewers were given that the
	// source never sent; it must be 0.
	ForgedDelivered uint64 `json:"forged_delivered"`
	// Hostile is what happened to the hostile peers (-hostile), by
	// behaviour.
	Hostile []HostileReport `json:"hostile,omitempty"`
	// Hops is the sampled chunks' delivery trees (gossipsub modes).
	Hops *HopReport `json:"hops,omitempty"`
	// Samples is the long-run series (-sample), one per period.
	Samples []Sample `json:"samples,omitempty"`
}

// DownloadParts is the mean viewer download ÷ bitrate, split by what the
// bytes carried (relay.ReceivedBytes): its fields add up to the mean.
type DownloadParts struct {
	ChunkData    float64 `json:"chunk_data"`    // payload of first copies: the stream itself, with gridcast's chunk header
	ChunkHeaders float64 `json:"chunk_headers"` // the rest of first copies: sender, sequence number, signature, topic
	Duplicates   float64 `json:"duplicates"`    // whole copies of chunks already held
	IHave        float64 `json:"ihave"`         // announcements: gossip and lazy push
	IDontWant    float64 `json:"idontwant"`
	IWant        float64 `json:"iwant"`
	Other        float64 `json:"other"`   // GRAFT, PRUNE, subscriptions, protobuf framing, rejected messages
	Outside      float64 `json:"outside"` // stream bytes outside the router's RPCs: length prefixes, other protocols
}

// DuplicateCauses is duplicates per chunk delivered, by cause
// (relay.DuplicateCauses); its fields add up to about DuplicatesPerChunk.
type DuplicateCauses struct {
	Pulled  float64 `json:"pulled"`  // came while the viewer had asked for the chunk by IWANT
	Crossed float64 `json:"crossed"` // from a mesh peer within relay.CrossingWindow of the first copy
	Late    float64 `json:"late"`    // from a mesh peer, later
	Other   float64 `json:"other"`   // from outside the mesh, or the first copy forgotten
}

// MissReport splits the chunks viewers did not play by their deadline,
// and says how they fell among the viewers.
type MissReport struct {
	Late float64 `json:"late"` // share of chunks due that played after their deadline
	Lost float64 `json:"lost"` // share of chunks due never played
	// ViewersMissing is the share of viewers due any chunk that missed at
	// least one.
	ViewersMissing float64 `json:"viewers_missing"`
	// WorstTenth is the share of all misses that fell on the tenth of
	// viewers that missed most: near 0.1 when losses are spread evenly,
	// near 1 when a few viewers lose nearly everything.
	WorstTenth float64 `json:"worst_tenth"`
}

// Quantiles in milliseconds; P99 is omitted where not reported.
type Quantiles struct {
	P50 float64 `json:"p50"`
	P95 float64 `json:"p95"`
	P99 float64 `json:"p99,omitempty"`
}

// measure turns what a mode recorded into its report row.
func measure(w Workload, mode string, viewers []viewerResult, pubs []published, lags []time.Duration, start, end time.Time, foldedLatency *durationHistogram) ModeReport {
	onTime, due := continuity(pubs, viewers, w.Deadline, end)
	rep := ModeReport{Mode: mode, ViewersSeen: len(viewers), ChunksPublished: len(pubs)}
	if due > 0 {
		rep.Continuity = float64(onTime) / float64(due)
	}
	var latencies []time.Duration
	for _, v := range viewers {
		latencies = append(latencies, v.Latencies...)
		if v.FirstPlay.IsZero() {
			rep.NeverStarted++
		}
	}
	if foldedLatency != nil {
		h := *foldedLatency // a copy: the runner's stays as it was
		h.add(latencies...)
		rep.LatencyMs = h.quantiles()
	} else {
		rep.LatencyMs = msQuantiles(latencies, true)
	}
	rep.Misses = misses(pubs, viewers, w.Deadline, end)
	rep.StartupMs = msQuantiles(startup(viewers, start), false)
	downloads := downloadMultiples(viewers, w.Bitrate, start, w.Duration/4)
	rep.DownloadXMean = mean(downloads)
	rep.DownloadXP95 = quantiles(downloads, 0.95)[0]
	rep.DuplicatesPerChunk = duplicatesPerChunk(viewers)
	rep.DuplicateCauses = duplicateCauses(viewers)
	rep.DownloadParts = downloadParts(viewers, w.Bitrate, start, w.Duration/4)
	for _, v := range viewers {
		rep.ForgedDelivered += v.Forged
	}
	rep.ScheduleLagMs = msQuantiles(lags, true)
	// A run whose publisher fell behind its own schedule was starved of
	// CPU: its other numbers measure the machine, not the protocol.
	rep.Saturated = rep.ScheduleLagMs.P95 > 50 || rep.ScheduleLagMs.P99 > 500
	return rep
}

func msQuantiles(ds []time.Duration, withP99 bool) Quantiles {
	q := quantiles(ds, 0.5, 0.95, 0.99)
	out := Quantiles{P50: ms(q[0]), P95: ms(q[1])}
	if withP99 {
		out.P99 = ms(q[2])
	}
	return out
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// ratios is gridcast ÷ gossipsub-default per column, nil unless both ran.
func ratios(modes []ModeReport) map[string]float64 {
	var g, d *ModeReport
	for i := range modes {
		switch modes[i].Mode {
		case ModeGridcast:
			g = &modes[i]
		case ModeDefault:
			d = &modes[i]
		}
	}
	if g == nil || d == nil {
		return nil
	}
	out := map[string]float64{}
	for _, row := range tableRows {
		if row.ratio {
			if den := row.value(*d); den != 0 {
				out[row.key] = row.value(*g) / den
			}
		}
	}
	return out
}

type tableRow struct {
	label, key string
	format     string
	ratio      bool
	value      func(ModeReport) float64
}

var tableRows = []tableRow{
	{"continuity", "continuity", "%.2f%%", true, func(m ModeReport) float64 { return 100 * m.Continuity }},
	miss("played late", "misses.late", func(m MissReport) float64 { return 100 * m.Late }),
	miss("never played", "misses.lost", func(m MissReport) float64 { return 100 * m.Lost }),
	miss("viewers missing any", "misses.viewers_missing", func(m MissReport) float64 { return 100 * m.ViewersMissing }),
	miss("misses in the worst tenth", "misses.worst_tenth", func(m MissReport) float64 { return 100 * m.WorstTenth }),
	{"source upload ÷ bitrate", "source_upload_x", "%.2f", true, func(m ModeReport) float64 { return m.SourceUploadX }},
	{"viewer download ÷ bitrate, mean", "download_x_mean", "%.2f", true, func(m ModeReport) float64 { return m.DownloadXMean }},
	part("chunk data, first copies", "chunk_data", func(p DownloadParts) float64 { return p.ChunkData }),
	part("chunk headers, first copies", "chunk_headers", func(p DownloadParts) float64 { return p.ChunkHeaders }),
	part("duplicate copies", "duplicates", func(p DownloadParts) float64 { return p.Duplicates }),
	part("IHAVE", "ihave", func(p DownloadParts) float64 { return p.IHave }),
	part("IDONTWANT", "idontwant", func(p DownloadParts) float64 { return p.IDontWant }),
	part("IWANT", "iwant", func(p DownloadParts) float64 { return p.IWant }),
	part("GRAFT, PRUNE, framing", "other", func(p DownloadParts) float64 { return p.Other }),
	part("outside the router", "outside", func(p DownloadParts) float64 { return p.Outside }),
	{"viewer download ÷ bitrate, p95", "download_x_p95", "%.2f", true, func(m ModeReport) float64 { return m.DownloadXP95 }},
	{"duplicates per chunk", "duplicates_per_chunk", "%.2f", true, func(m ModeReport) float64 { return m.DuplicatesPerChunk }},
	cause("while a pull was out", "pulled", func(c DuplicateCauses) float64 { return c.Pulled }),
	cause("crossed, from the mesh", "crossed", func(c DuplicateCauses) float64 { return c.Crossed }),
	cause("later, from the mesh", "late", func(c DuplicateCauses) float64 { return c.Late }),
	cause("from outside the mesh", "other", func(c DuplicateCauses) float64 { return c.Other }),
	{"latency p50 (ms)", "latency_ms.p50", "%.0f", true, func(m ModeReport) float64 { return m.LatencyMs.P50 }},
	{"latency p95 (ms)", "latency_ms.p95", "%.0f", true, func(m ModeReport) float64 { return m.LatencyMs.P95 }},
	{"latency p99 (ms)", "latency_ms.p99", "%.0f", true, func(m ModeReport) float64 { return m.LatencyMs.P99 }},
	hop("hops from the source, p50", "hops.depth.p50", "%.0f", func(h HopReport) float64 { return h.Depth.P50 }),
	hop("hops from the source, p99", "hops.depth.p99", "%.0f", func(h HopReport) float64 { return h.Depth.P99 }),
	hop("one hop's delay, p50 (ms)", "hops.delay_ms.p50", "%.0f", func(h HopReport) float64 { return h.DelayMs.P50 }),
	hop("one hop's delay, p95 (ms)", "hops.delay_ms.p95", "%.0f", func(h HopReport) float64 { return h.DelayMs.P95 }),
	hop("  less the link, p50 (ms)", "hops.held_ms.p50", "%.0f", func(h HopReport) float64 { return h.HeldMs.P50 }),
	hop("  less the link, p95 (ms)", "hops.held_ms.p95", "%.0f", func(h HopReport) float64 { return h.HeldMs.P95 }),
	{"start-up p50 (ms)", "startup_ms.p50", "%.0f", true, func(m ModeReport) float64 { return m.StartupMs.P50 }},
	{"start-up p95 (ms)", "startup_ms.p95", "%.0f", true, func(m ModeReport) float64 { return m.StartupMs.P95 }},
	{"CPU (s)", "cpu_s", "%.1f", true, func(m ModeReport) float64 { return m.CPUSeconds }},
	{"peak heap (MB)", "peak_heap_bytes", "%.0f", true, func(m ModeReport) float64 { return float64(m.PeakHeapBytes) / 1e6 }},
	{"forged chunks delivered", "forged_delivered", "%.0f", false, func(m ModeReport) float64 { return float64(m.ForgedDelivered) }},
	{"viewers seen / never started", "", "", false, nil},
	{"saturated", "", "", false, nil},
}

// part is a row of the download's split, indented under the mean.
func part(label, key string, value func(DownloadParts) float64) tableRow {
	return optionalRow("  "+label, "download_parts."+key, "%.3f", func(m ModeReport) *DownloadParts { return m.DownloadParts }, value)
}

// cause is a row of the duplicates' split, indented under them.
func cause(label, key string, value func(DuplicateCauses) float64) tableRow {
	return optionalRow("  "+label, "duplicate_causes."+key, "%.3f", func(m ModeReport) *DuplicateCauses { return m.DuplicateCauses }, value)
}

// miss is a row of the missed chunks' split, indented under continuity.
func miss(label, key string, value func(MissReport) float64) tableRow {
	return optionalRow("  "+label, key, "%.2f%%", func(m ModeReport) *MissReport { return m.Misses }, value)
}

// hop is a row of the delivery trees.
func hop(label, key, format string, value func(HopReport) float64) tableRow {
	return optionalRow(label, key, format, func(m ModeReport) *HopReport { return m.Hops }, value)
}

// optionalRow is a row of a part of the report that a mode may lack
// (of returns nil); the row shows 0 for that mode.
func optionalRow[T any](label, key, format string, of func(ModeReport) *T, value func(T) float64) tableRow {
	return tableRow{label, key, format, true, func(m ModeReport) float64 {
		if v := of(m); v != nil {
			return value(*v)
		}
		return 0
	}}
}

// writeTable prints the report as a table, one column per mode plus the
// gridcast ÷ gossipsub-default ratio.
func writeTable(out io.Writer, rep Report) {
	cols := []string{"metric"}
	for _, m := range rep.Modes {
		cols = append(cols, m.Mode)
	}
	if rep.Ratios != nil {
		cols = append(cols, "gridcast ÷ default")
	}
	rows := [][]string{cols}
	for _, row := range tableRows {
		line := []string{row.label}
		for _, m := range rep.Modes {
			switch row.label {
			case "viewers seen / never started":
				line = append(line, fmt.Sprintf("%d / %d", m.ViewersSeen, m.NeverStarted))
			case "saturated":
				line = append(line, map[bool]string{true: "YES: numbers unreliable", false: "no"}[m.Saturated])
			default:
				line = append(line, fmt.Sprintf(row.format, row.value(m)))
			}
		}
		if rep.Ratios != nil {
			if r, ok := rep.Ratios[row.key]; ok {
				line = append(line, fmt.Sprintf("%.2f", r))
			} else {
				line = append(line, "")
			}
		}
		rows = append(rows, line)
	}
	widths := make([]int, len(cols))
	for _, r := range rows {
		for i, c := range r {
			widths[i] = max(widths[i], len([]rune(c)))
		}
	}
	for i, r := range rows {
		var b strings.Builder
		for j, c := range r {
			pad := widths[j] - len([]rune(c))
			if j == 0 {
				b.WriteString(c + strings.Repeat(" ", pad))
			} else {
				b.WriteString("  " + strings.Repeat(" ", pad) + c)
			}
		}
		fmt.Fprintln(out, strings.TrimRight(b.String(), " "))
		if i == 0 {
			fmt.Fprintln(out, strings.Repeat("-", len([]rune(b.String()))))
		}
	}
}

// writeHopTable prints, per gossipsub mode, one hop's delay by the class
// of the peer that forwarded the chunk.
func writeHopTable(out io.Writer, rep Report) {
	for _, m := range rep.Modes {
		if m.Hops == nil || len(m.Hops.ByForwarder) == 0 {
			continue
		}
		fmt.Fprintf(out, "\none hop's delay in %s, by the forwarder's uplink (%d chunks sampled, %d arrivals, %d with no path back to the source):\n",
			m.Mode, m.Hops.Chunks, m.Hops.Arrivals, m.Hops.Unlinked)
		fmt.Fprintf(out, "%-10s %8s %24s %24s %8s %24s\n", "forwarder", "hops", "p50 / p95 / p99 (ms)", "less the link", "pulls", "pulls' p50 / p95 / p99")
		for _, k := range slices.Sorted(maps.Keys(m.Hops.ByForwarder)) {
			d := m.Hops.ByForwarder[k]
			fmt.Fprintf(out, "%-10s %8d %24s %24s %8d %24s\n", k, d.Hops, fmt.Sprintf("%.0f / %.0f / %.0f", d.DelayMs.P50, d.DelayMs.P95, d.DelayMs.P99),
				fmt.Sprintf("%.0f / %.0f / %.0f", d.HeldMs.P50, d.HeldMs.P95, d.HeldMs.P99), d.Pulled, fmt.Sprintf("%.0f / %.0f / %.0f", d.PulledDelayMs.P50, d.PulledDelayMs.P95, d.PulledDelayMs.P99))
		}
	}
}

// writeHostileTable prints, per mode run with hostile peers, what became
// of each behaviour's peers.
func writeHostileTable(out io.Writer, rep Report) {
	for _, m := range rep.Modes {
		if len(m.Hostile) == 0 {
			continue
		}
		fmt.Fprintf(out, "\nhostile peers in %s, as honest viewers saw them at the end:\n", m.Mode)
		fmt.Fprintf(out, "%-18s %5s %28s %10s %8s %9s %8s %8s %8s %9s %7s\n",
			"behaviour", "peers", "score min / mean / max", "graylisted", "in mesh", "connected", "source's", "grafts", "prunes", "rpcs sent", "resets")
		for _, h := range m.Hostile {
			fmt.Fprintf(out, "%-18s %5d %28s %10d %8d %9d %8d %8d %8d %9d %7d\n", h.Kind, h.Peers,
				fmt.Sprintf("%.0f / %.0f / %.0f", h.ScoreMin, h.ScoreMean, h.ScoreMax),
				h.Graylisted, h.InMesh, h.Connected, h.InSourceMesh, h.Grafts, h.Prunes, h.Sent, h.StreamResets)
		}
	}
}

func writeJSON(out io.Writer, rep Report) error {
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	return enc.Encode(rep)
}
