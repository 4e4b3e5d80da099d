// Command swarm runs a broadcaster and many viewers as real libp2p hosts in
// one process, on simulated links, and measures gridcast beside default
// GossipSub and a client-server stream on the same workload.
//
// With no flags it runs the quick preset in real time (about 100 viewers,
// 20 s per mode) and prints progress and a final table. The same engine
// runs in virtual time under go test (see swarm_test.go), where a slow
// machine cannot distort the numbers.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/gridcast/gridcast/relay"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return // the usage has been printed
		}
		fmt.Fprintln(os.Stderr, "swarm:", err)
		os.Exit(1)
	}
}

// config is a parsed command line.
type config struct {
	workload Workload
	modes    []string
	jsonPath string
	// sample is the long-run sampling period; 0 is off.
	sample time.Duration
	// heapProfiles is the directory a long run writes a heap profile to at
	// every sample; empty is off.
	heapProfiles string
	// starved is how many starved viewers to describe each second.
	starved int
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	fs := flag.NewFlagSet("swarm", flag.ContinueOnError)
	fs.SetOutput(stderr)
	preset := fs.String("preset", "quick", "workload preset: quick, seed or small")
	modes := fs.String("modes", strings.Join(allModes, ","), "comma-separated modes to run, in order")
	jsonPath := fs.String("json", "", "also write the report as JSON to `file`")
	viewers := fs.Int("viewers", 0, "number of viewers (default: the preset's)")
	bitrate := fs.String("bitrate", "", "stream `rate`, e.g. 300kbit")
	chunk := fs.String("chunk", "", "chunk interval (200ms) or size (8KiB)")
	duration := fs.Duration("duration", 0, "length of the measured run")
	latency := fs.String("latency", "", "per-link one-way latency range, e.g. 20ms-80ms")
	uplinks := fs.String("uplinks", "", "uplink mix as multiples of the bitrate, e.g. adsl=30%:1x,cable=60%:3x,fibre=10%:10x")
	sourceUplink := fs.String("source-uplink", "", "the broadcaster's uplink as a multiple of the bitrate, e.g. 4x")
	capShare := fs.String("cap", "", "relay upload cap as a share of each node's uplink, e.g. 90%")
	churn := fs.String("churn", "", "fraction of viewers that leave abruptly, and new ones that join, per minute, e.g. 20%")
	feederLeaves := fs.Duration("feeder-leaves", 0, "at this `time` into the stream, the viewer that passes it on to the most others leaves abruptly (0: none)")
	hostile := fs.String("hostile", "", "share of the viewers that are attackers (forgers, malformed RPCs, IHAVE/IWANT floods, black holes), e.g. 10%")
	deadline := fs.Duration("deadline", 0, "playout deadline")
	sample := fs.Duration("sample", 0, "long run: sample heap and goroutines every `period` (e.g. 1m), folding the records so they stay bounded")
	starved := fs.Int("starved", 0, "each second, describe up to `n` viewers that lack the chunk published ¾ of the deadline ago, with their meshes (gridcast and gossipsub-default)")
	heapProfiles := fs.String("heap-profiles", "", "long run: also write a heap profile to `dir` at every sample (<mode>-heap-<seconds>s.pb.gz), for go tool pprof -diff_base")
	seed := fs.Uint64("seed", 0, "seed for topology, uplinks, identities and churn (default: the preset's)")
	tune := fs.String("tune", "", "override gridcast's router parameters, to measure one lever: scope.param=value,... with scope all, source, viewer or an uplink class, param one of D, Dlo, Dhi, Dout, Dscore, Dlazy, history, idontwant, gossipfactor (percent), backoff (s), opgraft, or a node setting: skipheld, uplinks (0 or 1), burst (bytes), lazy (percent, 0 off), pulldelay, lead, meshping (ms, 0 off), feedtop (0 or 1) (e.g. viewer.Dlazy=0,source.D=3,source.Dlo=3,all.burst=16384; D alone does not grow a mesh that holds Dlo peers)")
	if err := fs.Parse(args); err != nil {
		return config{}, err
	}
	if fs.NArg() > 0 {
		return config{}, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	w, err := Preset(*preset)
	if err != nil {
		return config{}, err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if set["viewers"] {
		w.Viewers = *viewers
	}
	if set["bitrate"] {
		if w.Bitrate, err = relay.ParseRate(*bitrate); err != nil {
			return config{}, err
		}
	}
	if set["chunk"] {
		if w.ChunkEvery, err = parseChunk(*chunk, w.Bitrate); err != nil {
			return config{}, err
		}
	}
	if set["duration"] {
		w.Duration = *duration
	}
	if set["latency"] {
		if w.LatencyMin, w.LatencyMax, err = parseLatency(*latency); err != nil {
			return config{}, err
		}
	}
	if set["uplinks"] {
		if w.Uplinks, err = parseUplinks(*uplinks); err != nil {
			return config{}, err
		}
	}
	if set["source-uplink"] {
		if w.SourceUplink, err = parseMultiple(*sourceUplink); err != nil {
			return config{}, err
		}
	}
	if set["cap"] {
		if w.CapShare, err = parsePercent(*capShare); err != nil {
			return config{}, err
		}
	}
	if set["churn"] {
		if w.Churn, err = parsePercent(*churn); err != nil {
			return config{}, err
		}
	}
	if set["feeder-leaves"] {
		w.FeederLeaves = *feederLeaves
	}
	if set["hostile"] {
		if w.Hostile, err = parsePercent(*hostile); err != nil {
			return config{}, err
		}
	}
	if set["deadline"] {
		w.Deadline = *deadline
	}
	if set["seed"] {
		w.Seed = *seed
	}
	if set["tune"] {
		if w.Tune, err = parseTune(*tune); err != nil {
			return config{}, err
		}
	}
	if err := w.Validate(); err != nil {
		return config{}, err
	}
	if *sample < 0 {
		return config{}, errors.New("-sample must not be negative")
	}
	if *heapProfiles != "" && *sample == 0 {
		return config{}, errors.New("-heap-profiles needs -sample")
	}
	if *starved < 0 {
		return config{}, errors.New("-starved must not be negative")
	}
	cfg := config{workload: w, jsonPath: *jsonPath, sample: *sample, heapProfiles: *heapProfiles, starved: *starved}
	for _, m := range strings.Split(*modes, ",") {
		m = strings.TrimSpace(m)
		if !contains(allModes, m) {
			return config{}, fmt.Errorf("unknown mode %q (have %s)", m, strings.Join(allModes, ", "))
		}
		cfg.modes = append(cfg.modes, m)
	}
	return cfg, nil
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if x == y {
			return true
		}
	}
	return false
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	rep, err := runAll(ctx, cfg, stdout)
	if err != nil {
		return err
	}
	return finishReport(cfg, rep, stdout)
}

// runAll runs every mode of the workload, one after another, printing
// progress to progress.
func runAll(ctx context.Context, cfg config, progress io.Writer) (Report, error) {
	w := cfg.workload
	fmt.Fprintf(progress, "workload: %d viewers, %s, chunk every %v, %v per mode, latency %v-%v, uplinks %s, source %gx, churn %.0f%%/min, hostile %.0f%%, deadline %v, seed %d, %s time\n",
		w.Viewers, relay.FormatRate(w.Bitrate), w.ChunkEvery, w.Duration, w.LatencyMin, w.LatencyMax,
		describeUplinks(w.Uplinks), w.SourceUplink, w.Churn*100, w.Hostile*100, w.Deadline, w.Seed, map[bool]string{true: "virtual", false: "real"}[w.VirtualTime])
	if len(w.Tune) > 0 {
		fmt.Fprintf(progress, "gridcast tuned: %s\n", w.Tune)
	}
	rep := Report{Workload: w}
	for _, mode := range cfg.modes {
		wall := realNow() // time.Now is virtual inside a synctest bubble
		m, err := runMode(ctx, w, mode, newRunner(cfg, mode, progress))
		if err != nil {
			return rep, err
		}
		m.WallSeconds = realNow().Sub(wall).Seconds()
		rep.Modes = append(rep.Modes, m)
		if ctx.Err() != nil {
			return rep, ctx.Err()
		}
	}
	rep.Ratios = ratios(rep.Modes)
	return rep, nil
}

func finishReport(cfg config, rep Report, stdout io.Writer) error {
	fmt.Fprintln(stdout)
	writeTable(stdout, rep)
	writeHopTable(stdout, rep)
	writeHostileTable(stdout, rep)
	if cfg.jsonPath == "" {
		return nil
	}
	f, err := os.Create(cfg.jsonPath)
	if err != nil {
		return err
	}
	if err := writeJSON(f, rep); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
