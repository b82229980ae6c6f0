package recleanse

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestRadixSortMatchesStableSort: same order as slices.SortStableFunc on the key, for
// keys with few distinct bytes (skipped passes) and full-range keys.
func TestRadixSortMatchesStableSort(t *testing.T) {
	type item struct {
		k   uint64
		idx int
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for _, gen := range []func() uint64{
		rng.Uint64,
		func() uint64 { return uint64(rng.IntN(50)) << 40 },
		func() uint64 { return 7 },
	} {
		for _, n := range []int{0, 1, 2, 1000, 100000} {
			xs := make([]item, n)
			for i := range xs {
				xs[i] = item{gen(), i}
			}
			want := slices.Clone(xs)
			slices.SortStableFunc(want, func(a, b item) int { return cmp.Compare(a.k, b.k) })
			radixSort(xs, func(x *item) uint64 { return x.k })
			if !slices.Equal(xs, want) {
				t.Fatalf("n=%d: radix order differs from a stable sort", n)
			}
		}
	}
}
