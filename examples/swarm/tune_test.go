package main

import (
	"testing"
	"time"

	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseTune(t *testing.T) {
	tune, err := parseTune("viewer.Dlazy=0, source.D=3,adsl.Dhi=2,all.history=1,all.opgraft=0")
	require.NoError(t, err)
	assert.Equal(t, "adsl.Dhi=2,all.history=1,all.opgraft=0,source.D=3,viewer.Dlazy=0", tune.String())

	base := pubsub.DefaultGossipSubParams()
	p, ok := tune.apply(base, "all", "viewer", "adsl")
	require.True(t, ok)
	assert.Equal(t, 0, p.Dlazy)
	assert.Equal(t, 2, p.Dhi)
	assert.Equal(t, base.D, p.D, "source.D is not a viewer's")
	assert.Equal(t, 1, p.HistoryGossip)
	assert.Equal(t, 3, p.HistoryLength)
	assert.Greater(t, p.OpportunisticGraftTicks, uint64(1<<20), "0 turns it off")

	p, ok = mustTune(t, "all.backoff=5").apply(base, "all", "viewer")
	require.True(t, ok)
	assert.Equal(t, 5*time.Second, p.PruneBackoff)
	assert.Equal(t, 5*time.Second, p.GraftFloodThreshold, "a GRAFT as a 5 s backoff ends is no flood")

	p, ok = Tune{}.apply(base, "all", "source")
	assert.False(t, ok)
	assert.Equal(t, base, p)

	for _, bad := range []string{"D=3", "viewer.Dx=1", "viewer.D=-1", "viewer.D=x", ".D=1", "viewer.D"} {
		_, err := parseTune(bad)
		assert.Error(t, err, bad)
	}

	node, err := parseTune("all.burst=16384,viewer.skipheld=0")
	require.NoError(t, err)
	assert.Len(t, node.nodeOptions("all", "viewer"), 2, "node settings become peer options")
	assert.Empty(t, node.nodeOptions("source"))
	_, changed := node.apply(base, "all", "viewer")
	assert.False(t, changed, "they are not router parameters")
}

func mustTune(t *testing.T, s string) Tune {
	t.Helper()
	tune, err := parseTune(s)
	require.NoError(t, err)
	return tune
}
