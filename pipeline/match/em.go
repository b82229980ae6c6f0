package match

import (
	"maps"
	"math"
	"slices"
)

// Patterns counts comparison vectors (Engine.Pattern) of candidate pairs: EM needs only
// each distinct vector once, with its count, which makes it fast on millions of pairs.
type Patterns map[string]int64

// Add counts one pattern.
func (p Patterns) Add(pattern []int8) { p[string(int8Bytes(pattern))]++ }

func int8Bytes(p []int8) []byte {
	b := make([]byte, len(p))
	for i, v := range p {
		b[i] = byte(v)
	}
	return b
}

// EMConfig bounds the EM estimation.
type EMConfig struct {
	// MaxIterations stops EM (default 1000).
	MaxIterations int
	// Tolerance: EM has converged when no parameter moves more than this in an iteration
	// (default 1e-6).
	Tolerance float64
	// PriorStrength makes EM a MAP estimate: the start values m0 of a comparison weigh as
	// this share of the pairs where the comparison is not neutral, as Dirichlet
	// pseudo-counts of the match class (0: plain EM). It keeps EM from taking look-alike
	// groups (households sharing name, address and phone) for the match class, which
	// plain EM does on large files. Counting the share per comparison keeps a comparison
	// that is often missing (two mobiles, two birth dates) learnt from its data rather
	// than held at its start values.
	PriorStrength float64
	// FixM keeps m at the start values: EM estimates only u and the match share.
	FixM bool
}

// EMResult is what EM converged to: per comparison and level, m = P(level | match) and
// u = P(level | non-match) among the pairs EM ran on, and Lambda, the share of matches.
type EMResult struct {
	M, U       [][]float64
	Lambda     float64
	Iterations int
	Converged  bool
}

// probability floor and ceiling: keeps log weights finite.
const (
	pMin = 1e-7
	pMax = 1 - 1e-7
)

// EM estimates m, u and the match share from unlabelled pattern counts with the
// expectation-maximisation algorithm of the Fellegi–Sunter model (fields conditionally
// independent given the match status; a neutral comparison (-1) contributes nothing).
// levels[c] is the number of levels of comparison c; m0, u0 and lambda0 are the start.
func EM(levels []int, pats Patterns, m0, u0 [][]float64, lambda0 float64, cfg EMConfig) EMResult {
	if cfg.MaxIterations == 0 {
		cfg.MaxIterations = 1000
	}
	if cfg.Tolerance == 0 {
		cfg.Tolerance = 1e-6
	}
	type pat struct {
		g []int8
		n float64
	}
	// In key order: the sums below then add up the same way on every run, and the
	// model is the same to the last bit (the map's order changed its last digits).
	ps := make([]pat, 0, len(pats))
	for _, k := range slices.Sorted(maps.Keys(pats)) {
		n := pats[k]
		g := make([]int8, len(k))
		for i := range k {
			g[i] = int8(k[i])
		}
		ps = append(ps, pat{g, float64(n)})
	}
	m, u := clone2(m0), clone2(u0)
	var pairs float64
	for _, p := range ps {
		pairs += p.n
	}
	if pairs == 0 {
		// No pair: nothing moves the start (the match share would be 0/0, NaN).
		return EMResult{M: m, U: u, Lambda: lambda0, Converged: true}
	}
	// Pseudo-counts per comparison: a share of the pairs where it is not neutral.
	pseudo := make([]float64, len(levels))
	for _, p := range ps {
		for c, l := range p.g {
			if l >= 0 {
				pseudo[c] += p.n
			}
		}
	}
	for c := range pseudo {
		pseudo[c] *= max(0, cfg.PriorStrength)
	}
	lambda := lambda0
	res := EMResult{}
	mAcc, uAcc := zeros(levels), zeros(levels)
	for it := 1; it <= cfg.MaxIterations; it++ {
		reset(mAcc)
		reset(uAcc)
		var wSum, nSum float64
		for _, p := range ps {
			lm, lu := math.Log(lambda), math.Log(1-lambda)
			for c, l := range p.g {
				if l >= 0 {
					lm += math.Log(m[c][l])
					lu += math.Log(u[c][l])
				}
			}
			w := 1 / (1 + math.Exp(lu-lm)) // P(match | pattern)
			wSum += w * p.n
			nSum += p.n
			for c, l := range p.g {
				if l >= 0 {
					mAcc[c][l] += w * p.n
					uAcc[c][l] += (1 - w) * p.n
				}
			}
		}
		delta := 0.0
		newLambda := clamp(wSum / nSum)
		delta = math.Max(delta, math.Abs(newLambda-lambda))
		lambda = newLambda
		for c := range levels {
			for l := range mAcc[c] {
				mAcc[c][l] += pseudo[c] * m0[c][l]
			}
			if !cfg.FixM {
				delta = math.Max(delta, normalizeInto(m[c], mAcc[c]))
			}
			delta = math.Max(delta, normalizeInto(u[c], uAcc[c]))
		}
		res.Iterations = it
		if delta < cfg.Tolerance {
			res.Converged = true
			break
		}
	}
	res.M, res.U, res.Lambda = m, u, lambda
	return res
}

// normalizeInto sets dst to acc normalized (left unchanged when acc is all zero) and
// returns the largest change.
func normalizeInto(dst, acc []float64) float64 {
	var sum float64
	for _, v := range acc {
		sum += v
	}
	if sum == 0 {
		return 0
	}
	d := 0.0
	for i, v := range acc {
		nv := clamp(v / sum)
		d = math.Max(d, math.Abs(nv-dst[i]))
		dst[i] = nv
	}
	return d
}

func clamp(p float64) float64 { return math.Min(pMax, math.Max(pMin, p)) }

func clone2(x [][]float64) [][]float64 {
	out := make([][]float64, len(x))
	for i := range x {
		out[i] = append([]float64(nil), x[i]...)
	}
	return out
}

func zeros(levels []int) [][]float64 {
	out := make([][]float64, len(levels))
	for i, n := range levels {
		out[i] = make([]float64, n)
	}
	return out
}

func reset(x [][]float64) {
	for i := range x {
		clear(x[i])
	}
}
