package sqlstore

import (
	"iter"
	"slices"
	"unsafe"
)

// The memory index keeps no pointer per row: a row's keys, source id and features, a
// master's list of rows and a key's list of rows (postings) live in a few large arenas
// (slices of integers, chunks of bytes) that rows point into by offset. The garbage
// collector then neither scans the million rows nor marks their five million small
// objects on every cycle: with them as slices and strings, the collector's marking and
// sweeping took ~12 % of a streaming run's CPU against a million masters (~260 ms of
// marking per cycle, ~90 ms since).
//
// Arenas only grow: what a row or master stops using stays until compact copies what is
// in use into new arenas, when more than half of an arena is unused (at a commit, so that
// no transaction's undo log points into the old ones). Strings handed out (a candidate
// row's source id and features) point into a chunk, which the garbage collector keeps as
// long as they are referenced; a chunk's bytes never change once written.

// push appends vs to an arena, doubling its capacity when it is full: append grows a
// large slice by a quarter, and each growth copies the arena into fresh memory (a few
// hundred MB against a million masters, and a page fault per 4 KB of it).
func push[T any](s []T, vs ...T) []T {
	if len(s)+len(vs) > cap(s) {
		s = slices.Grow(s, max(cap(s), len(vs)))
	}
	return append(s, vs...)
}

// extend returns s with length n (zero values added), doubling its capacity as push.
func extend[T any](s []T, n int) []T {
	if n > cap(s) {
		s = slices.Grow(s, max(cap(s), n-len(s)))
	}
	if n > len(s) {
		clear(s[len(s):n])
	}
	return s[:n]
}

// span locates n elements at off in an arena.
type span struct{ off, n uint32 }

// strChunkSize is the size of the string arena's chunks (a longer string gets a chunk
// of its own).
const strChunkSize = 1 << 20

// strArena holds immutable strings in chunks of bytes.
type strArena struct {
	chunks [][]byte
	size   int64 // bytes written
}

// add2 writes a and b one after the other in one chunk, returning the chunk and the
// offset of a.
func (s *strArena) add2(a, b string) (chunk, off uint32) {
	n := len(a) + len(b)
	last := len(s.chunks) - 1
	if last < 0 || cap(s.chunks[last])-len(s.chunks[last]) < n {
		s.chunks = append(s.chunks, make([]byte, 0, max(strChunkSize, n)))
		last++
	}
	c := s.chunks[last]
	off = uint32(len(c))
	c = append(append(c, a...), b...)
	// The next strings start on a word: a reader of these (outside any lock, once
	// handed out) and the writer of those never touch the same word.
	if pad := -len(c) & 7; cap(c)-len(c) >= pad {
		c = c[:len(c)+pad]
	}
	s.chunks[last] = c
	s.size += int64(n)
	return uint32(last), off
}

// get returns the n bytes at off in chunk as a string, without copying them.
func (s *strArena) get(chunk, off, n uint32) string {
	if n == 0 {
		return ""
	}
	return unsafe.String(&s.chunks[chunk][off], n)
}

// keysOf returns r's key hashes (not to be appended to or changed).
func (x *memIndex) keysOf(r *memRow) []uint64 {
	return x.keyArena[r.keys.off : r.keys.off+r.keys.n : r.keys.off+r.keys.n]
}

// sourceID and features return r's strings.
func (x *memIndex) sourceID(r *memRow) string {
	return x.strs.get(r.strChunk, r.strOff, r.idLen)
}

func (x *memIndex) features(r *memRow) string {
	return x.strs.get(r.strChunk, r.strOff+r.idLen, r.featLen)
}

// setStrings stores r's source id and features.
func (x *memIndex) setStrings(r *memRow, sourceID, features string) {
	r.strChunk, r.strOff = x.strs.add2(sourceID, features)
	r.idLen, r.featLen = uint32(len(sourceID)), uint32(len(features))
}

// newKeys appends a list of key hashes to the arena: the sorted, distinct union of old
// (sorted and distinct) and the hashes of keys (but for empty ones).
func (x *memIndex) newKeys(old []uint64, keys iter.Seq[string]) span {
	off := len(x.keyArena)
	x.keyArena = push(x.keyArena, old...)
	for k := range keys {
		if k != "" {
			x.keyArena = push(x.keyArena, keyHash(k))
		}
	}
	hs := x.keyArena[off:]
	slices.Sort(hs)
	hs = slices.Compact(hs)
	x.keyArena = x.keyArena[:off+len(hs)]
	if len(hs) == 0 {
		return span{} // no offset that a compaction would leave stale
	}
	return span{uint32(off), uint32(len(hs))}
}

// members returns the live rows of master m, in id order (not to be appended to or
// changed).
func (x *memIndex) members(m int64) []int64 {
	if m >= 0 && m < int64(len(x.byMaster)) {
		l := x.byMaster[m]
		return x.memberArena[l.off : l.off+l.n : l.off+l.n]
	}
	return nil
}

// setMembers sets the live rows of master m to those of old with id inserted (add) or
// removed, written at the end of the arena.
func (x *memIndex) setMembers(m int64, old []int64, id int64, add bool) {
	i, found := slices.BinarySearch(old, id)
	n := len(old)
	switch {
	case add && !found:
		n++
	case !add && found:
		n--
	default:
		return
	}
	if m >= int64(len(x.byMaster)) {
		if n == 0 {
			return
		}
		x.byMaster = extend(x.byMaster, int(m)+1)
	}
	x.liveMembers += int64(n - len(old))
	if n == 0 {
		x.byMaster[m] = span{}
		return
	}
	if l := x.byMaster[m]; add && i == len(old) && len(old) > 0 && int(l.off+l.n) == len(x.memberArena) {
		// The list ends the arena and id goes last (a load reads rows in master
		// order): it grows in place.
		x.memberArena = push(x.memberArena, id)
		x.byMaster[m].n++
		return
	}
	off := len(x.memberArena)
	x.memberArena = push(x.memberArena, old[:i]...)
	if add {
		x.memberArena = push(x.memberArena, id)
		x.memberArena = push(x.memberArena, old[i:]...)
	} else {
		x.memberArena = push(x.memberArena, old[i+1:]...)
	}
	x.byMaster[m] = span{uint32(off), uint32(n)}
}

// setRow stores r at id, growing rows as needed, and counts what the rows use of the
// arenas.
func (x *memIndex) setRow(id int64, r memRow) {
	if id >= int64(len(x.rows)) {
		x.rows = extend(x.rows, int(id)+1)
	}
	old := &x.rows[id]
	x.liveKeys += int64(r.keys.n) - int64(old.keys.n)
	x.liveStrs += int64(r.idLen+r.featLen) - int64(old.idLen+old.featLen)
	*old = r
}

// wasteful reports whether more than half of an arena (of at least a few MB) is no
// longer used.
func (x *memIndex) wasteful() bool {
	return halfUnused(int64(len(x.keyArena)), x.liveKeys) ||
		halfUnused(x.strs.size/8, x.liveStrs/8) ||
		halfUnused(int64(len(x.memberArena)), x.liveMembers)
}

// halfUnused reports whether an arena of size, of which used is in use, is more than
// half unused and not small.
func halfUnused(size, used int64) bool { return size > arenaMinWaste && size > 2*used }

// arenaMinWaste is the size (in elements, or 8 bytes of strings) under which an arena is
// not compacted. A variable for the tests.
var arenaMinWaste int64 = 1 << 20

// compact copies what the rows and masters use into new arenas. Data is held for
// writing, and no transaction's undo log points into the old ones.
func (x *memIndex) compact() {
	keys := make([]uint64, 0, x.liveKeys+x.liveKeys/8+1024)
	var strs strArena
	for id := range x.rows {
		r := &x.rows[id]
		if r.keys.n > 0 {
			off := len(keys)
			keys = append(keys, x.keysOf(r)...)
			r.keys.off = uint32(off)
		} else {
			r.keys = span{}
		}
		if r.idLen+r.featLen > 0 {
			r.strChunk, r.strOff = strs.add2(x.sourceID(r), x.features(r))
		}
	}
	members := make([]int64, 0, x.liveMembers+x.liveMembers/8+1024)
	for m := range x.byMaster {
		l := &x.byMaster[m]
		if l.n > 0 {
			off := len(members)
			members = append(members, x.memberArena[l.off:l.off+l.n]...)
			l.off = uint32(off)
		}
	}
	x.keyArena, x.strs, x.memberArena = keys, strs, members
}
