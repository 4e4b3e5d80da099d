package main

import (
	"slices"
	"time"

	"github.com/gridcast/gridcast/broadcast"
	"github.com/gridcast/gridcast/relay"
)

// The report's metrics, as pure functions of what was recorded.

// published is one chunk the source sent.
type published struct {
	Index uint64
	At    time.Time
}

// viewerResult is what one viewer saw, from joining to leaving (or the end).
type viewerResult struct {
	Joined, Left time.Time
	FirstPlay    time.Time            // zero if it never played
	FirstPublish time.Time            // publish time of the first chunk played
	PendingDue   int                  // chunks due if it never played, folded away
	Folded       dues                 // chunks folded away once it had played
	Plays        map[uint64]time.Time // chunk index → played at
	Latencies    []time.Duration
	BytesIn      uint64
	Received     relay.ReceivedBytes   // the router's part of BytesIn, by kind
	Delivered    uint64                // distinct chunks the router delivered
	Duplicates   uint64                // extra copies the router dropped
	Causes       relay.DuplicateCauses // the node's duplicates, all topics, by cause
	Forged       uint64                // chunks given to the viewer that the source never sent
}

// dues counts one viewer's chunks due: played on time, played late, and
// the rest, never played (lost, or given up by its playout).
type dues struct{ due, onTime, late int }

func (d dues) plus(o dues) dues {
	return dues{d.due + o.due, d.onTime + o.onTime, d.late + o.late}
}

func (d dues) missed() int { return d.due - d.onTime }

// continuity counts, over all viewers, the chunks due and those played by
// their deadline, folded ones included (see allDues).
func continuity(pubs []published, viewers []viewerResult, deadline time.Duration, end time.Time) (onTime, due int) {
	for _, v := range viewers {
		d := allDues(pubs, v, deadline, end)
		onTime, due = onTime+d.onTime, due+d.due
	}
	return onTime, due
}

// allDues is viewerDues for the chunks still recorded plus what folding
// counted for v before (viewerResult.Folded).
func allDues(pubs []published, v viewerResult, deadline time.Duration, end time.Time) dues {
	return viewerDues(pubs, v, deadline, end).plus(v.Folded)
}

// viewerDues counts v's chunks due and how they played. A chunk is due
// for a viewer if it was published at or after the viewer's start and its
// deadline (publish time + deadline) fell while the viewer was present
// (before it left and before the run's end). A viewer's start is the
// publish time of its first played chunk; a viewer that never played is
// due everything published after it joined: its start-up delay is
// measured separately, not twice.
func viewerDues(pubs []published, v viewerResult, deadline time.Duration, end time.Time) dues {
	var d dues
	start := v.Joined
	if !v.FirstPlay.IsZero() {
		start = v.FirstPublish
	} else {
		d.due += v.PendingDue
	}
	until := v.Left
	if end.Before(until) {
		until = end
	}
	for _, p := range pubs {
		if p.At.Before(start) || p.At.Add(deadline).After(until) {
			continue
		}
		d.due++
		if at, ok := v.Plays[p.Index]; ok {
			if at.After(p.At.Add(deadline)) {
				d.late++
			} else {
				d.onTime++
			}
		}
	}
	return d
}

// misses splits the chunks not played on time over all viewers, folded
// ones included (viewerResult.Folded); nil when nothing was due.
func misses(pubs []published, viewers []viewerResult, deadline time.Duration, end time.Time) *MissReport {
	var all dues
	var missed []int
	for _, v := range viewers {
		d := allDues(pubs, v, deadline, end)
		if d.due == 0 {
			continue
		}
		all = all.plus(d)
		missed = append(missed, d.missed())
	}
	if all.due == 0 {
		return nil
	}
	rep := &MissReport{
		Late: float64(all.late) / float64(all.due),
		Lost: float64(all.missed()-all.late) / float64(all.due),
	}
	slices.Sort(missed)
	slices.Reverse(missed)
	worst, total := 0, 0
	for i, m := range missed {
		if m > 0 {
			rep.ViewersMissing++
		}
		if i < (len(missed)+9)/10 {
			worst += m
		}
		total += m
	}
	rep.ViewersMissing /= float64(len(missed))
	if total > 0 {
		rep.WorstTenth = float64(worst) / float64(total)
	}
	return rep
}

// startup is join → first in-order byte for each viewer that played,
// counted from the stream's start for viewers that joined before it.
func startup(viewers []viewerResult, streamStart time.Time) []time.Duration {
	var out []time.Duration
	for _, v := range viewers {
		if v.FirstPlay.IsZero() {
			continue
		}
		from := v.Joined
		if from.Before(streamStart) {
			from = streamStart
		}
		out = append(out, max(v.FirstPlay.Sub(from), 0))
	}
	return out
}

// presence is how long the viewer was there while the stream ran.
func (v viewerResult) presence(streamStart time.Time) time.Duration {
	from := v.Joined
	if from.Before(streamStart) {
		from = streamStart
	}
	return v.Left.Sub(from)
}

// downloadMultiples is each viewer's bytes received ÷ (bitrate × time
// present), for viewers present at least minPresence.
func downloadMultiples(viewers []viewerResult, bitrate int64, streamStart time.Time, minPresence time.Duration) []float64 {
	var out []float64
	for _, v := range viewers {
		present := v.presence(streamStart)
		if present < minPresence {
			continue
		}
		out = append(out, float64(v.BytesIn)/(float64(bitrate)*present.Seconds()))
	}
	return out
}

// downloadParts splits the mean download (downloadMultiples, same viewers)
// by what the bytes carried; nil when no viewer's router counted any (the
// client-server mode has none).
func downloadParts(viewers []viewerResult, bitrate int64, streamStart time.Time, minPresence time.Duration) *DownloadParts {
	var sum DownloadParts
	n, counted := 0, false
	for _, v := range viewers {
		present := v.presence(streamStart)
		if present < minPresence {
			continue
		}
		n++
		r := v.Received
		counted = counted || r.Total > 0
		x := func(b uint64) float64 { return float64(b) / (float64(bitrate) * present.Seconds()) }
		sum.ChunkData += x(r.FirstPayload)
		sum.ChunkHeaders += x(r.FirstHeaders)
		sum.Duplicates += x(r.Duplicates)
		sum.IHave += x(r.IHave)
		sum.IDontWant += x(r.IDontWant)
		sum.IWant += x(r.IWant)
		sum.Other += x(r.Other())
		if v.BytesIn > r.Total {
			sum.Outside += x(v.BytesIn - r.Total)
		}
	}
	if !counted {
		return nil
	}
	k := 1 / float64(n)
	return &DownloadParts{
		ChunkData: sum.ChunkData * k, ChunkHeaders: sum.ChunkHeaders * k, Duplicates: sum.Duplicates * k,
		IHave: sum.IHave * k, IDontWant: sum.IDontWant * k, IWant: sum.IWant * k, Other: sum.Other * k, Outside: sum.Outside * k,
	}
}

// duplicatesPerChunk is extra copies received per chunk delivered.
func duplicatesPerChunk(viewers []viewerResult) float64 {
	var delivered, dups uint64
	for _, v := range viewers {
		delivered += v.Delivered
		dups += v.Duplicates
	}
	if delivered == 0 {
		return 0
	}
	return float64(dups) / float64(delivered)
}

// duplicateCauses splits duplicates per chunk delivered by cause; nil
// when no viewer's router counted any (the client-server mode has none).
func duplicateCauses(viewers []viewerResult) *DuplicateCauses {
	var delivered uint64
	var sum relay.DuplicateCauses
	for _, v := range viewers {
		delivered += v.Delivered
		sum.Pulled += v.Causes.Pulled
		sum.Crossed += v.Causes.Crossed
		sum.Late += v.Causes.Late
		sum.Other += v.Causes.Other
	}
	if delivered == 0 || sum == (relay.DuplicateCauses{}) {
		return nil
	}
	per := func(n uint64) float64 { return float64(n) / float64(delivered) }
	return &DuplicateCauses{Pulled: per(sum.Pulled), Crossed: per(sum.Crossed), Late: per(sum.Late), Other: per(sum.Other)}
}

// quantiles returns the nearest-rank quantiles of xs (which it sorts).
func quantiles[T int64 | float64 | time.Duration](xs []T, qs ...float64) []T {
	slices.Sort(xs)
	out := make([]T, len(qs))
	for i, q := range qs {
		out[i] = broadcast.Percentile(xs, q)
	}
	return out
}

func mean(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	var sum float64
	for _, x := range xs {
		sum += x
	}
	return sum / float64(len(xs))
}
