package broadcast

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPlayout(t *testing.T) {
	small := PlayoutConfig{Capacity: 4, Deadline: 2 * time.Second, StartHold: ms(250)}
	tests := []struct {
		name    string
		cfg     PlayoutConfig // zero: DefaultPlayoutConfig
		moments []moment
		want    PlayoutStats
		ended   bool
	}{
		{
			name: "in order from the stream start",
			moments: concat(
				[]moment{{at: ms(50), ins: []sentChunk{sc(100, 0, ss|cs)}, pops: []uint64{100}, wake: wakeNever}},
				steady(101, 104, 40),
			),
			want: PlayoutStats{Played: 5},
		},
		{
			name: "reordered chunk plays as soon as the gap fills",
			moments: []moment{
				{at: ms(50), ins: []sentChunk{sc(100, 0, ss)}, pops: []uint64{100}},
				{at: ms(90), ins: []sentChunk{sc(101, 40)}, pops: []uint64{101}},
				{at: ms(170), ins: []sentChunk{sc(103, 120)}, wake: wakeAt(ms(2170))},
				{at: ms(180), ins: []sentChunk{sc(102, 80)}, pops: []uint64{102, 103}, wake: wakeNever},
			},
			want: PlayoutStats{Played: 4},
		},
		{
			name: "late and duplicate chunks are counted and dropped",
			moments: []moment{
				{at: ms(50), ins: []sentChunk{sc(100, 0, ss)}, pops: []uint64{100}},
				{at: ms(90), ins: []sentChunk{sc(101, 40)}, pops: []uint64{101}},
				{at: ms(170), ins: []sentChunk{sc(103, 120)}},
				{at: ms(175), ins: []sentChunk{sc(103, 120)}},
				{at: ms(180), ins: []sentChunk{sc(102, 80)}, pops: []uint64{102, 103}},
				{at: ms(200), ins: []sentChunk{sc(101, 40), sc(99, -40)}, wake: wakeNever},
			},
			want: PlayoutStats{Played: 4, Duplicates: 1, Late: 2},
		},
		{
			name: "missing chunk is skipped at the next chunk's deadline",
			moments: []moment{
				{at: ms(50), ins: []sentChunk{sc(100, 0, ss)}, pops: []uint64{100}},
				{at: ms(130), ins: []sentChunk{sc(102, 80)}, wake: wakeAt(ms(2130))},
				{at: ms(2129), wake: wakeAt(ms(2130))},
				{at: ms(2130), pops: []uint64{102}, wake: wakeNever},
				{at: ms(2200), ins: []sentChunk{sc(103, 120)}, pops: []uint64{103}},
				{at: ms(2300), ins: []sentChunk{sc(101, 40)}},
			},
			want: PlayoutStats{Played: 3, Skipped: 1, Late: 1},
		},
		{
			name: "restart jumps to the new run without skipping",
			moments: []moment{
				{at: ms(50), ins: []sentChunk{sc(100, 0, ss)}, pops: []uint64{100}},
				{at: ms(90), ins: []sentChunk{sc(101, 40)}, pops: []uint64{101}},
				{at: ms(1000), ins: []sentChunk{sc(900_000, 950, ss|cs)}, pops: []uint64{900_000}},
				{at: ms(1040), ins: []sentChunk{sc(900_001, 990)}, pops: []uint64{900_001}},
			},
			want: PlayoutStats{Played: 4, Restarts: 1},
		},
		{
			name: "restart waits for the old run's buffered chunks",
			moments: []moment{
				{at: ms(50), ins: []sentChunk{sc(100, 0, ss)}, pops: []uint64{100}},
				{at: ms(170), ins: []sentChunk{sc(103, 120)}, wake: wakeAt(ms(2170))},
				{at: ms(300), ins: []sentChunk{sc(900_000, 250, ss|cs)}, wake: wakeAt(ms(2170))},
				{at: ms(2170), pops: []uint64{103, 900_000}},
				{at: ms(2200), ins: []sentChunk{sc(102, 80)}},
			},
			want: PlayoutStats{Played: 3, Skipped: 2, Restarts: 1, Late: 1},
		},
		{
			name: "end of stream ends playout",
			moments: []moment{
				{at: ms(50), ins: []sentChunk{sc(100, 0, ss)}, pops: []uint64{100}},
				{at: ms(90), ins: []sentChunk{sc(101, 40)}, pops: []uint64{101}},
				{at: ms(130), ins: []sentChunk{sc(102, 80, eos)}, pops: []uint64{102}, wake: wakeNever},
				{at: ms(200), ins: []sentChunk{sc(103, 120), sc(0, 150, ss)}, wake: wakeNever},
			},
			want:  PlayoutStats{Played: 3, Late: 2},
			ended: true,
		},
		{
			name: "chunks held beyond the end of stream are late",
			moments: []moment{
				{at: ms(50), ins: []sentChunk{sc(100, 0, ss)}, pops: []uint64{100}},
				{at: ms(130), ins: []sentChunk{sc(102, 80, eos)}},
				{at: ms(140), ins: []sentChunk{sc(103, 90)}, wake: wakeAt(ms(2130))},
				{at: ms(2130), pops: []uint64{102}, wake: wakeNever},
			},
			want:  PlayoutStats{Played: 2, Skipped: 1, Late: 1},
			ended: true,
		},
		{
			name: "full buffer gives up the gap and its lowest chunk",
			cfg:  small,
			moments: []moment{
				{at: ms(50), ins: []sentChunk{sc(100, 0, ss)}, pops: []uint64{100}},
				{at: ms(130), ins: []sentChunk{sc(102, 80)}},
				{at: ms(170), ins: []sentChunk{sc(103, 120)}},
				{at: ms(210), ins: []sentChunk{sc(104, 160)}},
				{at: ms(250), ins: []sentChunk{sc(105, 200)}},
				{at: ms(290), ins: []sentChunk{sc(106, 240)}, pops: []uint64{103, 104, 105, 106}},
			},
			want: PlayoutStats{Played: 5, Skipped: 1, Overflowed: 1},
		},
		{
			name: "slow reader loses the oldest chunks, not the newest",
			cfg:  small,
			moments: []moment{
				{at: ms(50), ins: []sentChunk{sc(100, 0, ss)}, busy: true},
				{at: ms(90), ins: []sentChunk{sc(101, 40)}, busy: true},
				{at: ms(130), ins: []sentChunk{sc(102, 80)}, busy: true},
				{at: ms(170), ins: []sentChunk{sc(103, 120)}, busy: true},
				{at: ms(210), ins: []sentChunk{sc(104, 160)}, busy: true},
				{at: ms(250), ins: []sentChunk{sc(105, 200)}, busy: true},
				{at: ms(260), pops: []uint64{102, 103, 104, 105}},
			},
			want: PlayoutStats{Played: 4, Overflowed: 2},
		},
		{
			name: "joiner starts at the lowest clean start seen within the hold",
			moments: []moment{
				{at: ms(0), ins: []sentChunk{sc(11, -50, cs)}, wake: wakeAt(ms(250))},
				{at: ms(100), ins: []sentChunk{sc(10, 50, cs)}, wake: wakeAt(ms(250))},
				{at: ms(120), ins: []sentChunk{sc(12, 70)}},
				{at: ms(250), pops: []uint64{10, 11, 12}},
			},
			want: PlayoutStats{Played: 3},
		},
		{
			name: "late joiner discards what precedes its start point",
			moments: []moment{
				{at: ms(0), ins: []sentChunk{sc(50, -50)}, wake: wakeNever},
				{at: ms(40), ins: []sentChunk{sc(51, -10)}, wake: wakeNever},
				{at: ms(80), ins: []sentChunk{sc(52, 30, cs)}, wake: wakeAt(ms(250))},
				{at: ms(120), ins: []sentChunk{sc(53, 70)}},
				{at: ms(160), ins: []sentChunk{sc(54, 110)}},
				{at: ms(200), ins: []sentChunk{sc(55, 150, cs)}},
				{at: ms(240), ins: []sentChunk{sc(56, 190)}, wake: wakeAt(ms(250))},
				{at: ms(250), pops: []uint64{52, 53, 54, 55, 56}},
				{at: ms(280), ins: []sentChunk{sc(57, 230)}, pops: []uint64{57}},
				{at: ms(300), ins: []sentChunk{sc(51, -10)}},
			},
			want: PlayoutStats{Played: 6, Discarded: 2, Late: 1},
		},
		{
			name: "joiner commits to a clean start that arrives after the hold",
			moments: []moment{
				{at: ms(0), ins: []sentChunk{sc(10, -50)}},
				{at: ms(40), ins: []sentChunk{sc(11, -10)}},
				{at: ms(260), wake: wakeNever},
				{at: ms(300), ins: []sentChunk{sc(12, 250, cs)}, pops: []uint64{12}},
			},
			want: PlayoutStats{Played: 1, Discarded: 2},
		},
		{
			name: "joiner starts at a stream start at once",
			moments: []moment{
				{at: ms(0), ins: []sentChunk{sc(7, -50, cs)}, wake: wakeAt(ms(250))},
				{at: ms(10), ins: []sentChunk{sc(5, -130, ss|cs)}, pops: []uint64{5}, wake: wakeAt(ms(2000))},
				{at: ms(2000), pops: []uint64{7}},
			},
			want: PlayoutStats{Played: 2, Skipped: 1},
		},
		{
			name: "joiner without a start point plays nothing and stays bounded",
			cfg:  small,
			moments: []moment{
				{at: ms(0), ins: []sentChunk{sc(10, 0), sc(11, 0), sc(12, 0), sc(13, 0)}},
				{at: ms(100), ins: []sentChunk{sc(14, 0), sc(15, 0), sc(16, 0)}},
				{at: ms(900), ins: []sentChunk{sc(17, 0), sc(18, 0), sc(19, 0)}, wake: wakeNever},
			},
			want: PlayoutStats{Discarded: 6, Buffered: 4},
		},
		{
			name: "joiner that only sees the end of stream ends",
			moments: []moment{
				{at: ms(0), ins: []sentChunk{sc(10, -50)}},
				{at: ms(40), ins: []sentChunk{sc(11, -10, eos)}, wake: wakeAt(ms(250))},
				{at: ms(250), wake: wakeNever},
			},
			want:  PlayoutStats{Discarded: 2},
			ended: true,
		},
		{
			name: "stray far-ahead chunk waits while the stream flows",
			cfg:  small, // far ahead means more than 16 above next
			moments: concat(
				[]moment{
					{at: ms(50), ins: []sentChunk{sc(100, 0, ss)}, pops: []uint64{100}},
					{at: ms(60), ins: []sentChunk{sc(5000, 10)}, wake: wakeAt(ms(2060))},
				},
				steady(101, 160, 40), // until 2450 ms
				[]moment{
					{at: ms(2450), wake: wakeAt(ms(4450))},
					{at: ms(4449)},
					{at: ms(4450), pops: []uint64{5000}},
				},
			),
			want: PlayoutStats{Played: 62, Restarts: 1},
		},
		{
			name: "new run whose first chunk was lost is joined once the old one is quiet",
			cfg:  small,
			moments: []moment{
				{at: ms(50), ins: []sentChunk{sc(100, 0, ss)}, pops: []uint64{100}},
				{at: ms(90), ins: []sentChunk{sc(101, 40)}, pops: []uint64{101}},
				{at: ms(1000), ins: []sentChunk{sc(900_001, 950)}, wake: wakeAt(ms(3000))},
				{at: ms(1040), ins: []sentChunk{sc(900_002, 990)}},
				{at: ms(3000), pops: []uint64{900_001, 900_002}},
			},
			want: PlayoutStats{Played: 4, Restarts: 1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := tt.cfg
			if cfg == (PlayoutConfig{}) {
				cfg = DefaultPlayoutConfig()
			}
			p := runPlayout(t, NewPlayout(cfg), 0, tt.moments)
			assert.Equal(t, tt.want, p.Stats())
			assert.Equal(t, tt.ended, p.Ended())
		})
	}
}

// TestPlayoutClockSkew runs one scenario with the broadcaster's clock an
// hour behind, in step with, and an hour ahead of the viewer's: deadlines
// fall at the same viewer time.
func TestPlayoutClockSkew(t *testing.T) {
	for _, skew := range []time.Duration{-time.Hour, 0, time.Hour} {
		t.Run(skew.String(), func(t *testing.T) {
			p := runPlayout(t, NewPlayout(DefaultPlayoutConfig()), skew, []moment{
				// The first chunk took a slow path (300 ms); the offset
				// estimate improves with the next one (50 ms).
				{at: ms(300), ins: []sentChunk{sc(100, 0, ss)}, pops: []uint64{100}},
				{at: ms(310), ins: []sentChunk{sc(102, 260)}, wake: wakeAt(ms(2310))},
				{at: ms(2309), wake: wakeAt(ms(2310))},
				{at: ms(2310), pops: []uint64{102}},
			})
			assert.Equal(t, PlayoutStats{Played: 2, Skipped: 1}, p.Stats())
		})
	}
}

func TestNewPlayoutFillsDefaults(t *testing.T) {
	p := NewPlayout(PlayoutConfig{Capacity: -1, StartHold: -time.Second})
	assert.Equal(t, PlayoutConfig{Capacity: 512, Deadline: 2 * time.Second}, p.cfg)
	assert.Equal(t, PlayoutConfig{Capacity: 512, Deadline: 2 * time.Second, StartHold: 250 * time.Millisecond}, DefaultPlayoutConfig())

	_, ok := p.NextWake(t0)
	assert.False(t, ok)
	_, ok = p.Pop(t0)
	assert.False(t, ok)
	require.False(t, p.Ended())
}
