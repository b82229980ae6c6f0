package recleanse

import (
	"context"
	"slices"
	"testing"

	"github.com/steward-crm/steward/pipeline/match"
	"github.com/steward-crm/steward/rules"
	"github.com/steward-crm/steward/synth"
)

// TestRuleStats: what RuleStats says each blocking rule brings is what runs with the
// rules changed find. A run blocking with that rule alone has its pairs (and its true
// pairs, counted from the truth); a run with every rule but it lacks exactly its "only"
// pairs (and "only true" pairs).
func TestRuleStats(t *testing.T) {
	path := genFile(t, synth.Config{N: 1500, DupRate: 0.35, Corruption: 1, MaxPerEntity: 5, Seed: 6})
	run := func(r *rules.Rules) *Result {
		t.Helper()
		cfg := config(t, r)
		cfg.Train = TrainNever
		res, err := Dedupe(context.Background(), cfg, []string{path})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	truePairs := func(res *Result) (n int64) {
		for _, p := range res.pairs {
			a, b := unpack(p)
			if res.Records[a].Truth != "" && res.Records[a].Truth == res.Records[b].Truth {
				n++
			}
		}
		return n
	}
	all := run(rules.Default())
	stats := all.RuleStats()
	blocking := rules.Default().Match.Blocking
	if len(stats) != len(blocking) {
		t.Fatalf("%d rules reported, the rules have %d: %+v", len(stats), len(blocking), stats)
	}
	allTrue := truePairs(all)
	var only int64
	for i, st := range stats {
		if st.Rule != blocking[i].Name {
			t.Fatalf("rule %d reported as %q, want %q", i, st.Rule, blocking[i].Name)
		}
		alone, without := rules.Default(), rules.Default()
		alone.Match.Blocking = []rules.BlockRule{blocking[i]}
		without.Match.Blocking = slices.Delete(without.Match.Blocking, i, i+1)
		a, w := run(alone), run(without)
		if st.Pairs != a.Block.Pairs || st.True != truePairs(a) {
			t.Errorf("%s: %d pairs, %d true; blocking with it alone: %d, %d", st.Rule, st.Pairs, st.True, a.Block.Pairs, truePairs(a))
		}
		if st.Only != all.Block.Pairs-w.Block.Pairs || st.OnlyTrue != allTrue-truePairs(w) {
			t.Errorf("%s: %d pairs and %d true no other rule brings; without it %d and %d fewer", st.Rule, st.Only, st.OnlyTrue,
				all.Block.Pairs-w.Block.Pairs, allTrue-truePairs(w))
		}
		only += st.Only
	}
	if only == 0 || only >= all.Block.Pairs {
		t.Errorf("pairs brought by one rule only: %d of %d", only, all.Block.Pairs)
	}
	if again := all.RuleStats(); !slices.Equal(again, stats) {
		t.Errorf("a second call: %+v", again)
	}
	// Without a truth nothing is kept for it.
	cfg := config(t, rules.Default())
	cfg.Truth, cfg.Train = "", TrainNever
	res, err := Dedupe(context.Background(), cfg, []string{path})
	if err != nil {
		t.Fatal(err)
	}
	if res.keys != nil || res.RuleStats() != nil {
		t.Errorf("a run without a truth keeps its keys or reports rules")
	}
	// Rules whose keys do not tell them apart are not reported (their pairs were once
	// credited to another rule): two rules of one name, whose keys are one rule's, and a
	// name holding a ":", whose keys report under the first rule's name.
	// Training then runs one EM over all the pairs, and the model says so.
	for _, names := range [][2]string{{"x", "x"}, {"x", "z:y"}} {
		r := rules.Default()
		r.Match.Blocking = []rules.BlockRule{{Name: names[0], Parts: []string{"email"}}, {Name: names[1], Parts: []string{"phone"}}}
		if st := run(r).RuleStats(); st != nil {
			t.Errorf("rules %q: %+v, want no table", names, st)
		}
		cfg := config(t, r)
		cfg.Train = TrainAlways
		res, err := Dedupe(context.Background(), cfg, []string{path})
		if err != nil {
			t.Fatal(err)
		}
		if res.Model.EM != match.EMAllPairs {
			t.Errorf("rules %q: the model's m came from %q, want one EM over all the pairs", names, res.Model.EM)
		}
	}
	r := rules.Default()
	r.Match.Blocking = []rules.BlockRule{{Name: "z:y", Parts: []string{"email"}}, {Name: "x", Parts: []string{"phone"}}}
	if st := run(r).RuleStats(); len(st) != 2 || st[0].Rule != "z:y" || st[0].Pairs == 0 {
		t.Errorf("a first rule named z:y (its keys report under it): %+v", st)
	}
}
