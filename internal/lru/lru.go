package lru

import (
	"container/list"
	"fmt"
	"iter"
)

// Cache is a map bounded to max entries that forgets the least recently
// touched one to make room. Not safe for concurrent use: its owner locks.
type Cache[K comparable, V any] struct {
	max   int
	items map[K]*list.Element
	order list.List // front = most recently touched; values are *entry[K, V]
}

type entry[K comparable, V any] struct {
	key K
	val V
}

// New returns an empty cache that holds at most max entries. max must be
// at least 1; New panics otherwise, as that is a programming error.
func New[K comparable, V any](max int) *Cache[K, V] {
	if max < 1 {
		panic(fmt.Sprintf("lru: max %d must be at least 1", max))
	}
	return &Cache[K, V]{max: max, items: make(map[K]*list.Element, min(max, 256))}
}

// Get returns the value under k and marks it most recently touched.
func (c *Cache[K, V]) Get(k K) (V, bool) {
	if e, ok := c.items[k]; ok {
		c.order.MoveToFront(e)
		return e.Value.(*entry[K, V]).val, true
	}
	var zero V
	return zero, false
}

// Put stores v under k and marks it most recently touched, evicting the
// least recently touched entry if k is new and the cache is full.
func (c *Cache[K, V]) Put(k K, v V) {
	if e, ok := c.items[k]; ok {
		e.Value.(*entry[K, V]).val = v
		c.order.MoveToFront(e)
		return
	}
	if len(c.items) >= c.max {
		c.RemoveOldest()
	}
	c.items[k] = c.order.PushFront(&entry[K, V]{key: k, val: v})
}

// Len returns the number of entries, at most max.
func (c *Cache[K, V]) Len() int { return len(c.items) }

// Oldest returns the least recently touched entry without touching it;
// ok is false when the cache is empty.
func (c *Cache[K, V]) Oldest() (k K, v V, ok bool) {
	e := c.order.Back()
	if e == nil {
		return k, v, false
	}
	ent := e.Value.(*entry[K, V])
	return ent.key, ent.val, true
}

// RemoveOldest forgets the least recently touched entry, if any.
func (c *Cache[K, V]) RemoveOldest() {
	if e := c.order.Back(); e != nil {
		delete(c.items, e.Value.(*entry[K, V]).key)
		c.order.Remove(e)
	}
}

// All yields every entry, most recently touched first, without touching
// them. The cache must not be changed while the iteration runs.
func (c *Cache[K, V]) All() iter.Seq2[K, V] {
	return func(yield func(K, V) bool) {
		for e := c.order.Front(); e != nil; e = e.Next() {
			ent := e.Value.(*entry[K, V])
			if !yield(ent.key, ent.val) {
				return
			}
		}
	}
}
