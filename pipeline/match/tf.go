package match

import (
	"math"
	"slices"
	"sync"

	"github.com/steward-crm/steward/rules"
)

// Bounds of a term-frequency adjustment, in bits: a rare value may add up to tfMaxBonus to
// its level's weight, a very common one take away up to tfMaxMalus. The bonus is 0: on
// synthetic data with namesakes, rewarding rare names cost more precision than it gained
// recall (F1 0.896 with +2 bits, 0.912 with 0), while discounting common names helps.
const (
	tfMaxBonus = 0
	tfMaxMalus = 4
)

// termFrequency is a compiled rules.TermFrequency.
type termFrequency struct {
	rules.TermFrequency
}

// tfAdjust is the term-frequency adjustment of an agreement on value v: log2(u / f(v)),
// where u is the level's u (the average chance that two random records agree) and f(v)
// the chance that they agree on v.
func (l *level) tfAdjust(v string) float64 {
	if l.tf == nil || v == "" {
		return 0
	}
	f := l.tf.Frequency(v)
	if !(f > 0) { // NaN too (a hand-edited model.yaml): no adjustment, not a NaN weight
		return 0
	}
	return math.Max(-tfMaxMalus, math.Min(tfMaxBonus, math.Log2(l.u/f)))
}

// WithTermFrequencies returns a copy of the engine whose term-frequency adjusted levels use
// the given tables (by compared field), e.g. computed in batch from the data being matched.
func (e *Engine) WithTermFrequencies(tfs map[string]rules.TermFrequency) *Engine {
	c := *e
	c.comparisons = make([]comparison, len(e.comparisons))
	for i, cmp := range e.comparisons {
		cmp.levels = slices.Clone(cmp.levels)
		c.comparisons[i] = cmp
	}
	c.setTermFrequencies(tfs)
	return &c
}

func (e *Engine) setTermFrequencies(tfs map[string]rules.TermFrequency) {
	for i := range e.comparisons {
		for j := range e.comparisons[i].levels {
			l := &e.comparisons[i].levels[j]
			l.tf = nil
			if t, ok := tfs[l.field]; ok && l.tfWanted {
				l.tf = &termFrequency{t}
			}
		}
	}
}

// TermFrequencyFields returns the fields whose values the engine's term-frequency
// adjusted levels compare.
func (e *Engine) TermFrequencyFields() []string {
	var out []string
	for _, c := range e.comparisons {
		for _, l := range c.levels {
			if l.tfWanted && !slices.Contains(out, l.field) {
				out = append(out, l.field)
			}
		}
	}
	slices.Sort(out)
	return out
}

// CountTerms computes term-frequency tables of fields from records' features: per field,
// each value's share of the records having the field. Only the maxValues most frequent
// values of a field are kept (0: all), and only those seen at least twice; the others get
// the frequency of a value seen once.
func CountTerms(recs []*Features, fields []string, maxValues int) map[string]rules.TermFrequency {
	// Fields are counted at once, one goroutine each: counting is map-bound and
	// single-threaded per field.
	tfs := make([]*rules.TermFrequency, len(fields))
	var wg sync.WaitGroup
	for i, f := range fields {
		id, ok := fieldIDs[f]
		if !ok {
			continue
		}
		wg.Go(func() { tfs[i] = countTerms(recs, id, maxValues) })
	}
	wg.Wait()
	out := map[string]rules.TermFrequency{}
	for i, f := range fields {
		if tfs[i] != nil {
			out[f] = *tfs[i]
		}
	}
	return out
}

// countTerms is CountTerms of one field (nil when no record has it).
func countTerms(recs []*Features, id, maxValues int) *rules.TermFrequency {
	counts := map[string]int{}
	total := 0
	for _, r := range recs {
		if vs := r.field(id); len(vs) > 0 {
			counts[vs[0]]++
			total++
		}
	}
	if total == 0 {
		return nil
	}
	type vc struct {
		v string
		n int
	}
	var list []vc
	for v, n := range counts {
		if n >= 2 {
			list = append(list, vc{v, n})
		}
	}
	slices.SortFunc(list, func(a, b vc) int {
		if a.n != b.n {
			return b.n - a.n
		}
		if a.v < b.v {
			return -1
		}
		return 1
	})
	if maxValues > 0 && len(list) > maxValues {
		list = list[:maxValues]
	}
	tf := rules.TermFrequency{Total: total, Min: 1 / float64(total), Values: make(map[string]float64, len(list))}
	for _, x := range list {
		tf.Values[x.v] = float64(x.n) / float64(total)
	}
	return &tf
}
