package metrics

import (
	"bytes"
	"crypto/ed25519"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gridcast/gridcast/broadcast"
	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"
)

// channelForTest returns channel name owned by the Ed25519 key whose seed
// is 32 copies of seed, so the label value is the same on every run.
func channelForTest(t *testing.T, seed byte, name string) broadcast.Channel {
	t.Helper()
	sk, err := crypto.UnmarshalEd25519PrivateKey(ed25519.NewKeyFromSeed(bytes.Repeat([]byte{seed}, 32)))
	require.NoError(t, err)
	id, err := peer.IDFromPrivateKey(sk)
	require.NoError(t, err)
	ch, err := broadcast.NewChannel(id, name)
	require.NoError(t, err)
	return ch
}

// fakeViewer is a ViewerSource whose stats the test sets.
type fakeViewer struct {
	ch    broadcast.Channel
	mu    sync.Mutex
	stats broadcast.ViewerStats
}

func (f *fakeViewer) Channel() broadcast.Channel { return f.ch }

func (f *fakeViewer) Stats() broadcast.ViewerStats {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.stats
}

func (f *fakeViewer) set(s broadcast.ViewerStats) {
	f.mu.Lock()
	f.stats = s
	f.mu.Unlock()
}

// fakeBroadcaster is a BroadcasterSource with fixed stats.
type fakeBroadcaster struct {
	ch    broadcast.Channel
	stats broadcast.BroadcasterStats
}

func (f *fakeBroadcaster) Channel() broadcast.Channel        { return f.ch }
func (f *fakeBroadcaster) Stats() broadcast.BroadcasterStats { return f.stats }

// clock is a settable clock for the upload rate.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func withClock(now func() time.Time) Option {
	return func(c *config) error {
		c.now = now
		return nil
	}
}

// exposition renders one sample of each family in the text format, as
// testutil.CollectAndCompare expects; labels is the rendered label set.
func exposition(labels string, samples ...sample) string {
	var b strings.Builder
	for _, s := range samples {
		typ := "gauge"
		if s.typ == prometheus.CounterValue {
			typ = "counter"
		}
		fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s %s\n%s{%s} %s\n", s.name, s.help, s.name, typ, s.name, labels, s.value)
	}
	return b.String()
}

// sample is a family's expected value, as the text format writes it.
type sample struct {
	family
	value string
}
