package match

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/steward-crm/steward/rules"
)

// TrainConfig configures Train. Zero values mean the defaults written on the fields.
type TrainConfig struct {
	// RandomPairs is the number of random record pairs u is estimated from (default
	// 400 000 or twice the records, whichever is more; at most all pairs). A level
	// hit by fewer than minLevelHits of them keeps the rules' u when that is higher: the
	// sample grows with the data so that a rare level (a street in one postcode, u
	// ~2e-5) is still measured on a million records rather than held at the rules'
	// value.
	RandomPairs int64
	// AllPairs is the number of pairs the blocked ones are drawn from, for the prior
	// (the match share among all of them): default n(n−1)/2, all pairs of the records;
	// a link run compares only the pairs across its two files, nA·nB.
	AllPairs int64
	// Seed seeds the random pairs (default 1): the same input gives the same model.
	Seed uint64
	// MaxTermValues bounds each term-frequency table (default 20 000 most frequent values).
	MaxTermValues int
	// EM bounds the EM iterations; its PriorStrength defaults to 0.1 here (the rules' m
	// count as a tenth of the pairs where their comparison is not neutral; negative for
	// plain EM).
	EM EMConfig
	// Now stamps the model (default time.Now).
	Now func() time.Time
	// RulePatterns, when set, are the comparison vectors of the blocked pairs of each
	// blocking rule (by the rule's index): m is then estimated per rule, each EM leaving
	// out the comparisons the rule's parts make agree (RuleExclusions), and the match
	// share by EM on all the pairs with m held.
	RulePatterns []Patterns
}

// ErrNothingToLearn is Train's error when the records give EM nothing to estimate (fewer
// than two records, no blocked pairs), and callers' for a model that Collapsed: the
// rules' m/u are then the model to use.
var ErrNothingToLearn = errors.New("nothing to learn from")

// Collapsed reports whether EM put every blocked pair in the non-match class (the
// match share at its floor): it found no second kind of pair to tell from the first,
// as in a file of exact copies only, where all the pairs agree on everything. Such a
// model links nothing.
func Collapsed(m *rules.Model) bool { return m.Lambda <= 2*pMin }

// How a model's m were estimated (rules.Model.EM).
const (
	EMPerRule  = "per_rule"
	EMAllPairs = "all_pairs"
)

// Train estimates a model without labels from the features of a set of records and the
// comparison vectors of their blocked pairs (pats, over npairs pairs): u from random
// pairs, m and the match share by EM on the blocked pairs (started from the rules' m/u;
// with cfg.RulePatterns m per blocking rule, then the match share with m held), term
// frequencies from the values. Apply the result with rules.Rules.WithModel.
func (e *Engine) Train(recs []*Features, pats Patterns, npairs int64, cfg TrainConfig) (*rules.Model, error) {
	if len(recs) < 2 {
		return nil, fmt.Errorf("train: need at least 2 records, got %d: %w", len(recs), ErrNothingToLearn)
	}
	if npairs == 0 {
		return nil, fmt.Errorf("train: no blocked pairs among %d records: %w", len(recs), ErrNothingToLearn)
	}
	if cfg.RandomPairs == 0 {
		cfg.RandomPairs = defaultRandomPairs(len(recs))
	}
	if cfg.Seed == 0 {
		cfg.Seed = 1
	}
	if cfg.MaxTermValues == 0 {
		cfg.MaxTermValues = 20000
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.EM.PriorStrength == 0 {
		cfg.EM.PriorStrength = 0.1
	}
	n := int64(len(recs))
	allPairs := n * (n - 1) / 2
	u, sampled := e.randomU(recs, min(cfg.RandomPairs, allPairs), cfg.Seed)
	levels, m0, u0 := e.emStart()
	res := EM(levels, pats, m0, u0, 0.3, cfg.EM)
	em := EMAllPairs
	if cfg.RulePatterns != nil {
		em = EMPerRule
		m, its, converged := e.perRuleM(levels, cfg.RulePatterns, m0, u0, cfg.EM, res.M)
		held := cfg.EM
		held.FixM = true
		r := EM(levels, pats, m, res.U, res.Lambda, held)
		res.M, res.U, res.Lambda = m, r.U, r.Lambda
		// The model's m are the per-rule EMs': it converged when they all did.
		res.Iterations += its + r.Iterations
		res.Converged = res.Converged && converged && r.Converged
	}
	model := &rules.Model{
		EM:        em,
		TrainedAt: cfg.Now().UTC().Truncate(time.Second), Records: len(recs),
		Pairs: npairs, RandomPairs: sampled, Iterations: res.Iterations, Converged: res.Converged,
		Lambda: round(res.Lambda), Prior: round(clampPrior(res.Lambda * float64(npairs) / float64(cmp.Or(cfg.AllPairs, allPairs)))),
	}
	for i, c := range e.comparisons {
		mc := rules.ModelComparison{Name: c.name}
		// Without an else level, a pair whose values no level holds on is neutral: the
		// random pairs and EM see only those where some level held, so a comparison of
		// one level gets m = u = 1 (0 bits). Its m/u cannot be estimated: the rules' stay.
		keep := !slices.ContainsFunc(c.levels, func(l level) bool { return l.isElse })
		for j, l := range c.levels {
			ml := rules.ModelLevel{Name: l.name, M: round(res.M[i][j]), U: round(u[i][j])}
			if keep {
				ml.M, ml.U = round(math.Exp2(l.weight)*l.u), round(l.u)
			}
			mc.Levels = append(mc.Levels, ml)
		}
		model.Comparisons = append(model.Comparisons, mc)
	}
	if fs := e.TermFrequencyFields(); len(fs) > 0 {
		model.TermFrequencies = CountTerms(recs, fs, cfg.MaxTermValues)
	}
	return model, nil
}

// randomStreams is the number of independent random streams randomU draws from, in
// parallel: fixed, so that the model does not depend on the number of cores.
const randomStreams = 8

// randomU estimates u per level from random pairs of distinct records: the share of the
// pairs, among those where the comparison is not neutral, that hit each level. A level
// never hit gets half a pair's share.
func (e *Engine) randomU(recs []*Features, pairs int64, seed uint64) ([][]float64, int64) {
	parts := make([][][]float64, randomStreams)
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	for s := range randomStreams {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			quota := pairs*int64(s+1)/randomStreams - pairs*int64(s)/randomStreams
			parts[s] = e.countRandom(recs, quota, seed+uint64(s))
		}()
	}
	wg.Wait()
	counts := parts[0]
	for _, p := range parts[1:] {
		for i := range p {
			for j := range p[i] {
				counts[i][j] += p[i][j]
			}
		}
	}
	for i := range counts {
		total := 0.0
		for j := range counts[i] {
			total += counts[i][j]
		}
		if total < minComparedPairs {
			// The sample hardly ever compares this field (it is missing from most
			// records: e-mails in a file without them): it says nothing of u, and
			// the smoothing alone would make every level as likely (an e-mail match
			// worth nothing). Keep the rules' u.
			for j, l := range e.comparisons[i].levels {
				counts[i][j] = l.u
			}
			normalizeInto(counts[i], counts[i])
			continue
		}
		for j := range counts[i] {
			hits := counts[i][j]
			counts[i][j] = (hits + 0.5) / (total + 0.5*float64(len(counts[i])))
			// A level the sample hardly ever hits cannot be shown rarer than the rules
			// say: keep at least the rules' u. Otherwise a level that the training data
			// never reaches (the city fallback when every record has a street) gets a u
			// of one in a million and a weight of +12 bits on data that does reach it.
			if l := e.comparisons[i].levels[j]; hits < minLevelHits && l.u > counts[i][j] {
				counts[i][j] = l.u
			}
		}
		normalizeInto(counts[i], counts[i])
	}
	return counts, pairs
}

// minComparedPairs is the number of random pairs a comparison must be compared on
// (neither side missing) for randomU to estimate its u; below, the rules' u stay.
const minComparedPairs = 100

// defaultRandomPairs is TrainConfig.RandomPairs's default for n records.
func defaultRandomPairs(n int) int64 { return max(400_000, 2*int64(n)) }

// minLevelHits is the number of random pairs below which a level's u estimate is not
// trusted to go under the rules' value.
const minLevelHits = 10

func (e *Engine) countRandom(recs []*Features, pairs int64, seed uint64) [][]float64 {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	counts := make([][]float64, len(e.comparisons))
	for i, c := range e.comparisons {
		counts[i] = make([]float64, len(c.levels))
	}
	n := len(recs)
	for done := int64(0); done < pairs; {
		a, b := rng.IntN(n), rng.IntN(n)
		if a == b {
			continue
		}
		done++
		for i := range e.comparisons {
			if h := e.comparisons[i].compare(recs[a], recs[b], straight); h.level >= 0 {
				counts[i][h.level]++
			}
		}
	}
	return counts
}

// emStart returns the number of levels of each comparison and EM's start: m as the
// rules write it, u halfway between the rules' (random pairs) and uniform, since blocked
// non-matches agree more than random ones.
func (e *Engine) emStart() (levels []int, m0, u0 [][]float64) {
	levels = make([]int, len(e.comparisons))
	m0, u0 = make([][]float64, len(e.comparisons)), make([][]float64, len(e.comparisons))
	for i, c := range e.comparisons {
		levels[i] = len(c.levels)
		m0[i], u0[i] = make([]float64, len(c.levels)), make([]float64, len(c.levels))
		for j, l := range c.levels {
			m0[i][j] = math.Exp2(l.weight) * l.u
			u0[i][j] = 0.5*l.u + 0.5/float64(len(c.levels))
		}
		normalizeInto(m0[i], m0[i])
		normalizeInto(u0[i], u0[i])
	}
	return levels, m0, u0
}

// clampPrior keeps a prior in (0, 1) without EM's floor of pMin: λ (at least pMin) times
// the share of the pairs blocking selects is below it for a base of tens of millions of
// records, whose prior is that small. The lower bound keeps round's scale finite.
func clampPrior(p float64) float64 { return math.Min(pMax, math.Max(1e-300, p)) }

// round keeps 4 significant digits of a probability (of its complement above 0.5, so
// that it never rounds to 1), so that model files stay readable.
func round(p float64) float64 {
	if p == 0 {
		return 0
	}
	if p > 0.5 {
		// 1 − q at q's decimals, read back from its decimal spelling: 0.668, not the
		// 0.6679999999999999 that 1 − 0.332 is in floating point.
		q := round(1 - p)
		if q == 0 {
			return 1
		}
		d := int(3 - math.Floor(math.Log10(q)))
		v, _ := strconv.ParseFloat(strconv.FormatFloat(1-q, 'f', d, 64), 64)
		return v
	}
	e := math.Floor(math.Log10(math.Abs(p)))
	f := math.Pow(10, 3-e)
	return math.Round(p*f) / f
}

// blockPartFields are the compared fields a blocking part makes agree on every pair it
// brings: on a rule's pairs, the comparisons reading them say nothing of the match.
var blockPartFields = map[string][]string{
	"email": {"email"}, "email_local": {"email_local"},
	"phone":           {"phone", "phone_mobile", "phone_fixed"},
	"family_phonetic": {"family_name"}, "family_key": {"family_name"},
	"given_initial": {"given_name"}, "given_key": {"given_name"},
	"name_set": {"given_name", "family_name"}, "name_set_phonetic": {"given_name", "family_name"},
	"postcode": {"postcode"}, "city_key": {"city"}, "house_number": {"street"},
	"birth_date": {"birth_date"}, "birth_year": {"birth_date"}, "company_siren": {"company_siren"},
}

// RuleExclusions reports, per blocking rule and comparison, whether the rule's parts
// make the comparison agree on the pairs the rule brings (a level of it reads a field a
// part fixes).
func (e *Engine) RuleExclusions() [][]bool {
	out := make([][]bool, len(e.rules.Match.Blocking))
	for r, b := range e.rules.Match.Blocking {
		fixed := map[string]bool{}
		for _, p := range b.Parts {
			for _, f := range blockPartFields[p] {
				fixed[f] = true
			}
		}
		out[r] = make([]bool, len(e.comparisons))
		for c := range e.comparisons {
			for _, l := range e.comparisons[c].levels {
				if fixed[l.field] {
					out[r][c] = true
				}
			}
		}
	}
	return out
}

// perRuleM estimates m per blocking rule on its pairs, each comparison the rule fixes
// left out (neutral), and averages each comparison's m over the rules that did not leave
// it out, weighed by the matches EM found among the rule's pairs where the comparison was
// not neutral. A comparison no rule estimates keeps fallback's m. It also returns the
// iterations the rules' EMs ran and whether they all converged.
func (e *Engine) perRuleM(levels []int, perRule []Patterns, m0, u0 [][]float64, cfg EMConfig, fallback [][]float64) (m [][]float64, iterations int, converged bool) {
	excl := e.RuleExclusions()
	acc, wsum := zeros(levels), make([]float64, len(levels))
	converged = true
	for r, pats := range perRule {
		if r >= len(excl) || len(pats) == 0 {
			continue
		}
		masked := Patterns{}
		for k, n := range pats {
			b := []byte(k)
			for c := range b {
				if excl[r][c] {
					b[c] = byte(0xff) // -1: neutral
				}
			}
			masked[string(b)] += n
		}
		res := EM(levels, masked, m0, u0, 0.3, cfg)
		iterations += res.Iterations
		converged = converged && res.Converged
		seen := make([]float64, len(levels))
		for k, n := range masked {
			for c := range k {
				if int8(k[c]) >= 0 {
					seen[c] += float64(n)
				}
			}
		}
		for c := range levels {
			if excl[r][c] || seen[c] == 0 {
				continue
			}
			w := res.Lambda * seen[c]
			for l := range acc[c] {
				acc[c][l] += w * res.M[c][l]
			}
			wsum[c] += w
		}
	}
	m = clone2(fallback)
	for c := range levels {
		if wsum[c] > 0 {
			for l := range m[c] {
				m[c][l] = clamp(acc[c][l] / wsum[c])
			}
		}
	}
	return m, iterations, converged
}
