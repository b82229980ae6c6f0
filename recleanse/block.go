package recleanse

import (
	"slices"
	"strings"

	"github.com/steward-crm/steward/contact"
)

// blockHashes hashes the record's blocking keys (FNV-1a); the low byte holds the index of
// the key's rule, for reports.
func (l *Loader) blockHashes(n *contact.Normalized) []uint64 {
	keys := l.Engine.BlockKeys(n)
	rulesIdx := l.Engine.Rules().Match.Blocking
	out := make([]uint64, 0, len(keys))
	for _, k := range keys {
		name, _, _ := strings.Cut(k, ":")
		ri := 0
		for i, b := range rulesIdx {
			if b.Name == name {
				ri = i
				break
			}
		}
		out = append(out, fnv64([]byte(k))&^0xff|uint64(ri))
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
	var pairs []uint64
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
	h := uint64(14695981039346656037)
	for _, c := range b {
		h ^= uint64(c)
		h *= 1099511628211
	}
	return h
}
