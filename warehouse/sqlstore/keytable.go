package sqlstore

import "math/bits"

// keyTable maps key hashes to int64 values (the memory index's postings): open
// addressing with linear probing in one pointer-free slice. A lookup in a table of
// millions of keys is a cache miss or two; Go's map took one for a group's control word
// and often another for its slot (the postings' lookups were ~4 % of a streaming run's
// CPU against a million masters, most of it those misses). Not safe for concurrent
// writes (the index's locks order them).
type keyTable struct {
	slots []keySlot // a power of two of them; key 0 marks a free slot
	shift uint8     // 64 - log2(len(slots))
	n     int       // keys held in slots
	// The key 0, which cannot be held in a slot.
	zero    bool
	zeroVal int64
}

type keySlot struct {
	key uint64
	val int64
}

// newKeyTable returns a table with room for about hint keys before it grows.
func newKeyTable(hint int) keyTable {
	var t keyTable
	t.alloc(hint)
	return t
}

// alloc gives t empty slots for about hint keys (at most 3/4 full).
func (t *keyTable) alloc(hint int) {
	size := 8
	for size*3/4 < hint {
		size *= 2
	}
	t.slots = make([]keySlot, size)
	t.shift = uint8(64 - bits.TrailingZeros(uint(size)))
	t.n = 0
}

// home is the slot where key k's probe starts (Fibonacci hashing: the hashes' top bit
// is the same for a whole half of the postings).
func (t *keyTable) home(k uint64) int { return int((k * 0x9E3779B97F4A7C15) >> t.shift) }

// get returns k's value.
func (t *keyTable) get(k uint64) (int64, bool) {
	if k == 0 {
		return t.zeroVal, t.zero
	}
	if len(t.slots) == 0 {
		return 0, false
	}
	mask := len(t.slots) - 1
	for i := t.home(k); ; i = (i + 1) & mask {
		s := &t.slots[i]
		if s.key == k {
			return s.val, true
		}
		if s.key == 0 {
			return 0, false
		}
	}
}

// touch loads the slot where k's probe starts and returns its key: calls in a loop of
// independent loads fetch many slots at once, which get then finds in cache.
func (t *keyTable) touch(k uint64) uint64 {
	if len(t.slots) == 0 {
		return 0
	}
	return t.slots[t.home(k)].key
}

// set sets k's value.
func (t *keyTable) set(k uint64, v int64) {
	if k == 0 {
		t.zero, t.zeroVal = true, v
		return
	}
	if (t.n+1)*4 > len(t.slots)*3 {
		t.grow()
	}
	mask := len(t.slots) - 1
	for i := t.home(k); ; i = (i + 1) & mask {
		s := &t.slots[i]
		if s.key == k {
			s.val = v
			return
		}
		if s.key == 0 {
			s.key, s.val = k, v
			t.n++
			return
		}
	}
}

// grow doubles the slots (at least 8) and places the keys again.
func (t *keyTable) grow() {
	old := t.slots
	t.alloc(max(len(old), 6)) // room for len(old) keys: twice the slots
	for _, s := range old {
		if s.key != 0 {
			t.set(s.key, s.val)
		}
	}
}

// del removes k. The keys after it in its run move back (backward shift), so that no
// probe stops early at the freed slot.
func (t *keyTable) del(k uint64) {
	if k == 0 {
		t.zero, t.zeroVal = false, 0
		return
	}
	if len(t.slots) == 0 {
		return
	}
	mask := len(t.slots) - 1
	i := t.home(k)
	for ; t.slots[i].key != k; i = (i + 1) & mask {
		if t.slots[i].key == 0 {
			return
		}
	}
	// Slot i is free now: fill it with a later key of the run whose probe passes it.
	for j := (i + 1) & mask; t.slots[j].key != 0; j = (j + 1) & mask {
		h := t.home(t.slots[j].key)
		// j's key may move to i when its home is not in (i, j], cyclically.
		if (j > i && (h <= i || h > j)) || (j < i && h <= i && h > j) {
			t.slots[i] = t.slots[j]
			i = j
		}
	}
	t.slots[i] = keySlot{}
	t.n--
}
