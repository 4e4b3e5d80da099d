package directory_test

import (
	"runtime"
	"testing"
	"time"

	"github.com/gridcast/gridcast/broadcast"
	"github.com/gridcast/gridcast/directory"
	"github.com/gridcast/gridcast/peer"
	libp2ppeer "github.com/libp2p/go-libp2p/core/peer"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The end-to-end tests run real libp2p hosts over TCP on 127.0.0.1.

func newNode(t *testing.T) *peer.Node {
	t.Helper()
	n, err := peer.New(t.Context(), peer.WithListenAddrs("/ip4/127.0.0.1/tcp/0"))
	require.NoError(t, err)
	t.Cleanup(func() { n.Close() })
	return n
}

func connect(t *testing.T, from, to *peer.Node) {
	t.Helper()
	info := libp2ppeer.AddrInfo{ID: to.ID(), Addrs: to.Host().Addrs()}
	require.NoError(t, from.Connect(t.Context(), info))
}

func newDirectory(t *testing.T, n *peer.Node) *directory.Directory {
	t.Helper()
	d, err := directory.New(n)
	require.NoError(t, err)
	t.Cleanup(func() { d.Close() })
	return d
}

// Short presence period and announcement interval, the same on every
// node, so the test runs in seconds.
var fast = []directory.Option{
	directory.WithInterval(time.Second),
	directory.WithTTL(directory.MinTTL),
	directory.WithPeriod(time.Second),
}

// TestListingReachesAViewerTwoHopsAway runs a broadcaster B, a relay R
// and a viewer V in a line, B - R - V. B announces; V, which has no
// connection to B, lists the channel with its title and an audience of
// two (R and V beat), sees a new title, and loses the listing within the
// TTL once B stops.
func TestListingReachesAViewerTwoHopsAway(t *testing.T) {
	b, r, v := newNode(t), newNode(t), newNode(t)
	connect(t, r, b)
	connect(t, v, r)
	ch, err := broadcast.NewChannel(b.ID(), "live")
	require.NoError(t, err)

	// B also lists, sharing its hold on the topic with the Announcer.
	dirB, dirR, dirV := newDirectory(t, b), newDirectory(t, r), newDirectory(t, v)
	ann, err := directory.NewAnnouncer(b, ch, directory.Info{Title: "Night sky", Format: "mpegts", Bitrate: 1_500_000}, fast...)
	require.NoError(t, err)
	t.Cleanup(func() { ann.Close() })
	for _, d := range []*directory.Directory{dirR, dirV} {
		p, err := directory.NewPresence(d, ch, directory.WithPeriod(time.Second))
		require.NoError(t, err)
		t.Cleanup(func() { p.Close() })
	}

	start := time.Now()
	require.Eventually(t, func() bool {
		a, ok := dirV.Lookup(ch)
		return ok && a.Title == "Night sky"
	}, 10*time.Second, 20*time.Millisecond, "the viewer two hops away lists the channel")
	t.Logf("listed two hops away after %v", time.Since(start).Round(time.Millisecond))
	a, _ := dirV.Lookup(ch)
	assert.Equal(t, "mpegts", a.Format)
	assert.Equal(t, int64(1_500_000), a.Bitrate)
	assert.Equal(t, directory.MinTTL, a.TTL)
	list := dirV.Channels(time.Now())
	require.Len(t, list, 1)
	assert.Equal(t, ch, list[0].Channel)
	_, ok := dirB.Lookup(ch)
	assert.True(t, ok, "the broadcaster's own Directory lists it too")

	require.Eventually(t, func() bool {
		a, ok := dirV.Lookup(ch)
		return ok && a.Viewers == 2
	}, 10*time.Second, 20*time.Millisecond, "R and V are counted")
	assert.Equal(t, 1, ann.Stats().Scale)
	assert.Zero(t, ann.Stats().Failed, "%v", ann.Stats().LastErr)

	require.NoError(t, ann.Update(directory.Info{Title: "Night sky, part 2", Format: "mpegts"}))
	require.Eventually(t, func() bool {
		a, ok := dirV.Lookup(ch)
		return ok && a.Title == "Night sky, part 2"
	}, 5*time.Second, 20*time.Millisecond, "an update arrives without waiting for the interval")

	require.NoError(t, ann.Close())
	require.NoError(t, ann.Close(), "Close is safe twice")
	stopped := time.Now()
	require.Eventually(t, func() bool {
		_, ok := dirV.Lookup(ch)
		return !ok
	}, directory.MinTTL+3*time.Second, 50*time.Millisecond, "the listing lapses within its TTL")
	t.Logf("delisted %v after the broadcaster stopped", time.Since(stopped).Round(time.Millisecond))
	assert.Empty(t, dirR.Channels(time.Now()))
}

func TestAnnouncerRefusesAChannelItDoesNotOwn(t *testing.T) {
	n, other := newNode(t), newNode(t)
	ch, err := broadcast.NewChannel(other.ID(), "live")
	require.NoError(t, err)
	_, err = directory.NewAnnouncer(n, ch, directory.Info{Title: "stolen"})
	assert.ErrorIs(t, err, directory.ErrNotOwner)

	mine, err := broadcast.NewChannel(n.ID(), "live")
	require.NoError(t, err)
	_, err = directory.NewAnnouncer(n, mine, directory.Info{Title: "bad\x07title"})
	assert.ErrorIs(t, err, directory.ErrBadText)
	_, err = directory.NewAnnouncer(n, mine, directory.Info{}, directory.WithInterval(time.Minute), directory.WithTTL(30*time.Second))
	assert.ErrorIs(t, err, directory.ErrBadOption)
}

func TestCloseIsSafeTwiceAndKeepsTheTable(t *testing.T) {
	n := newNode(t)
	d := newDirectory(t, n)
	ch, err := broadcast.NewChannel(n.ID(), "live")
	require.NoError(t, err)
	a, err := directory.NewAnnouncer(n, ch, directory.Info{Title: "x"}, fast...)
	require.NoError(t, err)
	require.Eventually(t, func() bool { _, ok := d.Lookup(ch); return ok }, 5*time.Second, 10*time.Millisecond)
	p, err := directory.NewPresence(d, ch, directory.WithPeriod(time.Second))
	require.NoError(t, err)

	require.NoError(t, p.Close())
	require.NoError(t, p.Close())
	require.NoError(t, a.Close())
	require.NoError(t, d.Close())
	require.NoError(t, d.Close())
	_, ok := d.Lookup(ch)
	assert.True(t, ok, "a closed Directory answers from its last table")

	// Every hold was released: the router lets the topics be joined
	// afresh.
	for _, name := range []string{directory.Topic, directory.PresenceTopic(ch)} {
		topic, err := n.PubSub().Join(name)
		require.NoError(t, err, name)
		require.NoError(t, topic.Close())
	}
}

// TestCloseWaitsForGoroutines closes every object on a node that stays
// up: Close has waited for each goroutine it started.
func TestCloseWaitsForGoroutines(t *testing.T) {
	n := newNode(t)
	ch, err := broadcast.NewChannel(n.ID(), "live")
	require.NoError(t, err)
	before := runtime.NumGoroutine()

	d, err := directory.New(n)
	require.NoError(t, err)
	a, err := directory.NewAnnouncer(n, ch, directory.Info{Title: "x"}, fast...)
	require.NoError(t, err)
	p, err := directory.NewPresence(d, ch, directory.WithPeriod(time.Second))
	require.NoError(t, err)
	require.Eventually(t, func() bool { _, ok := d.Lookup(ch); return ok }, 5*time.Second, 10*time.Millisecond)
	require.NoError(t, p.Close())
	require.NoError(t, a.Close())
	require.NoError(t, d.Close())
	// The node's own goroutines come and go; poll (without assert's
	// Eventually, whose goroutines would count) until they settle.
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	assert.LessOrEqual(t, runtime.NumGoroutine(), before)
}
