package broadcast

import (
	"encoding/binary"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestPlayoutInvariants drives playouts with seeded random streams (loss,
// reordering, duplicates, restarts, an end) on a stepped clock and checks
// what must hold whatever the scenario:
//   - every inserted chunk is accounted for exactly once in the stats;
//   - the buffer never holds more than Capacity;
//   - Pop returns strictly increasing sequence numbers with their payloads;
//   - after Pop(now) returns nothing, NextWake(now) is later than now.
func TestPlayoutInvariants(t *testing.T) {
	for seed := uint64(0); seed < 200; seed++ {
		rng := rand.New(rand.NewPCG(seed, 42))
		cfg := PlayoutConfig{
			Capacity:  1 + rng.IntN(40),
			Deadline:  time.Duration(1+rng.IntN(500)) * time.Millisecond,
			StartHold: time.Duration(rng.IntN(300)) * time.Millisecond,
		}
		p := NewPlayout(cfg)
		skew := time.Duration(rng.Int64N(int64(2*time.Hour))) - time.Hour
		now := t0
		var inserted uint64
		var popped []uint64
		seq := uint64(rng.IntN(1000))
		runStart := true
		for step := 0; step < 600; step++ {
			now = now.Add(time.Duration(rng.IntN(30)) * time.Millisecond)
			switch r := rng.IntN(100); {
			case r < 70: // a chunk, maybe lost, delayed or doubled
				flags := Flags(0)
				if runStart {
					flags |= FlagStreamStart | FlagCleanStart
					runStart = false
				} else if rng.IntN(10) == 0 {
					flags |= FlagCleanStart
				}
				if rng.IntN(300) == 0 {
					flags |= FlagEndOfStream
				}
				s := seq + uint64(rng.IntN(4)) // reordering
				seq++
				if rng.IntN(8) == 0 {
					break // lost
				}
				payload := binary.BigEndian.AppendUint64(nil, s)
				sent := now.Add(skew - time.Duration(rng.IntN(200))*time.Millisecond)
				for n := 1 + rng.IntN(2); n > 0; n-- {
					p.Insert(Chunk{Seq: s, Time: sent, Flags: flags, Payload: payload}, now)
					inserted++
				}
			case r < 72: // a new run, well above the old one
				seq += 1_000_000 + uint64(rng.IntN(1000))
				runStart = true
			default: // the reader drains
				for {
					c, ok := p.Pop(now)
					if !ok {
						break
					}
					require.Equal(t, c.Seq, binary.BigEndian.Uint64(c.Payload), "seed %d", seed)
					if n := len(popped); n > 0 {
						require.Greater(t, c.Seq, popped[n-1], "seed %d", seed)
					}
					popped = append(popped, c.Seq)
				}
				if wake, ok := p.NextWake(now); ok {
					require.True(t, wake.After(now), "seed %d step %d", seed, step)
				}
			}
			st := p.Stats()
			require.LessOrEqual(t, st.Buffered, cfg.Capacity, "seed %d", seed)
			accounted := st.Played + st.Late + st.Duplicates + st.Overflowed + st.Discarded + uint64(st.Buffered)
			require.Equal(t, inserted, accounted, "seed %d step %d: %+v", seed, step, st)
			require.Equal(t, uint64(len(popped)), st.Played, "seed %d", seed)
		}
	}
}
