package recleanse

import (
	"slices"
	"strings"

	"github.com/steward-crm/steward/contact"
	"github.com/steward-crm/steward/rules"
)

// blockHashes hashes the record's blocking keys (FNV-1a of the key as match.BlockKeys
// spells it, without building it); the low byte holds the index of the key's rule, for
// reports. The hashes are sorted and distinct.
func (l *Loader) blockHashes(n *contact.Normalized) []uint64 {
	var buf [32]uint64
	out := buf[:0]
	names := l.Engine.Rules().Match.Blocking
	l.Engine.BlockKeyParts(n, func(rule int, parts []string) {
		h := fnvAdd(fnvOffset, names[rule].Name)
		h = fnvAdd(h, ":")
		empty := true
		for _, v := range parts {
			if !empty {
				h = fnvAdd(h, "|")
			}
			h = fnvAdd(h, v)
			empty = empty && v == ""
		}
		out = append(out, h&^0xff|uint64(l.ruleIdx[rule]))
	})
	slices.Sort(out)
	return slices.Clone(slices.Compact(out)) // one allocation of the right size
}

// ruleIndexes maps each blocking rule to the index reports give its keys: the first rule
// named as the key before its first ":" (the rule's own name, or 0 for a name holding a
// colon, as reading the name back from the key gives).
func ruleIndexes(rs []rules.BlockRule) []int {
	out := make([]int, len(rs))
	for i, r := range rs {
		name, _, _ := strings.Cut(r.Name, ":")
		for j := range rs {
			if rs[j].Name == name {
				out[i] = j
				break
			}
		}
	}
	return out
}

// BlockStats reports what blocking did.
type BlockStats struct {
	// Keys is the number of distinct blocking keys shared by 2 records or more.
	Keys int `json:"keys"`
	// Skipped lists, per blocking rule, the keys shared by more records than the cap:
	// they were not used (their pairs would explode the count).
	Skipped []SkippedRule `json:"skipped,omitempty"`
	// Pairs is the number of distinct candidate pairs (each compared once).
	Pairs int64 `json:"pairs"`
}

// SkippedRule counts the oversized keys of one blocking rule.
type SkippedRule struct {
	Rule    string `json:"rule"`
	Keys    int    `json:"keys"`
	Records int    `json:"records"` // records in those keys, counted once per key
	Largest int    `json:"largest"`
}

// Pairs returns the distinct candidate pairs of the records (index pairs a < b packed as
// a<<32 | b, sorted): the union over blocking rules of the pairs sharing a key, keys shared
// by more than maxBlock records skipped. When link is set, only pairs across sides count.
func Pairs(recs []Record, ruleNames []string, maxBlock int, link bool) ([]uint64, BlockStats) {
	type entry struct {
		h   uint64
		idx int32
	}
	var n int
	for i := range recs {
		n += len(recs[i].keys)
	}
	es := make([]entry, 0, n)
	for i := range recs {
		for _, h := range recs[i].keys {
			es = append(es, entry{h, int32(i)})
		}
	}
	// By key, then record index: entries were appended in index order and the radix
	// sort is stable.
	radixSort(es, func(e *entry) uint64 { return e.h })
	var st BlockStats
	skipped := map[int]*SkippedRule{}
	// Count the pairs first: appending tens of millions of pairs to a growing slice
	// copies them over and over.
	var npairs int
	for i := 0; i < len(es); {
		j := i + 1
		for j < len(es) && es[j].h == es[i].h {
			j++
		}
		if size := j - i; size <= maxBlock {
			npairs += size * (size - 1) / 2
		}
		i = j
	}
	pairs := make([]uint64, 0, npairs)
	for i := 0; i < len(es); {
		j := i + 1
		for j < len(es) && es[j].h == es[i].h {
			j++
		}
		size := j - i
		switch {
		case size < 2:
		case size > maxBlock:
			ri := int(es[i].h & 0xff)
			s := skipped[ri]
			if s == nil {
				s = &SkippedRule{}
				if ri < len(ruleNames) {
					s.Rule = ruleNames[ri]
				}
				skipped[ri] = s
			}
			s.Keys++
			s.Records += size
			s.Largest = max(s.Largest, size)
		default:
			st.Keys++
			for x := i; x < j; x++ {
				for y := x + 1; y < j; y++ {
					a, b := es[x].idx, es[y].idx
					if a == b || (link && recs[a].Side == recs[b].Side) {
						continue
					}
					pairs = append(pairs, uint64(a)<<32|uint64(b))
				}
			}
		}
		i = j
	}
	radixSort(pairs, func(p *uint64) uint64 { return *p })
	pairs = slices.Compact(pairs)
	st.Pairs = int64(len(pairs))
	for _, s := range skipped {
		st.Skipped = append(st.Skipped, *s)
	}
	slices.SortFunc(st.Skipped, func(a, b SkippedRule) int { return strings.Compare(a.Rule, b.Rule) })
	return pairs, st
}

// unpack splits a packed pair.
func unpack(p uint64) (a, b int32) { return int32(p >> 32), int32(p & 0xffffffff) }

// fnv64 is FNV-1a.
func fnv64(b []byte) uint64 {
	h := uint64(fnvOffset)
	for _, c := range b {
		h ^= uint64(c)
		h *= fnvPrime
	}
	return h
}

const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

// fnvAdd continues the FNV-1a hash h with the bytes of s.
func fnvAdd(h uint64, s string) uint64 {
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= fnvPrime
	}
	return h
}
