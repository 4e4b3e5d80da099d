package directory_test

import (
	"testing"
	"time"

	"github.com/gridcast/gridcast/broadcast"
	"github.com/gridcast/gridcast/directory"
	"github.com/gridcast/gridcast/internal/leaktest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCloseLeavesNoGoroutines runs a broadcaster and a viewer with every
// long-lived object of the package and closes everything: nothing is
// left behind. The Estimator is not among them: the Announcer owns it and
// it has no goroutines. The helpers register their Close after
// leaktest.Check, so it runs after them.
func TestCloseLeavesNoGoroutines(t *testing.T) {
	leaktest.Check(t)
	b, v := newNode(t), newNode(t)
	connect(t, v, b)
	ch, err := broadcast.NewChannel(b.ID(), "live")
	require.NoError(t, err)

	dirB, dirV := newDirectory(t, b), newDirectory(t, v)
	ann, err := directory.NewAnnouncer(b, ch, directory.Info{Title: "Night sky", Format: "mpegts"}, fast...)
	require.NoError(t, err)
	t.Cleanup(func() { ann.Close() })
	p, err := directory.NewPresence(dirV, ch, directory.WithPeriod(time.Second))
	require.NoError(t, err)
	t.Cleanup(func() { p.Close() })

	require.Eventually(t, func() bool {
		a, ok := dirV.Lookup(ch)
		return ok && a.Title == "Night sky"
	}, 10*time.Second, 20*time.Millisecond, "the viewer lists the channel")
	list := dirV.Channels(time.Now())
	require.Len(t, list, 1)
	assert.Equal(t, ch, list[0].Channel)
	// The viewer's beat reaching the Announcer exercises its counting
	// goroutine too, not just the announcing loop. Presence counts a beat
	// once Publish returns, which can be after the Announcer counted it,
	// so both counts are waited for.
	require.Eventually(t, func() bool { return ann.Stats().Beats > 0 && p.Sent() > 0 },
		10*time.Second, 20*time.Millisecond, "the viewer sends beats and the announcer counts them")

	// Close in the order an application would, before the nodes go, so
	// the objects' own Close paths are what is checked; the cleanups then
	// find them closed already.
	require.NoError(t, p.Close())
	require.NoError(t, dirV.Close())
	require.NoError(t, ann.Close())
	require.NoError(t, dirB.Close())
	require.NoError(t, v.Close())
	require.NoError(t, b.Close())
}
