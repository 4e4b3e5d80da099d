package lru

import (
	"fmt"
	"maps"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// keys returns c's keys, most recently touched first.
func keys[K comparable, V any](c *Cache[K, V]) []K {
	var ks []K
	for k := range c.All() {
		ks = append(ks, k)
	}
	return ks
}

func TestGetPut(t *testing.T) {
	c := New[string, int](3)
	_, ok := c.Get("a")
	assert.False(t, ok, "empty")
	c.Put("a", 1)
	c.Put("b", 2)
	v, ok := c.Get("a")
	require.True(t, ok)
	assert.Equal(t, 1, v)
	c.Put("b", 20)
	v, _ = c.Get("b")
	assert.Equal(t, 20, v, "Put replaces")
	assert.Equal(t, 2, c.Len())
}

// TestIsBounded is the bound the packages' own tests check through their
// tables (chat's senders, directory's validators and estimator): ten keys
// into a cache of three leave the last three.
func TestIsBounded(t *testing.T) {
	c := New[string, int](3)
	for i := range 10 {
		c.Put(fmt.Sprint("p", i), i)
	}
	assert.Equal(t, 3, c.Len())
	assert.Equal(t, []string{"p9", "p8", "p7"}, keys(c))
	_, ok := c.Get("p0")
	assert.False(t, ok, "the first is forgotten")
}

func TestEvictsLeastRecentlyTouched(t *testing.T) {
	c := New[string, int](3)
	c.Put("a", 1)
	c.Put("b", 2)
	c.Put("c", 3)
	c.Get("a")     // a is now the most recent
	c.Put("b", 22) // and then b
	c.Put("d", 4)  // evicts c, the least recently touched
	_, ok := c.Get("c")
	assert.False(t, ok)
	assert.Equal(t, []string{"d", "b", "a"}, keys(c))

	c.Put("d", 44) // an existing key evicts nothing
	assert.Equal(t, 3, c.Len())
}

func TestOldest(t *testing.T) {
	c := New[string, int](3)
	_, _, ok := c.Oldest()
	assert.False(t, ok, "empty")
	c.RemoveOldest() // on an empty cache: nothing happens
	assert.Zero(t, c.Len())

	c.Put("a", 1)
	c.Put("b", 2)
	k, v, ok := c.Oldest()
	require.True(t, ok)
	assert.Equal(t, "a", k)
	assert.Equal(t, 1, v)
	k, _, _ = c.Oldest()
	assert.Equal(t, "a", k, "Oldest does not touch")

	c.RemoveOldest()
	k, _, _ = c.Oldest()
	assert.Equal(t, "b", k)
	_, ok = c.Get("a")
	assert.False(t, ok)
	assert.Equal(t, 1, c.Len())
}

// TestTrimOldestThenRead is how directory's Estimator uses the cache:
// drop entries from the old end while they are stale, then read the rest.
func TestTrimOldestThenRead(t *testing.T) {
	c := New[int, int](10)
	for i := range 6 {
		c.Put(i, i*10) // value = arrival time
	}
	for {
		_, at, ok := c.Oldest()
		if !ok || at >= 30 {
			break
		}
		c.RemoveOldest()
	}
	got := maps.Collect(c.All())
	assert.Equal(t, map[int]int{3: 30, 4: 40, 5: 50}, got)
}

func TestAllDoesNotTouchAndStops(t *testing.T) {
	c := New[string, int](3)
	c.Put("a", 1)
	c.Put("b", 2)
	c.Put("c", 3)
	assert.Equal(t, []string{"c", "b", "a"}, keys(c))
	assert.Equal(t, []string{"c", "b", "a"}, keys(c), "reading changed the order")

	var first []string
	for k := range c.All() {
		first = append(first, k)
		break
	}
	assert.Equal(t, []string{"c"}, first)
	assert.Equal(t, []string{"c", "b", "a"}, keys(c), "stopping early changed nothing")
}

func TestNewRefusesNoRoom(t *testing.T) {
	assert.Panics(t, func() { New[string, int](0) })
	assert.NotPanics(t, func() { New[string, int](1).Put("a", 1) })
}
