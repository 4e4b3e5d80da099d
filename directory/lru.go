package directory

import "container/list"

// lru is a map bounded to max entries that forgets the least recently
// touched one to make room. Not safe for concurrent use: its owner locks.
type lru[K comparable, V any] struct {
	max   int
	items map[K]*list.Element
	order list.List // front = most recently touched; values are *lruEntry
}

type lruEntry[K comparable, V any] struct {
	key K
	val V
}

func newLRU[K comparable, V any](max int) *lru[K, V] {
	return &lru[K, V]{max: max, items: make(map[K]*list.Element, min(max, 256))}
}

// get returns the value under k and marks it most recently touched.
func (l *lru[K, V]) get(k K) (V, bool) {
	if e, ok := l.items[k]; ok {
		l.order.MoveToFront(e)
		return e.Value.(*lruEntry[K, V]).val, true
	}
	var zero V
	return zero, false
}

// put stores v under k, evicting the least recently touched entry if k is
// new and the map is full.
func (l *lru[K, V]) put(k K, v V) {
	if e, ok := l.items[k]; ok {
		e.Value.(*lruEntry[K, V]).val = v
		l.order.MoveToFront(e)
		return
	}
	if len(l.items) >= l.max {
		oldest := l.order.Back()
		delete(l.items, oldest.Value.(*lruEntry[K, V]).key)
		l.order.Remove(oldest)
	}
	l.items[k] = l.order.PushFront(&lruEntry[K, V]{key: k, val: v})
}

func (l *lru[K, V]) len() int { return len(l.items) }

// oldest returns the least recently touched entry.
func (l *lru[K, V]) oldest() (K, V, bool) {
	e := l.order.Back()
	if e == nil {
		var k K
		var v V
		return k, v, false
	}
	ent := e.Value.(*lruEntry[K, V])
	return ent.key, ent.val, true
}

// removeOldest forgets the least recently touched entry, if any.
func (l *lru[K, V]) removeOldest() {
	if e := l.order.Back(); e != nil {
		delete(l.items, e.Value.(*lruEntry[K, V]).key)
		l.order.Remove(e)
	}
}

// each calls f for every entry, most recently touched first, without
// touching them.
func (l *lru[K, V]) each(f func(K, V)) {
	for e := l.order.Front(); e != nil; e = e.Next() {
		ent := e.Value.(*lruEntry[K, V])
		f(ent.key, ent.val)
	}
}
