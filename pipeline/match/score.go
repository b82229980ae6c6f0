package match

import (
	"math"
	"slices"
)

// reading says whose given and family names are read crosswise.
type reading uint8

const (
	straight reading = iota
	swapA            // a's names crosswise
	swapB            // b's names crosswise
)

// hit is the outcome of one comparison: the index of the level that held (missing or
// none when no level did) and the values it held on.
type hit struct {
	level int
	x, y  string
}

// Special level indexes of a hit.
const (
	levelMissing = -1 // the field is missing on a side: neutral
	levelNone    = -2 // present on both sides but no level held (no else level): neutral
)

// compare returns the first level, in rule order, that holds for some pair of values.
// Levels on a field missing on either side are skipped; when every field of the
// comparison is missing on a side the comparison is neutral.
func (c *comparison) compare(a, b *Features, swap reading) hit {
	h := hit{level: levelMissing}
	// Jaro–Winkler of the last pair compared: levels with different thresholds on the
	// same field (jw ≥ 0.92, then jw ≥ 0.80) compute it once.
	var jwX, jwY string
	jwV, jwField := -1.0, -1
	for i := range c.levels {
		l := &c.levels[i]
		xs, ys := a.get(l.fieldID, swap == swapA), b.get(l.fieldID, swap == swapB)
		if len(xs) == 0 || len(ys) == 0 {
			continue
		}
		if h.level == levelMissing {
			h.level, h.x, h.y = levelNone, xs[0], ys[0]
		}
		if l.isElse {
			// The values the else level is on, not those of the first level compared.
			return hit{level: i, x: xs[0], y: ys[0]}
		}
		if l.guardID >= 0 && differ(a.get(l.guardID, swap == swapA), b.get(l.guardID, swap == swapB)) {
			continue
		}
		for _, x := range xs {
			for _, y := range ys {
				if l.jw {
					if jwField != l.fieldID || jwX != x || jwY != y {
						jwX, jwY, jwV, jwField = x, y, jaroWinkler(ordered(x, y)), l.fieldID
					}
					if jwV >= l.jwMin {
						return hit{level: i, x: x, y: y}
					}
					continue
				}
				p, q := x, y
				if l.ordered {
					p, q = ordered(x, y)
				}
				if l.holds(p, q) {
					return hit{level: i, x: x, y: y}
				}
			}
		}
	}
	return h
}

// differ reports whether both sides have values and none of one is a value of the other.
func differ(xs, ys []string) bool {
	if len(xs) == 0 || len(ys) == 0 {
		return false
	}
	for _, x := range xs {
		if slices.Contains(ys, x) {
			return false
		}
	}
	return true
}

// ordered returns x and y in sorted order, for comparators that may not be exactly
// symmetric (Jaro–Winkler's greedy matching).
func ordered(x, y string) (string, string) {
	if y < x {
		return y, x
	}
	return x, y
}

// weight is the weight of a hit: log2(m/u) of its level, term-frequency adjusted.
func (c *comparison) weight(h hit) float64 {
	if h.level < 0 {
		return 0
	}
	l := &c.levels[h.level]
	return l.weight + l.tfAdjust(h.x)
}

// Weight is the total match weight of a and b (prior included), the fast path of Score:
// no explanation is built. It is symmetric.
func (e *Engine) Weight(a, b *Features) float64 {
	var buf [16]float64
	ws := e.weights(&buf)
	for i := range e.comparisons {
		c := &e.comparisons[i]
		ws[i] = c.weight(c.compare(a, b, straight))
	}
	return e.total(a, b, ws, crosswise(a, b))
}

// weights returns a slice for the weight of each comparison: buf's when it is long
// enough (no allocation on the scoring path).
func (e *Engine) weights(buf *[16]float64) []float64 {
	if n := len(e.comparisons); n <= len(buf) {
		return buf[:n]
	}
	return make([]float64, len(e.comparisons))
}

// total adds up the comparisons' straight weights ws (by rule order, after the prior)
// and, for a crosswise pair, what the better crosswise reading of the names adds to
// them: Weight's value, summed in one order wherever it is computed.
func (e *Engine) total(a, b *Features, ws []float64, cross bool) float64 {
	w, names := e.priorWeight, 0.0
	for i, x := range ws {
		w += x
		if e.comparisons[i].names {
			names += x
		}
	}
	if cross {
		wa, wb := e.nameWeight(a, b, swapA), e.nameWeight(a, b, swapB)
		if d := max(wa, wb) - names; d > 0 {
			w += d
		}
	}
	return w
}

// WeightAtLeast is Weight(a, b) for a pair whose weight is at least min, with ok true:
// the same value, summed in the same order. For a pair below min it returns ok false and
// may stop comparing as soon as the comparisons left cannot lift the weight to min (most
// candidate pairs are far below the threshold). It evaluates the comparisons cheapest
// first (evalOrder): a disagreement on an e-mail, a mobile or a birth date, or a field
// missing on one side, often ends a pair before any Jaro–Winkler of its names or
// address is computed. The weight of a pair that reaches min is then summed again in
// rule order, so that it is Weight's to the last bit.
func (e *Engine) WeightAtLeast(a, b *Features, min float64) (w float64, ok bool) {
	var buf [16]float64
	ws := e.weights(&buf) // each comparison's weight, by rule order
	cross := crosswise(a, b)
	w = e.priorWeight
	// names: with a crosswise pair, the best weights of the name comparisons passed
	// over (their names are read straight and crosswise once the others leave the pair
	// a chance).
	names := 0.0
	for j, i := range e.order {
		if w+e.headroom[j]+names < min-headroomSlack {
			return w, false
		}
		c := &e.comparisons[i]
		if cross && c.names {
			names += e.best[i]
			continue
		}
		ws[i] = c.weight(c.compare(a, b, straight))
		w += ws[i]
	}
	if cross {
		if w+names < min-headroomSlack {
			return w, false
		}
		for i := range e.comparisons {
			if c := &e.comparisons[i]; c.names {
				ws[i] = c.weight(c.compare(a, b, straight))
			}
		}
	}
	w = e.total(a, b, ws, cross)
	return w, w >= min
}

// headroomSlack keeps rounding in the sum of weights from ending a pair that reaches
// the threshold exactly.
const headroomSlack = 1e-6

// headroom returns, for each position j of order, the most that comparisons order[j:]
// can add to a weight, and for each comparison the most it can add (best): its best
// level's weight (a term-frequency adjustment adds at most tfMaxBonus), or 0 when missing.
func headroom(cs []comparison, order []int) (room, best []float64) {
	best = make([]float64, len(cs))
	for i, c := range cs {
		for _, l := range c.levels {
			best[i] = math.Max(best[i], l.weight+tfMaxBonus)
		}
	}
	room = make([]float64, len(order)+1)
	for j := len(order) - 1; j >= 0; j-- {
		room[j] = room[j+1] + best[order[j]]
	}
	return room, best
}

// evalOrder returns the comparisons' indexes cheapest first (levelCost of their levels;
// rule order among equals): WeightAtLeast's order.
func evalOrder(cs []comparison) []int {
	order := make([]int, len(cs))
	cost := make([]int, len(cs))
	for i, c := range cs {
		order[i] = i
		jw := map[int]bool{} // Jaro–Winkler is computed once per field (compare)
		for _, l := range c.levels {
			if l.jw {
				if jw[l.fieldID] {
					continue
				}
				jw[l.fieldID] = true
			}
			cost[i] += levelCost(l.kind)
		}
	}
	slices.SortStableFunc(order, func(x, y int) int { return cost[x] - cost[y] })
	return order
}

// levelCost is a rough relative cost of testing one level of a kind on a pair of
// values: an equality or a date is a few instructions, an edit distance or a token set a
// loop over the strings, Jaro–Winkler (computed once per field and pair) the most.
func levelCost(kind string) int {
	switch kind {
	case "else", "present":
		return 0
	case "exact", "initial", "date_within", "date_transposed", "numeric":
		return 1
	case "nickname":
		return 2
	case "levenshtein", "token_subset", "phonetic":
		return 4
	default: // jaro_winkler, and any kind added later
		return 10
	}
}

// bestReading returns the crosswise reading that weighs most and how much more than the
// straight one its name comparisons weigh. Both crosswise readings are tried so that the
// result does not depend on which record comes first.
func (e *Engine) bestReading(a, b *Features) (reading, float64) {
	s := e.nameWeight(a, b, straight)
	wa, wb := e.nameWeight(a, b, swapA), e.nameWeight(a, b, swapB)
	if wb > wa {
		return swapB, wb - s
	}
	return swapA, wa - s
}

// nameWeight is the weight of the comparisons that read names only: the part of the
// weight a crosswise reading can change.
func (e *Engine) nameWeight(a, b *Features, swap reading) float64 {
	var w float64
	for i := range e.comparisons {
		if c := &e.comparisons[i]; c.names {
			w += c.weight(c.compare(a, b, swap))
		}
	}
	return w
}

// Pattern appends the comparison vector of a and b to dst: per comparison, the index of
// the level that held, or -1 when neutral (missing). EM trains on these.
func (e *Engine) Pattern(a, b *Features, dst []int8) []int8 {
	swap := straight
	if crosswise(a, b) {
		if r, d := e.bestReading(a, b); d > 0 {
			swap = r
		}
	}
	for i := range e.comparisons {
		l := e.comparisons[i].compare(a, b, swap).level
		if l < 0 {
			l = -1
		}
		dst = append(dst, int8(l))
	}
	return dst
}

// ScoreFeatures is Score on extracted features.
func (e *Engine) ScoreFeatures(a, b *Features) Score {
	if crosswise(a, b) {
		if r, d := e.bestReading(a, b); d > 0 {
			return e.explain(a, b, r)
		}
	}
	return e.explain(a, b, straight)
}

func (e *Engine) explain(a, b *Features, swap reading) Score {
	s := Score{Prior: e.priorWeight, Weight: e.priorWeight, Swapped: swap != straight, Fields: make([]FieldScore, 0, len(e.comparisons))}
	for i := range e.comparisons {
		c := &e.comparisons[i]
		h := c.compare(a, b, swap)
		fs := FieldScore{Comparison: c.name, A: h.x, B: h.y}
		switch h.level {
		case levelMissing:
			fs.Level = "missing"
		case levelNone:
			fs.Level = "none"
		default:
			l := &c.levels[h.level]
			fs.Level = l.name
			fs.TermFrequency = l.tfAdjust(h.x)
			fs.Weight = l.weight + fs.TermFrequency
		}
		s.Weight += fs.Weight
		s.Fields = append(s.Fields, fs)
	}
	s.Probability = Probability(s.Weight)
	return s
}
