package relay

import (
	"fmt"
	"testing"

	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// checkParams repeats pubsub's GossipSubParams.validate, which is unexported,
// plus the rule it leaves out: Dscore <= D, since pruning keeps Dscore peers
// by score out of D.
func checkParams(p pubsub.GossipSubParams) error {
	switch {
	case p.HistoryGossip > p.HistoryLength:
		return fmt.Errorf("HistoryGossip=%d > HistoryLength=%d", p.HistoryGossip, p.HistoryLength)
	case !(p.Dlo <= p.D && p.D <= p.Dhi):
		return fmt.Errorf("want Dlo=%d <= D=%d <= Dhi=%d", p.Dlo, p.D, p.Dhi)
	case p.Dscore > p.Dhi || p.Dscore > p.D:
		return fmt.Errorf("Dscore=%d > D=%d or Dhi=%d", p.Dscore, p.D, p.Dhi)
	case !(p.Dout < p.Dlo && p.Dout < p.D/2):
		return fmt.Errorf("want Dout=%d < Dlo=%d and < D/2=%d", p.Dout, p.Dlo, p.D/2)
	case p.Dout < 0 || p.Dscore < 0 || p.Dlazy < 0:
		return fmt.Errorf("negative Dout=%d Dscore=%d Dlazy=%d", p.Dout, p.Dscore, p.Dlazy)
	}
	return nil
}

// multiples are the budgets, in copies of the stream before overhead, the
// degree table is checked over.
var multiples = []float64{0.5, 0.75, 1, 1.5, 2, 2.5, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14, 16, 20}

func TestDegreeTable(t *testing.T) {
	for _, role := range []Role{RoleViewer, RoleSource} {
		// floor is the least Dhi the role gets; back is how many mesh peers
		// a chunk is not sent to (a viewer's, the one it came from).
		back := 0
		if role == RoleViewer {
			back = 1
		}
		var prev Degree
		for i, x := range multiples {
			b := Multiple(testBitrate, x)
			floor := floorOf(b, role)
			d := b.Degree(testBitrate, role)
			p := b.GossipSubParams(testBitrate, role)
			name := fmt.Sprintf("%v at %v×: %+v", role, x, d)

			require.NoError(t, checkParams(p), name)
			assert.GreaterOrEqual(t, d.Dlo, MinDegree, name)
			assert.GreaterOrEqual(t, d.Dhi, floor, name)
			assert.LessOrEqual(t, d.Dhi, MaxDegree, name)
			assert.Equal(t, Degree{p.D, p.Dlo, p.Dhi, p.Dout, p.Dscore, p.Dlazy}, d, name)
			if i > 0 {
				assert.True(t, monotone(prev, d), "not monotone: %+v then %s", prev, name)
			}
			prev = d

			// Gossip repair comes from viewers with upload to spare; a
			// source's IHAVEs, or an oversubscribed viewer's, would draw
			// IWANTs on an uplink that has nothing left for them.
			if role == RoleSource || b.Oversubscribed(testBitrate, role) || floor == MinDegree {
				assert.Zero(t, d.Dlazy, name)
			} else {
				assert.Positive(t, d.Dlazy, name)
			}

			// Worst case (Dhi sends, less the peer a viewer heard from)
			// fits the budget wherever the floor does not apply, and the
			// budget is oversubscribed exactly when the floor asks for
			// more copies than it carries.
			sends := d.Dhi - back
			c := b.Copies(testBitrate)
			if d.Dhi > floor {
				assert.LessOrEqual(t, sends, c, name)
			}
			assert.Equal(t, c < floor-back, b.Oversubscribed(testBitrate, role), "oversubscribed: %s, %d copies", name, c)
		}
	}

	small := Multiple(testBitrate, 1)
	assert.Equal(t, Degree{D: 2, Dlo: 2, Dhi: MinDegree, Dout: 0, Dscore: 1, Dlazy: 0}, small.Degree(testBitrate, RoleViewer), "1× viewer: a leaf")
	assert.Equal(t, Degree{D: 2, Dlo: 2, Dhi: MinDegree, Dout: 0, Dscore: 1, Dlazy: 0}, small.Degree(testBitrate, RoleSource), "1× source")
	fibre := Multiple(testBitrate, 10)
	assert.InDelta(t, 10, fibre.Degree(testBitrate, RoleViewer).Dhi, 1, "10× viewer")
	assert.InDelta(t, 10, fibre.Degree(testBitrate, RoleSource).Dhi, 1, "10× source")
	assert.Equal(t, MaxDegree, Multiple(testBitrate, 20).Degree(testBitrate, RoleViewer).Dhi)
	assert.Equal(t, MaxDegree, Multiple(testBitrate, 20).Degree(testBitrate, RoleSource).Dhi)
}

// TestDegreeDoc pins the table in doc.go, oversubscribed marks included.
func TestDegreeDoc(t *testing.T) {
	floor := Degree{D: 3, Dlo: 2, Dhi: 4, Dout: 0, Dscore: 2, Dlazy: 0}
	leaf := Degree{D: 2, Dlo: 2, Dhi: 2, Dout: 0, Dscore: 1, Dlazy: 0}
	for _, tc := range []struct {
		name           string
		b              Budget
		viewer, source Degree
		overV, overS   bool
	}{
		{"1×", Multiple(testBitrate, 1), leaf, Degree{D: 2, Dlo: 2, Dhi: 2, Dout: 0, Dscore: 1, Dlazy: 0}, true, true},
		{"ADSL", ADSL(), leaf, Degree{D: 2, Dlo: 2, Dhi: 2, Dout: 0, Dscore: 1, Dlazy: 0}, false, true},
		{"3×", Multiple(testBitrate, 3), floor, Degree{D: 2, Dlo: 2, Dhi: 2, Dout: 0, Dscore: 1, Dlazy: 0}, true, false},
		{"4×", Multiple(testBitrate, 4), Degree{D: 3, Dlo: 2, Dhi: 4, Dout: 0, Dscore: 2, Dlazy: 4}, Degree{D: 2, Dlo: 2, Dhi: 3, Dout: 0, Dscore: 1, Dlazy: 0}, false, false},
		{"Cable", Cable(),
			Degree{D: 6, Dlo: 5, Dhi: 7, Dout: 2, Dscore: 4, Dlazy: 6},
			Degree{D: 5, Dlo: 4, Dhi: 6, Dout: 1, Dscore: 3, Dlazy: 0}, false, false},
		{"10×", Multiple(testBitrate, 10),
			Degree{D: 8, Dlo: 6, Dhi: 10, Dout: 3, Dscore: 5, Dlazy: 6},
			Degree{D: 7, Dlo: 6, Dhi: 9, Dout: 2, Dscore: 4, Dlazy: 0}, false, false},
		{"Fibre", Fibre(),
			Degree{D: 9, Dlo: 7, Dhi: 12, Dout: 3, Dscore: 6, Dlazy: 6},
			Degree{D: 9, Dlo: 7, Dhi: 12, Dout: 3, Dscore: 6, Dlazy: 0}, false, false},
	} {
		assert.Equal(t, tc.viewer, tc.b.Degree(testBitrate, RoleViewer), "%s viewer", tc.name)
		assert.Equal(t, tc.source, tc.b.Degree(testBitrate, RoleSource), "%s source", tc.name)
		assert.Equal(t, tc.overV, tc.b.Oversubscribed(testBitrate, RoleViewer), "%s viewer oversubscribed", tc.name)
		assert.Equal(t, tc.overS, tc.b.Oversubscribed(testBitrate, RoleSource), "%s source oversubscribed", tc.name)
	}
	assert.Equal(t, Degree{D: 9, Dlo: 7, Dhi: MaxDegree, Dout: 3, Dscore: 6, Dlazy: 6}, Budget{}.Degree(testBitrate, RoleViewer), "unlimited viewer")
	assert.Equal(t, Degree{D: 9, Dlo: 7, Dhi: MaxDegree, Dout: 3, Dscore: 6, Dlazy: 0}, Budget{}.Degree(testBitrate, RoleSource), "unlimited source")
}

// TestDegreeEveryBudget checks pubsub's constraints, monotonicity and the
// role's floor and gossip over every copy count, invalid budgets and
// degenerate bitrates included.
func TestDegreeEveryBudget(t *testing.T) {
	for _, role := range []Role{RoleViewer, RoleSource} {
		check := func(b Budget, bitrate int64) Degree {
			t.Helper()
			floor := MinDegree
			if role == RoleViewer && !b.leaf(bitrate, role) {
				floor = MinViewerDegree
			}
			d := b.Degree(bitrate, role)
			name := fmt.Sprintf("%v %+v bitrate %d: %+v", role, b, bitrate, d)
			require.NoError(t, checkParams(b.GossipSubParams(bitrate, role)), name)
			require.GreaterOrEqual(t, d.Dhi, floor, name)
			if role == RoleSource {
				require.Zero(t, d.Dlazy, name)
			}
			return d
		}
		var prev Degree
		for up := int64(-1); up <= 20*41250; up += 1031 {
			d := check(Budget{Upload: up}, testBitrate)
			if up > 1031 { // from one cap to the next
				require.True(t, monotone(prev, d), "%v upload %d: %+v after %+v", role, up, d, prev)
			}
			prev = d
		}
		for _, bitrate := range []int64{-1, 0, 1, 1 << 62} {
			for _, b := range []Budget{{}, {Upload: -1}, {Upload: 1}, ADSL()} {
				check(b, bitrate)
			}
		}
	}
}

// floorOf is the least Dhi a budget gets: MinDegree for a source or a
// leaf, MinViewerDegree for any other viewer.
func floorOf(b Budget, role Role) int {
	if role == RoleSource || b.leaf(testBitrate, role) {
		return MinDegree
	}
	return MinViewerDegree
}

func monotone(a, b Degree) bool {
	return b.D >= a.D && b.Dlo >= a.Dlo && b.Dhi >= a.Dhi && b.Dout >= a.Dout && b.Dscore >= a.Dscore && b.Dlazy >= a.Dlazy
}

func TestGossipSubParamsChanges(t *testing.T) {
	p := Fibre().GossipSubParams(testBitrate, RoleViewer)
	def := pubsub.DefaultGossipSubParams()
	assert.Zero(t, p.GossipFactor)
	assert.Equal(t, IWantFollowup, p.IWantFollowupTime)
	assert.Equal(t, uint64(OpportunisticGraftTicks), p.OpportunisticGraftTicks)
	assert.Less(t, p.IDontWantMessageThreshold, MinChunkSize, "every chunk triggers IDONTWANT")
	assert.Greater(t, p.IDontWantMessageThreshold, MaxDegree*32, "an IDONTWANT is smaller than its message")
	// Untouched settings stay pubsub's.
	assert.Equal(t, def.HeartbeatInterval, p.HeartbeatInterval)
	assert.Equal(t, def.PruneBackoff, p.PruneBackoff)
	// Gossip is bounded against floods and leeches.
	assert.Equal(t, MaxIHaveLength, p.MaxIHaveLength)
	assert.Equal(t, MaxIHaveMessages, p.MaxIHaveMessages)
	assert.Greater(t, MaxIHaveMessages, def.MaxIHaveMessages+int(MaxBitrate/MinChunkSize), "a lazy neighbour's announcements fit")
	assert.Greater(t, MaxIHaveLength, HistoryGossip*int(MaxBitrate/MinChunkSize), "an honest IHAVE fits")
	assert.Equal(t, ViewerGossipRetransmission, p.GossipRetransmission)
	assert.Equal(t, 0, Fibre().GossipSubParams(testBitrate, RoleSource).GossipRetransmission, "the source answers no IWANT")
}

func TestRoleString(t *testing.T) {
	assert.Equal(t, "viewer", RoleViewer.String())
	assert.Equal(t, "source", RoleSource.String())
	assert.Equal(t, "Role(7)", Role(7).String())
}
