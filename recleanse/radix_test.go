package recleanse

import (
	"cmp"
	"fmt"
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

// TestSortRecordsParallelMatchesSort: the two-halves sort and merge of large inputs gives
// the order of one sort.
func TestSortRecordsParallelMatchesSort(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	rs := make([]Record, 200000)
	for i := range rs {
		rs[i] = Record{Key: fmt.Sprint("s:", rng.IntN(50000)), Side: uint8(rng.IntN(2)), Truth: fmt.Sprint(rng.IntN(3)), content: rng.Uint64()}
	}
	want := slices.Clone(rs)
	slices.SortFunc(want, compareRecords)
	SortRecords(rs)
	for i := range rs {
		if compareRecords(rs[i], want[i]) != 0 {
			t.Fatalf("record %d: %+v, want %+v", i, rs[i], want[i])
		}
	}
}
