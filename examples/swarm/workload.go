package main

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Workload is everything a run is parameterised by. The same workload and
// seed give the same topology, uplinks, identities and churn schedule in
// every mode.
type Workload struct {
	Preset       string        `json:"preset,omitempty"`
	Viewers      int           `json:"viewers"`
	Bitrate      int64         `json:"bitrate_bytes_per_s"`
	ChunkEvery   time.Duration `json:"chunk_interval_ns"`
	Duration     time.Duration `json:"duration_ns"`
	Warmup       time.Duration `json:"warmup_ns"`
	LatencyMin   time.Duration `json:"latency_min_ns"`
	LatencyMax   time.Duration `json:"latency_max_ns"`
	Uplinks      []UplinkClass `json:"uplinks"`
	SourceUplink float64       `json:"source_uplink_x"`
	Downlink     float64       `json:"downlink_x"`
	CapShare     float64       `json:"cap_share"`
	Churn        float64       `json:"churn_per_min"`
	// FeederLeaves, when set, is when (after the stream's start) the
	// viewer that passes the stream on to the most others leaves
	// abruptly: the worst single departure, on top of Churn.
	FeederLeaves time.Duration `json:"feeder_leaves_ns,omitempty"`
	// Hostile is the share of the Viewers that are attackers (see
	// hostile.go); the rest are honest.
	Hostile     float64       `json:"hostile_share"`
	Deadline    time.Duration `json:"deadline_ns"`
	Dials       int           `json:"dials_per_viewer"`
	SourceDials int           `json:"viewers_dialling_source"`
	Seed        uint64        `json:"seed"`
	VirtualTime bool          `json:"virtual_time"`
	// Tune overrides gridcast's router parameters (see tune.go).
	Tune Tune `json:"tune,omitempty"`
}

// UplinkClass is a share of the viewers whose uplink is Multiple × bitrate.
type UplinkClass struct {
	Name     string  `json:"name"`
	Share    float64 `json:"share"`
	Multiple float64 `json:"multiple"`
}

// ChunkSize is the payload of each chunk: the bytes the stream makes in
// one chunk interval.
func (w Workload) ChunkSize() int {
	return max(minRecord+macSize, int(w.Bitrate*int64(w.ChunkEvery)/int64(time.Second)))
}

// seedUplinks is the 2008 mix: most viewers on cable, a third on ADSL that
// can relay about one copy, a few on fibre.
var seedUplinks = []UplinkClass{
	{Name: "adsl", Share: 0.3, Multiple: 1},
	{Name: "cable", Share: 0.6, Multiple: 3},
	{Name: "fibre", Share: 0.1, Multiple: 10},
}

// Presets are named workloads.
func Preset(name string) (Workload, error) {
	w := Workload{
		Preset:       name,
		Bitrate:      300_000 / 8,
		ChunkEvery:   100 * time.Millisecond,
		Warmup:       3 * time.Second,
		LatencyMin:   20 * time.Millisecond,
		LatencyMax:   80 * time.Millisecond,
		Uplinks:      seedUplinks,
		SourceUplink: 4,
		Downlink:     20,
		CapShare:     0.9,
		Churn:        0.2,
		Deadline:     2 * time.Second,
		Dials:        4,
		SourceDials:  6,
		Seed:         1,
	}
	switch name {
	case "seed":
		w.Viewers, w.Duration = 1000, 60*time.Second
	case "quick":
		w.Viewers, w.Duration = 100, 20*time.Second
	case "small":
		w.Viewers, w.Duration = 20, 10*time.Second
	default:
		return w, fmt.Errorf("unknown preset %q (have seed, quick, small)", name)
	}
	return w, nil
}

// Validate reports the first unusable parameter.
func (w Workload) Validate() error {
	var share float64
	for _, c := range w.Uplinks {
		if c.Share < 0 || !(c.Multiple > 0) {
			return fmt.Errorf("uplink class %q: share and multiple must be positive", c.Name)
		}
		share += c.Share
	}
	switch {
	case w.Viewers < 1:
		return errors.New("-viewers must be at least 1")
	case w.Bitrate <= 0:
		return errors.New("-bitrate must be positive")
	case w.ChunkEvery <= 0 || w.Duration <= 0 || w.Deadline <= 0:
		return errors.New("-chunk, -duration and -deadline must be positive")
	case w.LatencyMin < 0 || w.LatencyMax < w.LatencyMin:
		return errors.New("-latency must be a range like 20ms-80ms")
	case len(w.Uplinks) == 0 || share < 0.999 || share > 1.001:
		return fmt.Errorf("-uplinks shares must add up to 100%%, not %.0f%%", share*100)
	case !(w.SourceUplink > 0) || !(w.Downlink > 0) || !(w.CapShare > 0) || w.CapShare > 1:
		return errors.New("-source-uplink, -downlink must be positive and -cap-share in (0,1]")
	case w.Churn < 0 || w.Churn > 1:
		return errors.New("-churn must be between 0 and 100%")
	case w.FeederLeaves < 0 || w.FeederLeaves > 0 && w.FeederLeaves >= w.Duration:
		return errors.New("-feeder-leaves must be within the run")
	case w.Hostile < 0 || w.Hostile > 0.5:
		return errors.New("-hostile must be between 0 and 50%")
	case w.Viewers-w.hostileCount() < 1:
		return errors.New("-hostile leaves no honest viewer")
	case w.Dials < 1 || w.SourceDials < 1:
		return errors.New("-dials and -source-dials must be at least 1")
	}
	return nil
}

// parseUplinks reads "adsl=30%:1x,cable=60%:3x,fibre=10%:10x".
func parseUplinks(s string) ([]UplinkClass, error) {
	var classes []UplinkClass
	for _, part := range strings.Split(s, ",") {
		name, rest, ok := strings.Cut(strings.TrimSpace(part), "=")
		shareText, multText, ok2 := strings.Cut(rest, ":")
		if !ok || !ok2 || name == "" {
			return nil, fmt.Errorf("uplink class %q: want name=share%%:multiple, e.g. cable=60%%:3x", part)
		}
		share, err := parsePercent(shareText)
		if err != nil {
			return nil, fmt.Errorf("uplink class %q: %w", part, err)
		}
		mult, err := parseMultiple(multText)
		if err != nil {
			return nil, fmt.Errorf("uplink class %q: %w", part, err)
		}
		classes = append(classes, UplinkClass{Name: name, Share: share, Multiple: mult})
	}
	return classes, nil
}

// parsePercent reads "30%" or "0.3".
func parsePercent(s string) (float64, error) {
	s = strings.TrimSpace(s)
	div := 1.0
	if t, ok := strings.CutSuffix(s, "%"); ok {
		s, div = t, 100
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v < 0 || v != v {
		return 0, fmt.Errorf("bad fraction %q", s)
	}
	return v / div, nil
}

// parseMultiple reads "3x" or "3".
func parseMultiple(s string) (float64, error) {
	v, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(s), "x"), 64)
	if err != nil || !(v > 0) {
		return 0, fmt.Errorf("bad multiple %q: want e.g. 3x", s)
	}
	return v, nil
}

// parseLatency reads "20ms-80ms" or "50ms".
func parseLatency(s string) (lo, hi time.Duration, err error) {
	loText, hiText, isRange := strings.Cut(s, "-")
	if lo, err = time.ParseDuration(strings.TrimSpace(loText)); err != nil {
		return 0, 0, fmt.Errorf("bad latency %q: %w", s, err)
	}
	hi = lo
	if isRange {
		if hi, err = time.ParseDuration(strings.TrimSpace(hiText)); err != nil {
			return 0, 0, fmt.Errorf("bad latency %q: %w", s, err)
		}
	}
	return lo, hi, nil
}

// parseChunk reads a chunk interval ("200ms") or a chunk size in bytes
// ("8KiB", "7500") and returns the interval.
func parseChunk(s string, bitrate int64) (time.Duration, error) {
	if d, err := time.ParseDuration(s); err == nil {
		return d, nil
	}
	size, err := parseBytes(s)
	if err != nil || size <= 0 {
		return 0, fmt.Errorf("bad -chunk %q: want an interval (200ms) or a size (8KiB)", s)
	}
	return time.Duration(size * int64(time.Second) / bitrate), nil
}

func parseBytes(s string) (int64, error) {
	mult := int64(1)
	for _, unit := range []struct {
		suffix string
		size   int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"KB", 1000}, {"kB", 1000}, {"B", 1}} {
		if t, ok := strings.CutSuffix(s, unit.suffix); ok {
			s, mult = t, unit.size
			break
		}
	}
	v, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	return v * mult, err
}

// describeUplinks prints the mix the way the flag takes it.
func describeUplinks(classes []UplinkClass) string {
	parts := make([]string, len(classes))
	for i, c := range classes {
		parts[i] = fmt.Sprintf("%s=%.0f%%:%gx", c.Name, c.Share*100, c.Multiple)
	}
	return strings.Join(parts, ",")
}
