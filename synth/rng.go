package synth

import (
	"math"
	"math/rand/v2"
	"sort"
)

// Stream numbers keep the generator's independent random streams apart.
const (
	streamMain uint64 = iota + 1
	streamCompany
	streamEstablishment
	streamRegistry
	// streamRedraw feeds draws that fix up an entity after the fact (see related), one
	// source per entity id.
	streamRedraw
)

// splitmix64 scrambles a seed so that neighbouring seeds give unrelated PCG states.
func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// newRand returns a PCG-backed generator for (seed, stream, index).
func newRand(seed int64, stream, index uint64) *rand.Rand {
	a := splitmix64(uint64(seed) ^ stream<<56)
	b := splitmix64(index ^ 0x5851f42d4c957f2d*stream)
	return rand.New(rand.NewPCG(a, b))
}

// chance reports true with probability p.
func chance(r *rand.Rand, p float64) bool { return p > 0 && (p >= 1 || r.Float64() < p) }

// pick returns a uniformly chosen element of xs.
func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// between returns an int in [lo, hi].
func between(r *rand.Rand, lo, hi int) int { return lo + r.IntN(hi-lo+1) }

// appendDigits appends n random decimal digits to b.
func appendDigits(r *rand.Rand, b []byte, n int) []byte {
	for range n {
		b = append(b, byte('0'+r.IntN(10)))
	}
	return b
}

// wtable is a weighted list of strings, drawn by binary search on cumulative weights.
type wtable struct {
	items []string
	cum   []float64
}

// zipfTable weights items by rank: the item of rank k (0-based) weighs 1/(k+offset)^s, so
// lists ordered by real frequency get a realistic skew.
func zipfTable(items []string, s, offset float64) *wtable {
	t := &wtable{items: items, cum: make([]float64, len(items))}
	total := 0.0
	for k := range items {
		total += 1 / math.Pow(float64(k)+offset, s)
		t.cum[k] = total
	}
	return t
}

// draw returns an item with probability proportional to its weight.
func (t *wtable) draw(r *rand.Rand) string {
	x := r.Float64() * t.cum[len(t.cum)-1]
	i := sort.SearchFloat64s(t.cum, x)
	if i >= len(t.items) {
		i = len(t.items) - 1
	}
	return t.items[i]
}

// weighted picks an index with probability proportional to ws.
func weighted(r *rand.Rand, ws []float64) int {
	total := 0.0
	for _, w := range ws {
		total += w
	}
	x := r.Float64() * total
	for i, w := range ws {
		if x < w {
			return i
		}
		x -= w
	}
	return len(ws) - 1
}
