package match

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestEMRecoversParameters: on patterns drawn from a known two-class model EM finds the
// match share and the m probabilities again, without labels.
func TestEMRecoversParameters(t *testing.T) {
	levels := []int{3, 2, 4}
	m := [][]float64{{0.8, 0.15, 0.05}, {0.9, 0.1}, {0.6, 0.2, 0.1, 0.1}}
	u := [][]float64{{0.05, 0.15, 0.8}, {0.2, 0.8}, {0.05, 0.05, 0.2, 0.7}}
	lambda := 0.3
	r := rand.New(rand.NewPCG(5, 6))
	draw := func(p []float64) int8 {
		x := r.Float64()
		for i, v := range p {
			if x < v {
				return int8(i)
			}
			x -= v
		}
		return int8(len(p) - 1)
	}
	pats := Patterns{}
	for range 50000 {
		probs := u
		if r.Float64() < lambda {
			probs = m
		}
		g := make([]int8, len(levels))
		for c := range levels {
			g[c] = draw(probs[c])
			if r.IntN(10) == 0 {
				g[c] = -1 // missing: neutral
			}
		}
		pats.Add(g)
	}
	start := func(v float64) [][]float64 {
		out := make([][]float64, len(levels))
		for c, n := range levels {
			out[c] = make([]float64, n)
			for l := range out[c] {
				out[c][l] = 1 / float64(n)
			}
			out[c][0] += v
			normalizeInto(out[c], out[c])
		}
		return out
	}
	res := EM(levels, pats, start(0.5), start(-0.2), 0.5, EMConfig{})
	if !res.Converged {
		t.Errorf("EM did not converge in %d iterations", res.Iterations)
	}
	if math.Abs(res.Lambda-lambda) > 0.02 {
		t.Errorf("λ = %.3f, want %.3f", res.Lambda, lambda)
	}
	for c := range levels {
		for l := range m[c] {
			if math.Abs(res.M[c][l]-m[c][l]) > 0.03 {
				t.Errorf("m[%d][%d] = %.3f, want %.3f", c, l, res.M[c][l], m[c][l])
			}
		}
	}
}
