package directory

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func tableAnnouncement(t *testing.T, name, title string, viewers int, sent time.Time, ttl time.Duration) Announcement {
	t.Helper()
	return Announcement{
		Channel: channelForTest(t, 1, name), Title: title, Viewers: viewers, Scale: 1,
		Time: sent, TTL: ttl,
	}
}

func TestTableNewerReplacesOlder(t *testing.T) {
	tb := newTable(4)
	first := tableAnnouncement(t, "live", "first", 1, epoch, 10*time.Second)
	second := tableAnnouncement(t, "live", "second", 1, epoch.Add(time.Second), 10*time.Second)
	require.True(t, tb.put(first, epoch))
	require.True(t, tb.put(second, epoch.Add(time.Second)))
	assert.False(t, tb.put(first, epoch.Add(2*time.Second)), "an older announcement does not replace a newer one")
	got, ok := tb.get(first.Channel.ID(), epoch.Add(2*time.Second))
	require.True(t, ok)
	assert.Equal(t, "second", got.Title)
}

func TestTableExpiry(t *testing.T) {
	tb := newTable(4)
	a := tableAnnouncement(t, "live", "show", 1, epoch, 10*time.Second)
	require.True(t, tb.put(a, epoch))
	_, ok := tb.get(a.Channel.ID(), epoch.Add(9*time.Second))
	assert.True(t, ok)
	_, ok = tb.get(a.Channel.ID(), epoch.Add(10*time.Second))
	assert.False(t, ok, "lapses TTL after it was sent")
	assert.Empty(t, tb.list(epoch.Add(10*time.Second)))

	// A sender whose clock is 50 s ahead gets TTL from arrival, no more.
	ahead := tableAnnouncement(t, "ahead", "ahead", 1, epoch.Add(50*time.Second), 10*time.Second)
	require.True(t, tb.put(ahead, epoch))
	_, ok = tb.get(ahead.Channel.ID(), epoch.Add(10*time.Second))
	assert.False(t, ok)

	late := tableAnnouncement(t, "late", "late", 1, epoch, 10*time.Second)
	assert.False(t, tb.put(late, epoch.Add(10*time.Second)), "already lapsed on arrival")
}

func TestTableFullEvictsWhatExpiresSoonest(t *testing.T) {
	tb := newTable(3)
	for i, ttl := range []time.Duration{20 * time.Second, 10 * time.Second, 30 * time.Second} {
		require.True(t, tb.put(tableAnnouncement(t, fmt.Sprint("ch", i), "", 0, epoch, ttl), epoch))
	}
	require.True(t, tb.put(tableAnnouncement(t, "new", "", 0, epoch, 15*time.Second), epoch))
	assert.Len(t, tb.entries, 3)
	_, ok := tb.get(channelForTest(t, 1, "ch1").ID(), epoch)
	assert.False(t, ok, "the entry expiring soonest made room")

	assert.False(t, tb.put(tableAnnouncement(t, "brief", "", 0, epoch, 5*time.Second), epoch),
		"a newcomer that would expire before every entry is dropped")
	assert.Len(t, tb.entries, 3)

	// Lapsed entries make room first.
	require.True(t, tb.put(tableAnnouncement(t, "later", "", 0, epoch.Add(21*time.Second), 5*time.Second), epoch.Add(21*time.Second)))
	assert.Len(t, tb.entries, 2, "ch0 (20 s) and new (15 s) lapsed; ch2 and later remain")
}

func TestTableListOrder(t *testing.T) {
	tb := newTable(8)
	for _, a := range []Announcement{
		tableAnnouncement(t, "c", "Zebra", 5, epoch, time.Minute),
		tableAnnouncement(t, "a", "Alpha", 5, epoch, time.Minute),
		tableAnnouncement(t, "b", "Alpha", 5, epoch, time.Minute),
		tableAnnouncement(t, "d", "Quiet", 0, epoch, time.Minute),
		tableAnnouncement(t, "e", "Big", 900, epoch, time.Minute),
	} {
		require.True(t, tb.put(a, epoch))
	}
	var names []string
	for _, a := range tb.list(epoch) {
		names = append(names, a.Channel.Name)
	}
	assert.Equal(t, []string{"e", "a", "b", "c", "d"}, names, "viewers desc, then title, then channel ID")
}
