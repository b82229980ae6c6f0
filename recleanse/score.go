package recleanse

import (
	"runtime"
	"sync"

	"github.com/steward-crm/steward/pipeline/match"
)

// parallel runs fn over [0, n) split into one contiguous chunk per worker.
func parallel(n, workers int, fn func(w, lo, hi int)) {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = max(1, min(workers, n))
	var wg sync.WaitGroup
	for w := range workers {
		lo, hi := n*w/workers, n*(w+1)/workers
		wg.Add(1)
		go func() {
			defer wg.Done()
			fn(w, lo, hi)
		}()
	}
	wg.Wait()
}

// patterns counts the comparison vectors of every step-th pair (EM needs a sample, not
// every pair of a large file).
func patterns(eng *match.Engine, recs []Record, pairs []uint64, step, workers int) match.Patterns {
	step = max(1, step)
	n := (len(pairs) + step - 1) / step
	parts := make([]match.Patterns, max(1, workers))
	if workers <= 0 {
		parts = make([]match.Patterns, runtime.GOMAXPROCS(0))
	}
	parallel(n, len(parts), func(w, lo, hi int) {
		pats := match.Patterns{}
		buf := make([]int8, 0, 16)
		for i := lo; i < hi; i++ {
			a, b := unpack(pairs[i*step])
			buf = eng.Pattern(recs[a].Feat, recs[b].Feat, buf[:0])
			pats.Add(buf)
		}
		parts[w] = pats
	})
	all := match.Patterns{}
	for _, p := range parts {
		for k, v := range p {
			all[k] += v
		}
	}
	return all
}

// score weighs every pair and returns those at or above minWeight as edges.
func score(eng *match.Engine, recs []Record, pairs []uint64, minWeight float64, workers int) []match.Edge {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	parts := make([][]match.Edge, workers)
	parallel(len(pairs), workers, func(w, lo, hi int) {
		var out []match.Edge
		for _, p := range pairs[lo:hi] {
			a, b := unpack(p)
			if wt := eng.Weight(recs[a].Feat, recs[b].Feat); wt >= minWeight {
				out = append(out, match.Edge{A: a, B: b, Weight: wt})
			}
		}
		parts[w] = out
	})
	var n int
	for _, p := range parts {
		n += len(p)
	}
	edges := make([]match.Edge, 0, n)
	for _, p := range parts {
		edges = append(edges, p...)
	}
	return edges
}
