package recleanse

import (
	"math/bits"
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

// RuleStats is what one blocking rule brings, against the truth: where recall comes from
// and what each rule costs (Result.RuleStats).
type RuleStats struct {
	Rule string `json:"rule"`
	// Pairs are the candidate pairs the rule's keys bring (some brought by other rules
	// too), True those of one entity.
	Pairs int64 `json:"pairs"`
	True  int64 `json:"true_pairs"`
	// Only are the pairs no other rule brings (what dropping the rule would save), OnlyTrue
	// those of one entity (the recall dropping it would lose, before scoring).
	Only     int64 `json:"only_pairs"`
	OnlyTrue int64 `json:"only_true_pairs"`
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
	pairs, st, _ := block(recs, ruleNames, maxBlock, link, false)
	return pairs, st
}

// block is Pairs, and with keep the records' keys sorted by key, for ruleStats.
func block(recs []Record, ruleNames []string, maxBlock int, link bool, keep bool) ([]uint64, BlockStats, []entry) {
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
	keyGroups(es, func(lo, hi int) {
		if size := hi - lo; size <= maxBlock {
			npairs += size * (size - 1) / 2
		}
	})
	pairs := make([]uint64, 0, npairs)
	keyGroups(es, func(lo, hi int) {
		size := hi - lo
		switch {
		case size < 2:
		case size > maxBlock:
			ri := int(es[lo].h & 0xff)
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
			pairs = appendPairs(pairs, es[lo:hi], recs, link)
		}
	})
	radixSort(pairs, func(p *uint64) uint64 { return *p })
	pairs = slices.Compact(pairs)
	st.Pairs = int64(len(pairs))
	for _, s := range skipped {
		st.Skipped = append(st.Skipped, *s)
	}
	slices.SortFunc(st.Skipped, func(a, b SkippedRule) int { return strings.Compare(a.Rule, b.Rule) })
	if !keep {
		es = nil
	}
	return pairs, st, es
}

// keyGroups calls fn with each run es[lo:hi] of entries of one key.
func keyGroups(es []entry, fn func(lo, hi int)) {
	for i := 0; i < len(es); {
		j := i + 1
		for j < len(es) && es[j].h == es[i].h {
			j++
		}
		fn(i, j)
		i = j
	}
}

// appendPairs appends the candidate pairs of the records of one key's entries, packed
// (the entries are in record order: a < b), but a record with itself and, in a link run,
// two records of one side.
func appendPairs(dst []uint64, group []entry, recs []Record, link bool) []uint64 {
	for x := range group {
		for y := x + 1; y < len(group); y++ {
			a, b := group[x].idx, group[y].idx
			if a == b || (link && recs[a].Side == recs[b].Side) {
				continue
			}
			dst = append(dst, uint64(a)<<32|uint64(b))
		}
	}
	return dst
}

// entry is one blocking key of a record: the key's hash (its rule's report index in the
// low byte) and the record's index.
type entry struct {
	h   uint64
	idx int32
}

// maxRuleStats bounds the blocking rules ruleStats reports on (a bit of a mask each).
const maxRuleStats = 32

// ruleStats counts, per blocking rule, the candidate pairs its keys bring (es: every key
// of every record, sorted by key; pairs: the run's candidate pairs, their union), those
// of one entity, and those no other rule brings. Each rule's pairs are gathered and
// sorted in turn and marked in a mask per candidate pair (a bit per rule), so that memory
// stays at a few bytes per candidate pair. More rules than maxRuleStats: nil.
func ruleStats(es []entry, recs []Record, ruleNames []string, maxBlock int, link bool, ent []int32, pairs []uint64) []RuleStats {
	masks := ruleMasks(es, recs, len(ruleNames), maxBlock, link, pairs)
	if masks == nil {
		return nil
	}
	out := make([]RuleStats, len(ruleNames))
	for i, m := range masks {
		a, b := unpack(pairs[i])
		same := ent[a] >= 0 && ent[a] == ent[b]
		one := bits.OnesCount32(m) == 1
		for rest := m; rest != 0; rest &= rest - 1 {
			st := &out[bits.TrailingZeros32(rest)]
			st.Pairs++
			if same {
				st.True++
			}
			if one {
				st.Only++
				if same {
					st.OnlyTrue++
				}
			}
		}
	}
	// Every rule under its own name (each carries its own index: ownIndexes), the ones
	// that bring no pair too.
	for ri := range out {
		out[ri].Rule = ruleNames[ri]
	}
	return out
}

// ruleMasks marks each candidate pair (pairs: their union, sorted) with a bit per
// blocking rule that brings it (es: every key of every record, sorted by key): each rule's
// pairs are gathered and sorted in turn. More rules than maxRuleStats: nil.
func ruleMasks(es []entry, recs []Record, nRules, maxBlock int, link bool, pairs []uint64) []uint32 {
	if nRules > maxRuleStats {
		return nil
	}
	masks := make([]uint32, len(pairs))
	var buf []uint64
	for rule := range nRules {
		buf = buf[:0]
		keyGroups(es, func(lo, hi int) {
			if size := hi - lo; size >= 2 && size <= maxBlock && int(es[lo].h&0xff) == rule {
				buf = appendPairs(buf, es[lo:hi], recs, link)
			}
		})
		radixSort(buf, func(p *uint64) uint64 { return *p })
		buf = slices.Compact(buf)
		k := 0
		for _, p := range buf { // every one is a candidate pair: the candidates are their union
			for k < len(pairs) && pairs[k] < p {
				k++
			}
			if k < len(pairs) && pairs[k] == p {
				masks[k] |= 1 << rule
			}
		}
	}
	return masks
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
