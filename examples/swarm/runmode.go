package main

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"runtime"
	"runtime/metrics"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gridcast/gridcast/peer"
)

// runMode runs one mode of w from start to end and measures it. Progress
// lines go to r.progress every second of (real or virtual) time.
func runMode(ctx context.Context, w Workload, mode string, r *runner) (ModeReport, error) {
	runtime.GC()
	cpu0 := cpuSeconds()
	stopHeap := sampleHeap()

	r.net = newSimNetwork(w)
	defer r.net.Close()
	if err := r.startSource(ctx); err != nil {
		return ModeReport{}, fmt.Errorf("%s: start source: %w", mode, err)
	}
	defer r.src.Close()
	if err := r.joinInitial(ctx); err != nil {
		r.finish(time.Now())
		return ModeReport{}, fmt.Errorf("%s: %w", mode, err)
	}
	defer r.closeHostiles()
	if err := r.startHostiles(ctx); err != nil {
		r.finish(time.Now())
		return ModeReport{}, fmt.Errorf("%s: start hostile peers: %w", mode, err)
	}
	// Let meshes form before the first chunk.
	sleep(ctx, w.Warmup)

	r.started = time.Now()
	end := r.started.Add(w.Duration)
	var wg sync.WaitGroup
	wg.Go(func() { r.publishLoop(ctx, end) })
	wg.Go(func() { r.churnLoop(ctx, end) })
	if r.sample > 0 {
		wg.Go(func() { r.sampleLoop(ctx, end) })
	}
	if w.FeederLeaves > 0 && r.hops != nil {
		wg.Go(func() { r.feederLeaves(ctx, r.started.Add(w.FeederLeaves)) })
	}
	r.progressLoop(ctx, end)
	wg.Wait()
	hostiles := r.hostileReport()

	viewers, pubs, lags, folded := r.finish(end)
	report := measure(w, mode, viewers, pubs, lags, r.started, end, folded)
	report.Samples = r.samples
	report.Hostile = hostiles
	if r.hops != nil {
		report.Hops = r.hops.report()
	}
	report.SourceUploadX = float64(r.src.sent()) / (float64(w.Bitrate) * w.Duration.Seconds())
	report.CPUSeconds = cpuSeconds() - cpu0
	report.PeakHeapBytes = stopHeap()
	return report, nil
}

// joinInitial starts the workload's viewers before the stream begins.
func (r *runner) joinInitial(ctx context.Context) error {
	pending := make([]*pendingJoin, r.w.Viewers-r.w.hostileCount())
	for i := range pending {
		p, err := r.prepare(ctx, i < r.w.SourceDials)
		if err != nil {
			return err
		}
		pending[i] = p
		// Later viewers dial earlier ones: count this one as present.
		r.add(&preparedMember{p: p})
	}
	r.mu.Lock()
	r.members = nil
	r.mu.Unlock()

	members := make([]member, len(pending))
	var wg sync.WaitGroup
	for i, p := range pending {
		wg.Go(func() { members[i] = r.startOrFail(ctx, p, time.Now()) })
	}
	wg.Wait()
	for _, m := range members {
		r.add(m)
	}
	return nil
}

// startOrFail starts a viewer; one that cannot join (its dials time out
// against a saturated source, say) stays in the run as a viewer who saw
// nothing, as a real one would.
func (r *runner) startOrFail(ctx context.Context, p *pendingJoin, joined time.Time) member {
	m, err := r.start(ctx, p, joined)
	if err != nil {
		return &failedMember{rec: newRecorder(joined)}
	}
	return m
}

// publishLoop publishes a chunk every interval until end, recording how
// late each one went out against its schedule: a real-time run that falls
// behind is CPU-saturated.
func (r *runner) publishLoop(ctx context.Context, end time.Time) {
	size := r.w.ChunkSize()
	for k := 0; ; k++ {
		due := r.started.Add(time.Duration(k) * r.w.ChunkEvery)
		if !due.Before(end) || !sleepUntil(ctx, due) {
			return
		}
		now := time.Now()
		payload := make([]byte, size)
		putRecord(payload, uint64(k), now)
		seal(payload)
		if err := r.src.publish(ctx, payload); err != nil {
			return
		}
		r.mu.Lock()
		r.pubs = append(r.pubs, published{Index: uint64(k), At: now})
		r.lags = append(r.lags, now.Sub(due))
		r.mu.Unlock()
	}
}

// churnLoop makes Churn × Viewers viewers leave abruptly per minute, and as
// many new ones join, spread over the minute.
func (r *runner) churnLoop(ctx context.Context, end time.Time) {
	if r.w.Churn <= 0 {
		return
	}
	perSecond := r.w.Churn * float64(r.w.Viewers-r.w.hostileCount()) / 60
	var owed float64
	var joins sync.WaitGroup
	defer joins.Wait()
	for t := r.started.Add(time.Second); t.Before(end); t = t.Add(time.Second) {
		if !sleepUntil(ctx, t) {
			return
		}
		for owed += perSecond; owed >= 1; owed-- {
			r.leaveRandom()
			p, err := r.prepare(ctx, false)
			if err != nil {
				continue
			}
			joined := time.Now()
			joins.Go(func() { r.add(r.startOrFail(ctx, p, joined)) })
		}
	}
}

func (r *runner) progressLoop(ctx context.Context, end time.Time) {
	for t := r.started.Add(time.Second); !t.After(end); t = t.Add(time.Second) {
		if !sleepUntil(ctx, t) {
			return
		}
		viewers, pubs, _, _ := r.results(t)
		onTime, due := continuity(pubs, viewers, r.w.Deadline, t)
		fmt.Fprintf(r.progress, "%-18s %5.0fs/%.0fs  viewers %4d  continuity %-7s  %s%s%s\n",
			r.mode, t.Sub(r.started).Seconds(), r.w.Duration.Seconds(), r.viewerCount(), ratio(onTime, due), r.src.status(), r.viewerStatus(), r.treeStatus(t))
		for _, line := range r.starvedLines(t, r.starved) {
			fmt.Fprintf(r.progress, "%-18s %s\n", r.mode, line)
		}
	}
}

// feederLeaves makes the viewer that passes the stream on to the most
// others leave abruptly at t.
func (r *runner) feederLeaves(ctx context.Context, t time.Time) {
	if !sleepUntil(ctx, t) {
		return
	}
	id, class, below, ok := r.hops.largestFeeder()
	if ok && r.leavePeer(id) {
		fmt.Fprintf(r.progress, "%-18s %5.0fs: the %s viewer %s, with %d viewers below it, leaves\n", r.mode, t.Sub(r.started).Seconds(), class, shortID(id), below)
	}
}

// treeStatus describes the delivery tree of the last sampled chunk whose
// deadline has passed by t.
func (r *runner) treeStatus(t time.Time) string {
	if r.hops == nil {
		return ""
	}
	k := int64(t.Sub(r.started.Add(r.w.Deadline)) / r.w.ChunkEvery)
	k -= k % hopEvery
	if k < 0 {
		return ""
	}
	if d := r.hops.describe(uint64(k), r.w.Deadline); d != "" {
		return "; " + d
	}
	return ""
}

// sampleLoop samples the process and folds the records every r.sample,
// from the stream's start.
func (r *runner) sampleLoop(ctx context.Context, end time.Time) {
	first := takeSample(r.started, r.viewerCount())
	r.writeHeapProfile(first)
	r.mu.Lock()
	r.samples = append(r.samples, first)
	r.mu.Unlock()
	fmt.Fprintf(r.progress, "%-18s %s\n", r.mode, first)
	for t := r.started.Add(r.sample); !t.After(end); t = t.Add(r.sample) {
		if !sleepUntil(ctx, t) {
			return
		}
		r.fold(t.Add(-r.w.Deadline - time.Second))
		runtime.GC() // so that heap_live is what is retained now
		s := takeSample(r.started, r.viewerCount())
		r.writeHeapProfile(s)
		r.mu.Lock()
		r.samples = append(r.samples, s)
		r.mu.Unlock()
		fmt.Fprintf(r.progress, "%-18s %s\n", r.mode, s)
	}
}

// finish records every viewer's final counters and stops them.
func (r *runner) finish(end time.Time) ([]viewerResult, []published, []time.Duration, *durationHistogram) {
	r.mu.Lock()
	present := append([]member(nil), r.members...)
	r.mu.Unlock()
	var wg sync.WaitGroup
	for _, m := range present {
		wg.Go(func() { m.leave(end) })
	}
	wg.Wait()
	return r.results(end)
}

func ratio(n, d int) string {
	if d == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f%%", 100*float64(n)/float64(d))
}

// sleepUntil waits for t; false if ctx ended first.
func sleepUntil(ctx context.Context, t time.Time) bool {
	return sleep(ctx, time.Until(t))
}

func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// sampleHeap tracks the peak live heap every 100 ms until the returned
// function is called, which returns the peak.
func sampleHeap() (stop func() uint64) {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() uint64 { metrics.Read(sample); return sample[0].Value.Uint64() }
	var peak uint64
	done, finished := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(finished)
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			peak = max(peak, read())
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	return func() uint64 {
		close(done)
		<-finished
		return max(peak, read())
	}
}

// viewerStatus sums what the present viewers' routers report: connections
// and mesh peers per viewer, RPCs dropped on full queues, IWANT requests
// received, copies left out because the peer held them (of viewers now
// live), chunks announced instead of sent (relay.LazyPush), IWANT IDs held
// back, of those never asked for (relay.DeferPulls) and of those the
// ones that came over the feeder lead late (relay.PreferFasterFeeders),
// mesh peers dropped for not answering a ping (peer.WithMeshPing), writes that
// stalled in the transport (relay.StallAfter), the
// longest wait a mesh write would have for upload tokens
// right now, and how many peers they score negative or ban.
func (r *runner) viewerStatus() string {
	nodes := r.liveNodes()
	var conns, mesh int
	var dropped, iwant, spared, announced, deferred, saved, late, stalls, dead uint64
	var backlog time.Duration
	var negative, banned int
	for _, node := range nodes {
		for _, score := range node.Monitor().Scores() {
			if score < 0 {
				negative++
			}
		}
		banned += len(node.BannedPeers())
		conns += len(node.Host().Network().Conns())
		mesh += node.Monitor().TopicStats(r.channel.Topic()).MeshPeers
		dropped += node.Monitor().DroppedRPCs()
		iwant += node.Monitor().RPCStats().IWantReceived
		backlog = max(backlog, node.Limiter().Backlog())
		sp := node.Limiter().Spared()
		spared += sp.Copies
		announced += sp.Announced
		deferred += sp.PullsDeferred
		saved += sp.PullsSaved
		late += sp.PullsLate
		stalls += node.Limiter().Stalls()
		dead += node.DeadMeshPeers()
	}
	if len(nodes) == 0 {
		return ""
	}
	n := float64(len(nodes))
	return fmt.Sprintf("; viewers: %.1f conns, %.1f mesh peers, %d RPCs dropped, %d IWANTs, %d held copies spared, %d announced, %d/%d/%d pulls held back/saved/late, %d silent mesh peers dropped, %d transport stalls, upload backlog max %v, %d negative scores, %d banned%s",
		float64(conns)/n, float64(mesh)/n, dropped, iwant, spared, announced, deferred, saved, late, dead, stalls, backlog.Round(time.Millisecond), negative, banned, r.classStatus(nodes))
}

// classStatus gives, per uplink class, the viewers' mean mesh size, upload
// so far as a share of their caps and RPCs dropped for full queues, and the
// classes of the source's mesh peers: where the stream's copies come from.
func (r *runner) classStatus(nodes []*peer.Node) string {
	type tally struct {
		n, mesh int
		dropped uint64
		used    float64
	}
	r.mu.Lock()
	classes := maps.Clone(r.classes)
	r.mu.Unlock()
	by := map[string]*tally{}
	elapsed := time.Since(r.started).Seconds()
	for _, node := range nodes {
		c, ok := classes[node.ID()]
		if !ok {
			// It left after nodes was taken: leaveRandom forgets its class.
			continue
		}
		t := by[c]
		if t == nil {
			t = &tally{}
			by[c] = t
		}
		t.n++
		t.mesh += node.Monitor().TopicStats(r.channel.Topic()).MeshPeers
		t.dropped += node.Monitor().DroppedRPCs()
		if capBytes := node.Limiter().Cap(); capBytes > 0 && elapsed > 0 {
			t.used += float64(node.Limiter().Traffic().Out) / (float64(capBytes) * elapsed)
		}
	}
	var sb strings.Builder
	for _, c := range slices.Sorted(maps.Keys(by)) {
		t := by[c]
		fmt.Fprintf(&sb, "; %s: %d, %.1f mesh, %.0f%% of cap, %d dropped", c, t.n, float64(t.mesh)/float64(t.n), 100*t.used/float64(t.n), t.dropped)
	}
	if s, ok := r.src.(*pubsubSource); ok {
		var feeds []string
		for _, p := range s.node.Monitor().MeshPeers(r.channel.Topic()) {
			feeds = append(feeds, cmp.Or(classes[p], "gone")+"("+shortID(p)+")")
		}
		fmt.Fprintf(&sb, "; source feeds %s", strings.Join(feeds, ","))
	}
	return sb.String()
}
