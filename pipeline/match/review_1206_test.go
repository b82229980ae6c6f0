package match

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/steward-crm/steward/contact"
	"github.com/steward-crm/steward/rules"
)

// TestReview1206EMWithoutPairs: EM on no pattern has nothing to move its start values:
// it returns them, converged, instead of a match share of NaN after 1000 iterations.
func TestReview1206EMWithoutPairs(t *testing.T) {
	m0 := [][]float64{{0.9, 0.1}, {0.8, 0.2}}
	u0 := [][]float64{{0.1, 0.9}, {0.3, 0.7}}
	for name, pats := range map[string]Patterns{"nil": nil, "empty": {}} {
		t.Run(name, func(t *testing.T) {
			res := EM([]int{2, 2}, pats, m0, u0, 0.3, EMConfig{PriorStrength: 0.1})
			if res.Lambda != 0.3 || !res.Converged {
				t.Errorf("EM on no pairs: λ %v, converged %v after %d iterations; want the start λ 0.3, converged", res.Lambda, res.Converged, res.Iterations)
			}
			for c := range m0 {
				for l := range m0[c] {
					if res.M[c][l] != m0[c][l] || res.U[c][l] != u0[c][l] {
						t.Errorf("m/u[%d][%d] = %v/%v, want the start %v/%v", c, l, res.M[c][l], res.U[c][l], m0[c][l], u0[c][l])
					}
				}
			}
		})
	}
}

// review1206People draws synthetic people (half of them with a second, sparser record)
// and blocks them with the default rules: features, the comparison vectors of all the
// blocked pairs, those of each rule's pairs, and the number of blocked pairs.
func review1206People(t *testing.T, e *Engine) ([]*Features, Patterns, []Patterns, int64) {
	t.Helper()
	r := rand.New(rand.NewPCG(1, 2))
	pick := func(xs ...string) string { return xs[r.IntN(len(xs))] }
	var ns []*contact.Normalized
	for range 150 {
		g := pick("anna", "ben", "carla", "dirk", "eva", "fritz", "gina", "hans")
		f := pick("nowak", "smith", "meyer", "keller", "brown", "lopez")
		em := fmt.Sprintf("%s.%s%d@example.org", g, f, r.IntN(30))
		ph := fmt.Sprintf("+336123456%02d", r.IntN(40))
		pc := pick("75009", "69001", "13001")
		bd := fmt.Sprintf("19%02d-0%d-1%d", 50+r.IntN(10), 1+r.IntN(9), r.IntN(9))
		ns = append(ns, person(g, f, em, ph, pc, "", bd))
		if r.IntN(2) == 0 {
			ns = append(ns, person(g, f, pick(em, ""), pick(ph, ""), pc, "", pick(bd, "")))
		}
	}
	feats := make([]*Features, len(ns))
	byKey := map[string][]int{}
	for i, n := range ns {
		feats[i] = e.Features(n)
		for _, k := range e.BlockKeys(n) {
			byKey[k] = append(byKey[k], i)
		}
	}
	ruleOf := map[string]int{}
	for i, b := range e.rules.Match.Blocking {
		ruleOf[b.Name] = i
	}
	perRule := make([]Patterns, len(e.rules.Match.Blocking))
	for i := range perRule {
		perRule[i] = Patterns{}
	}
	pats, seen := Patterns{}, map[[2]int]bool{}
	for k, ids := range byKey {
		name, _, _ := strings.Cut(k, ":")
		for x := range ids {
			for y := x + 1; y < len(ids); y++ {
				p := e.Pattern(feats[ids[x]], feats[ids[y]], nil)
				perRule[ruleOf[name]].Add(p)
				if pr := [2]int{ids[x], ids[y]}; !seen[pr] {
					seen[pr] = true
					pats.Add(p)
				}
			}
		}
	}
	return feats, pats, perRule, int64(len(seen))
}

// TestReview1206PriorNotFloored: the prior is λ × blocked pairs / all pairs, however
// small: a base of tens of millions of records (or a link of two large files) wants one
// under 1e-7, which EM's probability floor used to hold it at.
func TestReview1206PriorNotFloored(t *testing.T) {
	feats, pats, perRule, npairs := review1206People(t, testEngine)
	const all = 1e13
	m, err := testEngine.Train(feats, pats, npairs, TrainConfig{RandomPairs: 5000, RulePatterns: perRule, AllPairs: all})
	if err != nil {
		t.Fatal(err)
	}
	want := m.Lambda * float64(npairs) / all
	if math.Abs(m.Prior-want) > 1e-3*want {
		t.Errorf("prior %g, want λ %g × %d blocked pairs / %g pairs = %.4g", m.Prior, m.Lambda, npairs, float64(all), want)
	}
}

// TestReview1206ConvergedCountsPerRuleEM: the model's m are the per-rule EMs'; a model
// one of whose per-rule EMs stopped at the iteration limit has not converged.
func TestReview1206ConvergedCountsPerRuleEM(t *testing.T) {
	e := testEngine
	feats, pats, perRule, npairs := review1206People(t, testEngine)
	// The per-rule EMs as Train runs them, to their end: the most iterations one needs.
	levels, m0, u0 := e.emStart()
	excl := e.RuleExclusions()
	need := 0
	for r, ps := range perRule {
		if len(ps) == 0 {
			continue
		}
		masked := Patterns{}
		for k, n := range ps {
			b := []byte(k)
			for c := range b {
				if excl[r][c] {
					b[c] = 0xff
				}
			}
			masked[string(b)] += n
		}
		res := EM(levels, masked, m0, u0, 0.3, EMConfig{PriorStrength: 0.1})
		if !res.Converged {
			t.Fatalf("rule %d: EM did not converge in %d iterations", r, res.Iterations)
		}
		need = max(need, res.Iterations)
	}
	all := EM(levels, pats, m0, u0, 0.3, EMConfig{PriorStrength: 0.1})
	if need <= all.Iterations+1 {
		t.Skipf("the per-rule EMs (%d iterations at most) converge no later than the one over all pairs (%d): nothing to show", need, all.Iterations)
	}
	limit := need - 1
	m, err := e.Train(feats, pats, npairs, TrainConfig{RandomPairs: 5000, RulePatterns: perRule, EM: EMConfig{MaxIterations: limit}})
	if err != nil {
		t.Fatal(err)
	}
	if m.Converged {
		t.Errorf("model converged (%d iterations) with a per-rule EM stopped at its limit of %d (it needs %d)", m.Iterations, limit, need)
	}
}

// TestReview1206RoundKeepsFourDigits: a probability above one half is written with its
// four significant digits (of the complement), not 0.6679999999999999.
func TestReview1206RoundKeepsFourDigits(t *testing.T) {
	for _, c := range []struct{ p, want float64 }{
		{0.66801, 0.668}, {0.51149, 0.5115}, {0.999987654, 0.99998765}, {0.00066999, 0.00067}, {0.3, 0.3},
	} {
		if got := round(c.p); got != c.want {
			t.Errorf("round(%v) = %v, want %v", c.p, got, c.want)
		}
	}
}

// TestReview1206TermFrequencyNotANumber: a term frequency that is not a number (a
// hand-edited model.yaml: ".nan") adjusts nothing, rather than making the weight NaN (a
// NaN weight is below every threshold and above none: the pair silently never links).
func TestReview1206TermFrequencyNotANumber(t *testing.T) {
	e := testEngine.WithTermFrequencies(map[string]rules.TermFrequency{
		"family_name": {Total: 10, Min: 0.1, Values: map[string]float64{"nowak": math.NaN()}},
	})
	a := e.Features(person("anna", "nowak", "", "", "75009", "", ""))
	b := e.Features(person("anna", "nowak", "", "", "75009", "", ""))
	if w := e.Weight(a, b); math.IsNaN(w) || w != testEngine.Weight(a, b) {
		t.Errorf("weight %v with a NaN frequency, want %v (no adjustment)", w, testEngine.Weight(a, b))
	}
	if s := e.ScoreFeatures(a, b); math.IsNaN(s.Weight) {
		t.Errorf("explained weight %v", s.Weight)
	}
}

// TestReview1206TrainComparisonWithoutElse: a comparison without an else level (valid
// rules: "present on both sides but no level held" is neutral) keeps its evidence when
// trained. Birth dates compared by an exact level only: the rules say m 0.85, u 0.0001
// (+13 bits); the random pairs count u only among the pairs where some level held and EM
// m likewise, so both come out at 0.9999999 and an equal birth date weighs 0 bits.
func TestReview1206TrainComparisonWithoutElse(t *testing.T) {
	r := rules.Default()
	for i := range r.Match.Comparisons {
		if c := &r.Match.Comparisons[i]; c.Name == "birth_date" {
			c.Levels = c.Levels[:1] // exact only
		}
	}
	e, err := New(r)
	if err != nil {
		t.Fatal(err)
	}
	feats, pats, perRule, npairs := review1206People(t, e)
	m, err := e.Train(feats, pats, npairs, TrainConfig{RandomPairs: 20000, RulePatterns: perRule})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range m.Comparisons {
		if c.Name == "birth_date" {
			if l := c.Levels[0]; math.Log2(l.M/l.U) < 3 {
				t.Errorf("birth_date exact trained to m %v, u %v (%+.1f bits), the rules' +12.9", l.M, l.U, math.Log2(l.M/l.U))
			}
		}
	}
}
