package recleanse

import (
	"math"
	"testing"

	"github.com/steward-crm/steward/pipeline/match"
	"github.com/steward-crm/steward/rules"
	"github.com/steward-crm/steward/synth"
)

// TestPerRuleEMCalibrates: m estimated per blocking rule (each rule's EM leaving out the
// comparisons it fixes) puts the match share among the blocked pairs nearer the truth
// than one EM over all of them, whose "match" class also takes the look-alikes
// (households, namesakes) that the blocking brings together.
func TestPerRuleEMCalibrates(t *testing.T) {
	cfg := config(t, rules.Default())
	res := trainedRun(t, synth.Config{N: 8000, DupRate: 0.35, Corruption: 1, MaxPerEntity: 5, Seed: 11})
	var same int
	for _, p := range res.pairs {
		a, b := unpack(p)
		if res.Records[a].Truth == res.Records[b].Truth {
			same++
		}
	}
	truth := float64(same) / float64(len(res.pairs))
	base, err := match.New(cfg.Rules)
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.validate(); err != nil {
		t.Fatal(err)
	}
	union, err := train(cfg, base, res.Records, features(res.Records), res.pairs, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Model.EM != match.EMPerRule || union.EM != match.EMAllPairs {
		t.Errorf("the models say their m came from %q and %q", res.Model.EM, union.EM)
	}
	perRule := res.Model.Lambda
	t.Logf("match share among %d blocked pairs: truth %.4f, per rule %.4f, one EM %.4f", len(res.pairs), truth, perRule, union.Lambda)
	if math.Abs(perRule-truth) >= math.Abs(union.Lambda-truth) {
		t.Errorf("per-rule EM's match share %.4f no nearer the truth %.4f than one EM's %.4f", perRule, truth, union.Lambda)
	}
	// Two different mobiles: among true pairs nearly never (the generator gives a person
	// one), but one EM's match class, full of households, often.
	mElse := func(m *rules.Model) float64 {
		for _, c := range m.Comparisons {
			if c.Name == "phone" {
				for _, l := range c.Levels {
					if l.Name == "else" {
						return l.M
					}
				}
			}
		}
		t.Fatal("no phone.else level in the model")
		return 0
	}
	t.Logf("phone.else m: per rule %.4g, one EM %.4g", mElse(res.Model), mElse(union))
	if mElse(res.Model) >= mElse(union) {
		t.Errorf("phone.else m per rule %.4g, not below one EM's %.4g", mElse(res.Model), mElse(union))
	}
}
