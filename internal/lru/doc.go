// Package lru provides [Cache], a map bounded to a fixed number of entries
// that forgets the least recently touched one to make room.
//
// Entry points: [New] builds a cache; [Cache.Get] and [Cache.Put] touch an
// entry, [Cache.Oldest], [Cache.RemoveOldest] and [Cache.All] look at or
// trim the cache without touching what they pass over.
//
// The caller provides the locking: a Cache is not safe for concurrent use.
// Packages chat and directory use it to bound the per-peer and per-channel
// state their topic validators keep.
package lru
