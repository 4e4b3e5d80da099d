package directory

import (
	"cmp"
	"slices"
	"time"
)

// table is a Directory's bounded list of live channels. It is pure: the
// caller passes the time and locks.
type table struct {
	max     int
	entries map[string]tableEntry // channel ID → newest announcement; at most max
}

type tableEntry struct {
	ann     Announcement
	expires time.Time
}

func newTable(max int) *table {
	return &table{max: max, entries: make(map[string]tableEntry, min(max, 64))}
}

// put stores a, received at now, unless the table holds a newer
// announcement of the channel, a has already lapsed, or the table is full
// of entries that all outlive it. It reports whether a was stored.
//
// The entry lapses TTL after the earlier of a.Time and now: a broadcaster
// whose clock runs ahead gets no longer listing than its TTL, and one that
// runs behind is already bounded by the validator.
func (t *table) put(a Announcement, now time.Time) bool {
	expires := a.Time
	if now.Before(expires) {
		expires = now
	}
	expires = expires.Add(a.TTL)
	if !expires.After(now) {
		return false
	}
	id := a.Channel.ID()
	if old, ok := t.entries[id]; ok {
		if !a.Time.After(old.ann.Time) {
			return false
		}
	} else if len(t.entries) >= t.max && !t.makeRoom(expires, now) {
		return false
	}
	t.entries[id] = tableEntry{ann: a, expires: expires}
	return true
}

// makeRoom drops lapsed entries and, if the table is still full, the one
// that expires soonest, provided it expires before expires.
func (t *table) makeRoom(expires, now time.Time) bool {
	var soonestID string
	var soonest time.Time
	for id, e := range t.entries {
		if !e.expires.After(now) {
			delete(t.entries, id)
			continue
		}
		if soonestID == "" || e.expires.Before(soonest) {
			soonestID, soonest = id, e.expires
		}
	}
	if len(t.entries) < t.max {
		return true
	}
	if !soonest.Before(expires) {
		return false
	}
	delete(t.entries, soonestID)
	return true
}

// get returns the channel's announcement if it has not lapsed at now.
func (t *table) get(id string, now time.Time) (Announcement, bool) {
	e, ok := t.entries[id]
	if !ok || !e.expires.After(now) {
		return Announcement{}, false
	}
	return e.ann, true
}

// list returns the announcements that have not lapsed at now, most viewers
// first, then by title and channel ID.
func (t *table) list(now time.Time) []Announcement {
	out := make([]Announcement, 0, len(t.entries))
	for _, e := range t.entries {
		if e.expires.After(now) {
			out = append(out, e.ann)
		}
	}
	slices.SortFunc(out, func(a, b Announcement) int {
		return cmp.Or(
			cmp.Compare(b.Viewers, a.Viewers),
			cmp.Compare(a.Title, b.Title),
			cmp.Compare(a.Channel.ID(), b.Channel.ID()),
		)
	})
	return out
}
