package directory

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/stretchr/testify/assert"
)

func TestScaleFor(t *testing.T) {
	for viewers, want := range map[int]int{
		-5: 1, 0: 1, 1: 1, BeatTarget: 1, BeatTarget + 1: 2, 1000: 16, 64_000: 1000,
		1 << 40: MaxScale,
	} {
		assert.Equal(t, want, ScaleFor(viewers), "ScaleFor(%d)", viewers)
	}
}

// audience simulates viewers that each beat at phase + k × period with
// probability 1/S, S being the latest scale announced; announcements come
// every interval, and the estimator feeds the scale back as an Announcer
// does. It steps simulated time; nothing sleeps.
type audience struct {
	rng      *rand.Rand
	est      *Estimator
	period   time.Duration
	interval time.Duration
	ids      []peer.ID
	phases   []time.Duration
	scale    int
	start    time.Time // where the next run begins
	beats    int       // beats sent, all periods
}

func newAudience(n int, seed uint64) *audience {
	a := &audience{
		rng:      rand.New(rand.NewPCG(seed, 1)),
		est:      NewEstimator(DefaultPeriod, DefaultMaxAuthors),
		period:   DefaultPeriod,
		interval: DefaultInterval,
		scale:    1,
		start:    epoch,
	}
	for i := range n {
		a.ids = append(a.ids, peer.ID(fmt.Sprint("viewer-", i)))
		a.phases = append(a.phases, time.Duration(a.rng.Int64N(int64(DefaultPeriod))))
	}
	a.est.Announced(1, epoch)
	return a
}

// run simulates d from a.start and returns the estimate each announcement
// carried.
func (a *audience) run(d time.Duration) []int {
	type beat struct {
		at     time.Duration
		viewer int
	}
	var beats []beat
	for i, phase := range a.phases {
		for at := phase; at < d; at += a.period {
			beats = append(beats, beat{at, i})
		}
	}
	slices.SortFunc(beats, func(x, y beat) int { return int(x.at - y.at) })
	var estimates []int
	next := 0
	for tick := a.interval; tick <= d; tick += a.interval {
		for ; next < len(beats) && beats[next].at < tick; next++ {
			b := beats[next]
			if a.rng.IntN(a.scale) == 0 {
				a.est.Add(a.ids[b.viewer], a.scale, a.start.Add(b.at))
				a.beats++
			}
		}
		n := a.est.Estimate(a.start.Add(tick))
		estimates = append(estimates, n)
		a.scale = ScaleFor(n)
		a.est.Announced(a.scale, a.start.Add(tick))
	}
	a.start = a.start.Add(d)
	return estimates
}

func TestEstimateOf1000Viewers(t *testing.T) {
	const viewers, runs = 1000, 5
	var all []int
	for seed := range uint64(runs) {
		a := newAudience(viewers, seed+1)
		estimates := a.run(20 * time.Minute)
		// The first period fills the window while S climbs from 1.
		settled := estimates[3:]
		assert.InDelta(t, 16, a.scale, 5, "S follows ceil(estimate/64), about 16")
		sum := 0
		for i, n := range settled {
			sum += n
			// 4 standard errors: never seen, but possible.
			assert.InDelta(t, viewers, n, viewers*0.5, "seed %d, announcement %d", seed+1, i+3)
		}
		mean := float64(sum) / float64(len(settled))
		assert.InDelta(t, viewers, mean, viewers*0.05, "seed %d: the estimate is unbiased", seed+1)
		beatsPerPeriod := float64(a.beats) / float64(20*time.Minute/DefaultPeriod)
		assert.Less(t, beatsPerPeriod, 1.5*BeatTarget, "seed %d: beats stay near the target", seed+1)
		t.Logf("seed %d: mean estimate %.0f, range %d..%d, %.0f beats per period",
			seed+1, mean, slices.Min(settled), slices.Max(settled), beatsPerPeriod)
		all = append(all, settled...)
	}
	// The relative standard error is sqrt((S-1)/N) = 12.2%, so ±30% is
	// 2.46 standard errors: about 98.6% of estimates, not all of them.
	within := 0
	for _, n := range all {
		if n >= viewers*70/100 && n <= viewers*130/100 {
			within++
		}
	}
	share := float64(within) / float64(len(all))
	t.Logf("%d estimates, %.1f%% within ±30%%", len(all), 100*share)
	assert.GreaterOrEqual(t, share, 0.95, "share of estimates within ±30%")
}

func TestEstimateFollowsAGrowingAudience(t *testing.T) {
	// 10 viewers for a while, then 5000: S jumps from 1 to 79 and viewers
	// learn it an interval later. Weighing each beat by its own S keeps
	// the estimate from overshooting and oscillating.
	a := newAudience(10, 3)
	small := a.run(2 * time.Minute)
	assert.Equal(t, 10, small[len(small)-1], "exact at S = 1")

	big := newAudience(5000, 4)
	big.est, big.scale, big.start = a.est, a.scale, a.start
	estimates := big.run(10 * time.Minute)
	for i, n := range estimates[3:] {
		assert.InDelta(t, 5000, n, 5000*0.35, "announcement %d", i+3)
	}
	t.Logf("growing audience: estimates %v", estimates)
}

func TestEstimatorCapsClaimedScale(t *testing.T) {
	e := NewEstimator(30*time.Second, 100)
	e.Announced(4, epoch)
	e.Add("honest", 4, epoch.Add(time.Second))
	e.Add("liar", 1000, epoch.Add(time.Second))
	assert.Equal(t, 8, e.Estimate(epoch.Add(2*time.Second)), "no beat weighs more than the largest announced scale")
}

func TestEstimatorWindowAndBound(t *testing.T) {
	e := NewEstimator(30*time.Second, 3)
	e.Announced(1, epoch)
	for i := range 5 {
		e.Add(peer.ID(fmt.Sprint("v", i)), 1, epoch.Add(time.Duration(i)*time.Second))
	}
	assert.Equal(t, 3, e.authors.Len(), "bounded to maxAuthors")
	assert.Equal(t, 3, e.Estimate(epoch.Add(5*time.Second)))
	e.Add("v4", 1, epoch.Add(6*time.Second)) // the same author again counts once
	assert.Equal(t, 3, e.Estimate(epoch.Add(6*time.Second)))
	assert.Equal(t, 1, e.Estimate(epoch.Add(35*time.Second)), "beats older than the window are gone")
	assert.Equal(t, 0, e.Estimate(epoch.Add(time.Minute)))
}
