package broadcast

import "slices"

// reorderBuf holds chunks sorted by Seq, without duplicates. Chunks arrive
// mostly in order and leave from the front, so the live window items[head:]
// slides along one backing array: appends and pops are O(1) amortised, and
// the array is compacted instead of grown while there is room at its front.
type reorderBuf struct {
	items []Chunk
	head  int
}

func (b *reorderBuf) len() int { return len(b.items) - b.head }

// at returns the i-th lowest chunk; it stays valid until the next change.
func (b *reorderBuf) at(i int) *Chunk { return &b.items[b.head+i] }

// insert adds c in order and reports false, leaving the buffer unchanged, if
// a chunk with the same Seq is already held.
func (b *reorderBuf) insert(c Chunk) bool {
	live := b.items[b.head:]
	if n := len(live); n == 0 || c.Seq > live[n-1].Seq {
		b.makeRoom()
		b.items = append(b.items, c)
		return true
	}
	i, found := slices.BinarySearchFunc(live, c.Seq, func(x Chunk, seq uint64) int {
		switch {
		case x.Seq < seq:
			return -1
		case x.Seq > seq:
			return 1
		}
		return 0
	})
	if found {
		return false
	}
	b.makeRoom()
	b.items = slices.Insert(b.items, b.head+i, c)
	return true
}

// makeRoom compacts the live window to the front of the array when the array
// is full, so that memory stays proportional to the most chunks ever held.
func (b *reorderBuf) makeRoom() {
	if len(b.items) < cap(b.items) || b.head == 0 {
		return
	}
	n := copy(b.items, b.items[b.head:])
	clear(b.items[n:])
	b.items = b.items[:n]
	b.head = 0
}

// popFront removes and returns the lowest chunk; the buffer must not be
// empty. The vacated slot is cleared so the payload is not kept alive.
func (b *reorderBuf) popFront() Chunk {
	c := b.items[b.head]
	b.items[b.head] = Chunk{}
	b.head++
	if b.head == len(b.items) {
		b.items = b.items[:0]
		b.head = 0
	}
	return c
}

// dropFront removes the n lowest chunks.
func (b *reorderBuf) dropFront(n int) {
	clear(b.items[b.head : b.head+n])
	b.head += n
	if b.head == len(b.items) {
		b.items = b.items[:0]
		b.head = 0
	}
}

// clear removes every chunk and returns how many there were.
func (b *reorderBuf) clear() int {
	n := b.len()
	b.dropFront(n)
	return n
}

// firstWith returns the index of the lowest chunk with any of flags set.
func (b *reorderBuf) firstWith(flags Flags) (int, bool) {
	for i, c := range b.items[b.head:] {
		if c.Flags&flags != 0 {
			return i, true
		}
	}
	return 0, false
}
