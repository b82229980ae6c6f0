package match

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/steward-crm/steward/rules"
)

// randomPerson draws a person from small value pools, so that random pairs agree on some
// fields and differ on others, and sometimes swaps or drops fields.
func randomPerson(r *rand.Rand) *Features {
	pick := func(xs ...string) string { return xs[r.IntN(len(xs))] }
	// Multi-word names, one with a word twice, and names in Cyrillic (compared by
	// letter, not byte) reach the token and initial levels from both sides; initials of
	// two words, short forms (siblings of one name too) and near words in names of two
	// words reach the nickname, initial and near-subset levels.
	given := pick("elodie", "elodi", "paul", "pierre", "jean", "jeanne", "e", "marie", "", "jean pierre", "д", "дмитрий", "дмитри",
		"j p", "j", "robert", "bob", "bobby", "rob", "christine", "chris", "tina")
	family := pick("martin", "martn", "durand", "bernard", "weiningkamp", "dupont", "", "garcia garcia", "lopez garcia", "von bulow", "bulow", "иванов", "ивaнов", "петров",
		"martn lopez", "martin lopes", "д петров")
	if r.IntN(5) == 0 {
		given, family = family, given
	}
	email := pick("e.martin@example.fr", "paul@gmail.com", "e.martln@example.fr", "", "")
	phone := pick("+33612345678", "+33612345679", "+33142685300", "")
	postcode := pick("75009", "69001", "75009", "")
	city := pick("paris", "lyon", "pariss", "")
	birth := pick("1984-03-07", "1984-07-03", "1984-03-20", "1990-01-01", "")
	n := person(given, family, email, phone, postcode, city, birth)
	// Streets reach the address levels guarded by the postcode (unless_differ): one
	// street in two postcodes, a misspelling of it, another street, none.
	if street := pick("rue de la paix", "rue de la paux", "avenue foch", ""); street != "" {
		n.Address.Number, n.Address.Street = pick("3", "12"), valid(street)
	}
	return testEngine.Features(n)
}

// randomPeople draws 200 random people, and the test engine with and without term
// frequencies counted on them.
func randomPeople(r *rand.Rand) ([]*Features, map[string]*Engine) {
	var feats []*Features
	for range 200 {
		feats = append(feats, randomPerson(r))
	}
	return feats, map[string]*Engine{
		"plain": testEngine,
		"tf":    testEngine.WithTermFrequencies(CountTerms(feats, testEngine.TermFrequencyFields(), 0)),
	}
}

var testEngine = func() *Engine {
	e, err := New(rules.Default())
	if err != nil {
		panic(err)
	}
	return e
}()

// TestScoreSymmetric: Score(a, b) and Score(b, a) have the same weight, whatever the pair,
// with and without term frequencies.
func TestWeightSymmetricProperty(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	feats, engines := randomPeople(r)
	for name, e := range engines {
		for i := range 5000 {
			a, b := feats[r.IntN(len(feats))], feats[r.IntN(len(feats))]
			ab, ba := e.Weight(a, b), e.Weight(b, a)
			if math.Abs(ab-ba) > 1e-9 {
				t.Fatalf("%s: pair %d: Weight(a,b)=%v Weight(b,a)=%v", name, i, ab, ba)
			}
			if s := e.ScoreFeatures(a, b); math.Abs(s.Weight-ab) > 1e-9 {
				t.Fatalf("%s: pair %d: ScoreFeatures %v != Weight %v", name, i, s.Weight, ab)
			}
		}
	}
}

// TestClusterOrderIndependent: shuffling the edges never changes the clusters.
func TestClusterOrderIndependent(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	var feats []*Features
	for range 100 {
		feats = append(feats, randomPerson(r))
	}
	edges := edgesAbove(feats, 0)
	guard := testEngine.CohesionGuard(feats, 0.5)
	want := Cluster(len(feats), edges, 0, guard)
	for i := range 8 {
		r.Shuffle(len(edges), func(x, y int) { edges[x], edges[y] = edges[y], edges[x] })
		if i%2 == 1 { // and the edges the other way round
			for j := range edges {
				edges[j].A, edges[j].B = edges[j].B, edges[j].A
			}
		}
		if got := Cluster(len(feats), edges, 0, guard); !slices.Equal(got, want) {
			t.Fatalf("shuffle %d changed the clusters", i)
		}
	}
}

// edgesAbove weighs every pair of feats and returns those above min as edges.
func edgesAbove(feats []*Features, min float64) []Edge {
	var edges []Edge
	for a := range feats {
		for b := a + 1; b < len(feats); b++ {
			if w := testEngine.Weight(feats[a], feats[b]); w > min {
				edges = append(edges, Edge{A: int32(a), B: int32(b), Weight: w})
			}
		}
	}
	return edges
}

// TestClusterGuardStopsChains: a-b and b-c are strong, a and c are different people: the
// guard keeps c out of a's cluster.
func TestClusterGuardStopsChains(t *testing.T) {
	a := testEngine.Features(person("elodie", "martin", "e.martin@example.fr", "+33612345678", "75009", "paris", "1984-03-07"))
	b := testEngine.Features(person("elodie", "martin", "e.martin@example.fr", "+33142685300", "75009", "paris", ""))
	c := testEngine.Features(person("paul", "durand", "p.durand@example.fr", "+33142685300", "69001", "lyon", "1950-01-01"))
	feats := []*Features{a, b, c}
	edges := []Edge{{0, 1, 30}, {1, 2, 20}}
	if got := Cluster(3, edges, 0, nil); got[2] != 0 {
		t.Fatalf("without guard the chain should merge everything: %v", got)
	}
	if got := Cluster(3, edges, 0, testEngine.CohesionGuard(feats, 0.5)); got[0] != 0 || got[1] != 0 || got[2] != 2 {
		t.Errorf("with guard: %v, want [0 0 2]", got)
	}
}

// TestWeightAtLeastProperty: WeightAtLeast gives Weight's exact value for every pair at
// or above the threshold and says no for every pair below, at thresholds across the range
// of weights, with and without term frequencies.
func TestWeightAtLeastProperty(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	feats, engines := randomPeople(r)
	for name, e := range engines {
		above := 0
		var cross [2]int // crosswise pairs below and above the threshold
		for i := range 20000 {
			a, b := feats[r.IntN(len(feats))], feats[r.IntN(len(feats))]
			min := -30 + 60*r.Float64()
			want := e.Weight(a, b)
			got, ok := e.WeightAtLeast(a, b, min)
			if ok != (want >= min) || (ok && got != want) {
				t.Fatalf("%s: pair %d at %v: WeightAtLeast = %v, %v; Weight %v", name, i, min, got, ok, want)
			}
			if ok {
				above++
			}
			if crosswise(a, b) {
				cross[b2i(ok)]++
			}
		}
		if above < 1000 || above > 19000 {
			t.Errorf("%s: %d of 20000 pairs above the threshold: the test does not cover both sides", name, above)
		}
		if cross[0] < 200 || cross[1] < 200 {
			t.Errorf("%s: crosswise pairs below and above the threshold %v: the test does not cover both sides", name, cross)
		}
	}
}

// TestEvalOrder: WeightAtLeast evaluates the comparisons of exact tests before those with
// edit distances and those before Jaro–Winkler ones (rule order among equals), and its
// bounds are the best weights of the comparisons left.
func TestEvalOrder(t *testing.T) {
	e := engine(t)
	var names []string
	for _, i := range e.order {
		names = append(names, e.comparisons[i].name)
	}
	// family_name after address: its levels (exact, Jaro–Winkler, an edit distance, two
	// token sets, phonetic) cost 27 by levelCost, address's 24.
	want := []string{"email", "company_siren", "birth_date", "phone", "given_name", "address", "family_name"}
	if !slices.Equal(names, want) {
		t.Fatalf("evaluation order %v, want %v", names, want)
	}
	for j := range e.order {
		rest := 0.0
		for _, i := range e.order[j:] {
			best := 0.0
			for _, l := range e.comparisons[i].levels {
				best = max(best, l.weight)
			}
			rest += best
		}
		if math.Abs(e.headroom[j]-rest) > 1e-9 {
			t.Errorf("headroom[%d] = %v, want %v", j, e.headroom[j], rest)
		}
	}
	if e.headroom[len(e.order)] != 0 {
		t.Errorf("headroom after the last comparison %v, want 0", e.headroom[len(e.order)])
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// clusterRef is the reference union-find: Cluster as it was written before ClusterAt,
// one weight at a time.
func clusterRef(n int, edges []Edge, minWeight float64, guard Guard) []int32 {
	var es []Edge
	for _, e := range edges {
		if e.Weight >= minWeight && e.A != e.B {
			es = append(es, Edge{A: min(e.A, e.B), B: max(e.A, e.B), Weight: e.Weight})
		}
	}
	slices.SortFunc(es, func(x, y Edge) int {
		switch {
		case x.Weight != y.Weight:
			return cmpFloat(y.Weight, x.Weight)
		case x.A != y.A:
			return int(x.A - y.A)
		}
		return int(x.B - y.B)
	})
	cluster := make([]int32, n) // record → the smallest index of its cluster
	for i := range cluster {
		cluster[i] = int32(i)
	}
	membersOf := func(c int32) (m []int32) {
		for i, x := range cluster {
			if x == c {
				m = append(m, int32(i))
			}
		}
		return m
	}
	for _, e := range es {
		ca, cb := cluster[e.A], cluster[e.B]
		if ca == cb {
			continue
		}
		ma, mb := membersOf(ca), membersOf(cb) // e.A's cluster first, as Cluster asks
		if guard != nil && !guard(ma, mb) {
			continue
		}
		lo := min(ca, cb)
		for _, i := range append(ma, mb...) {
			cluster[i] = lo
		}
	}
	return cluster
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// TestClusterAtEachWeight: ClusterAt's labels at each weight are what the reference
// union-find gives at that weight alone (and Cluster's), with the cohesion guard, for
// weights in any order, repeated, and equal to edges' weights (an edge at the weight is
// in), and NaN (no edge weighs at least NaN: it once made every other weight merge
// nothing).
func TestClusterAtEachWeight(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for round := range 20 {
		var feats []*Features
		for range 60 {
			feats = append(feats, randomPerson(r))
		}
		edges := edgesAbove(feats, -5)
		if len(edges) == 0 {
			continue
		}
		guard := testEngine.CohesionGuard(feats, 0.5)
		ws := []float64{20, -5, 0, edges[r.IntN(len(edges))].Weight, 8, 0, 40, math.NaN()}
		r.Shuffle(len(ws), func(i, j int) { ws[i], ws[j] = ws[j], ws[i] })
		got := ClusterAt(len(feats), edges, ws, guard)
		merged := 0
		for i, w := range ws {
			want := clusterRef(len(feats), edges, w, guard)
			if !slices.Equal(got[i], want) {
				t.Fatalf("round %d, weight %v: %v, want %v", round, w, got[i], want)
			}
			if c := Cluster(len(feats), edges, w, guard); !slices.Equal(c, want) {
				t.Fatalf("round %d, weight %v: Cluster %v, want %v", round, w, c, want)
			}
			for j, l := range want {
				if l != int32(j) {
					merged++
				}
			}
		}
		if merged == 0 {
			t.Fatalf("round %d: no record merged at any weight: the test tests nothing", round)
		}
	}
	if got := ClusterAt(3, nil, nil, nil); len(got) != 0 {
		t.Errorf("no weights: %v", got)
	}
}
