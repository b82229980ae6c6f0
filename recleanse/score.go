package recleanse

import (
	"math/bits"
	"runtime"
	"sync"
	"sync/atomic"

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
// every pair of a large file); with masks (a bit per blocking rule that brings each pair:
// ruleMasks), also per rule.
func patterns(eng *match.Engine, feats []*match.Features, pairs []uint64, step, workers int, masks []uint32, nRules int) (match.Patterns, []match.Patterns) {
	step = max(1, step)
	n := (len(pairs) + step - 1) / step
	parts := make([]match.Patterns, max(1, workers))
	if workers <= 0 {
		parts = make([]match.Patterns, runtime.GOMAXPROCS(0))
	}
	ruleParts := make([][]match.Patterns, len(parts))
	parallel(n, len(parts), func(w, lo, hi int) {
		pats := match.Patterns{}
		var byRule []match.Patterns
		if masks != nil {
			byRule = make([]match.Patterns, nRules)
			for r := range byRule {
				byRule[r] = match.Patterns{}
			}
		}
		buf := make([]int8, 0, 16)
		for i := lo; i < hi; i++ {
			a, b := unpack(pairs[i*step])
			buf = eng.Pattern(feats[a], feats[b], buf[:0])
			pats.Add(buf)
			if masks != nil {
				for m := masks[i*step]; m != 0; m &= m - 1 {
					if r := bits.TrailingZeros32(m); r < nRules {
						byRule[r].Add(buf)
					}
				}
			}
		}
		parts[w], ruleParts[w] = pats, byRule
	})
	all := match.Patterns{}
	for _, p := range parts {
		for k, v := range p {
			all[k] += v
		}
	}
	if masks == nil {
		return all, nil
	}
	perRule := make([]match.Patterns, nRules)
	for r := range perRule {
		perRule[r] = match.Patterns{}
		for _, byRule := range ruleParts {
			if byRule == nil {
				continue
			}
			for k, v := range byRule[r] {
				perRule[r][k] += v
			}
		}
	}
	return all, perRule
}

// scoreChunk is the number of pairs a scoring worker takes at a time: small enough that
// both cores stay busy to the end (pairs differ in cost, and a noisy neighbour may slow one
// core), large enough that taking one costs nothing.
const scoreChunk = 1 << 14

// score weighs every pair and returns those at or above minWeight as edges, in pair order
// (each chunk's edges are kept apart and joined in order, whichever worker scored it).
func score(eng *match.Engine, feats []*match.Features, pairs []uint64, minWeight float64, workers int) []match.Edge {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	chunks := make([][]match.Edge, (len(pairs)+scoreChunk-1)/scoreChunk)
	var next atomic.Int64
	parallel(len(chunks), workers, func(_, _, _ int) {
		for {
			c := int(next.Add(1) - 1)
			if c >= len(chunks) {
				return
			}
			var out []match.Edge
			for _, p := range pairs[c*scoreChunk : min(len(pairs), (c+1)*scoreChunk)] {
				a, b := unpack(p)
				if wt, ok := eng.WeightAtLeast(feats[a], feats[b], minWeight); ok {
					out = append(out, match.Edge{A: a, B: b, Weight: wt})
				}
			}
			chunks[c] = out
		}
	})
	var n int
	for _, c := range chunks {
		n += len(c)
	}
	edges := make([]match.Edge, 0, n)
	for _, c := range chunks {
		edges = append(edges, c...)
	}
	return edges
}
