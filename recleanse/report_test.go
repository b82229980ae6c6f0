package recleanse

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/steward-crm/steward/rules"
	"github.com/steward-crm/steward/synth"
)

// allPairsReport is what Evaluate reports of a result's errors, found by going through
// every pair of every entity: the keys of the top false positives and negatives, and the
// count of every error pair by cause (the Why constants). Only error pairs are weighed:
// those among the candidate pairs, and with top > 0 the false negatives too.
func allPairsReport(res *Result, top int) (fps, fns [][2]string, causes map[string]int64) {
	causes = map[string]int64{}
	minWeight := math.Log2(res.Threshold / (1 - res.Threshold))
	type wp struct {
		a, b int
		w    float64
	}
	blocked := make(map[uint64]bool, len(res.pairs))
	for _, p := range res.pairs {
		blocked[p] = true
	}
	var fp, fn []wp
	for a := range res.Records {
		for b := a + 1; b < len(res.Records); b++ {
			ra, rb := &res.Records[a], &res.Records[b]
			if ra.Truth == "" || rb.Truth == "" || (res.Link && ra.Side == rb.Side) {
				continue
			}
			together, p := res.Labels[a] == res.Labels[b], uint64(a)<<32|uint64(b)
			if (ra.Truth == rb.Truth) == together {
				continue // right
			}
			var w float64
			if blocked[p] || (top > 0 && !together) {
				w = res.Engine.Weight(ra.Feat, rb.Feat)
			}
			switch {
			case ra.Truth != rb.Truth && together:
				if blocked[p] && w >= minWeight {
					causes[WhyScored]++
				} else {
					causes[WhyJoined]++
				}
				if blocked[p] {
					fp = append(fp, wp{a, b, w})
				}
			case ra.Truth == rb.Truth && !together:
				switch {
				case !blocked[p]:
					causes[WhyNotBlocked]++
				case w >= minWeight:
					causes[WhyGuard]++
				default:
					causes[WhyBelow]++
				}
				if top > 0 {
					fn = append(fn, wp{a, b, w})
				}
			}
		}
	}
	order := func(x, y wp) int { return cmp.Or(cmp.Compare(x.a, y.a), cmp.Compare(x.b, y.b)) }
	slices.SortFunc(fp, func(x, y wp) int { return cmp.Or(cmp.Compare(y.w, x.w), order(x, y)) })
	slices.SortFunc(fn, func(x, y wp) int { return cmp.Or(cmp.Compare(x.w, y.w), order(x, y)) })
	keys := func(ps []wp) (out [][2]string) {
		for _, p := range ps[:min(top, len(ps))] {
			out = append(out, [2]string{res.Records[p.a].Key, res.Records[p.b].Key})
		}
		return out
	}
	return keys(fp), keys(fn), causes
}

// reportKeys returns the keys of the pairs of a report.
func reportKeys(ps []PairReport) (out [][2]string) {
	for _, p := range ps {
		out = append(out, p.Keys)
	}
	return out
}

// TestTopErrorsAsAllPairs: on generated files (entities of 1 to 5 records), dedupe and
// link, Evaluate lists the top errors and counts the false negatives never blocked as
// weighing every pair of every entity does.
func TestTopErrorsAsAllPairs(t *testing.T) {
	path := genFile(t, synth.Config{N: 3000, DupRate: 0.35, Corruption: 1, MaxPerEntity: 5, Seed: 5})
	cfg := config(t, rules.Default())
	cfg.Train = TrainNever
	dedupe, err := Dedupe(context.Background(), cfg, []string{path})
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var halves [2]bytes.Buffer
	sc := bufio.NewScanner(bytes.NewReader(data))
	for i := 0; sc.Scan(); i++ {
		halves[i%2].WriteString(sc.Text() + "\n")
	}
	a, b := filepath.Join(t.TempDir(), "a.jsonl"), filepath.Join(t.TempDir(), "b.jsonl")
	os.WriteFile(a, halves[0].Bytes(), 0o644)
	os.WriteFile(b, halves[1].Bytes(), 0o644)
	link, err := Link(context.Background(), cfg, []string{a}, []string{b})
	if err != nil {
		t.Fatal(err)
	}
	for name, res := range map[string]*Result{"dedupe": dedupe, "link": link} {
		for _, top := range []int{0, 5, 50} {
			rep := res.Evaluate(top)
			fps, fns, causes := allPairsReport(res, top)
			notBlocked := causes[WhyNotBlocked]
			if got := map[string]int64{WhyNotBlocked: rep.NotBlocked, WhyBelow: rep.BelowThreshold, WhyGuard: rep.KeptApart,
				WhyScored: rep.Scored, WhyJoined: rep.Joined}; !maps.Equal(got, causes) {
				t.Errorf("%s, top %d: errors by cause %v, want %v", name, top, got, causes)
			}
			if (top > 0 && rep.FalseNegatives == nil) || rep.NotBlocked == 0 {
				t.Errorf("%s: nothing to compare (false negatives %d, not blocked %d)", name, len(rep.FalseNegatives), rep.NotBlocked)
			}
			if got := reportKeys(rep.FalsePositives); !slices.Equal(got, fps) {
				t.Errorf("%s, top %d: false positives\n%v, want\n%v", name, top, got, fps)
			}
			if got := reportKeys(rep.FalseNegatives); !slices.Equal(got, fns) {
				t.Errorf("%s, top %d: false negatives\n%v, want\n%v", name, top, got, fns)
			}
			if rep.NotBlocked != notBlocked {
				t.Errorf("%s, top %d: %d false negatives not blocked, want %d", name, top, rep.NotBlocked, notBlocked)
			}
		}
	}
}

// TestTopErrorsOneTruth: a truth shared by every record (a column that is mostly
// "unknown") makes every pair of records left apart a false negative. The false negatives
// never blocked are still counted exactly, and those listed are distinct pairs of records
// left apart, weakest first.
func TestTopErrorsOneTruth(t *testing.T) {
	res := oneTruth(t, synth.Config{N: 2000, DupRate: 0.3, Corruption: 0.5, Seed: 3})
	rep := res.Evaluate(5)
	_, _, causes := allPairsReport(res, 0)
	if notBlocked := causes[WhyNotBlocked]; rep.NotBlocked != notBlocked {
		t.Errorf("%d false negatives not blocked, want %d", rep.NotBlocked, notBlocked)
	}
	if len(rep.FalseNegatives) != 5 {
		t.Fatalf("%d false negatives listed, want 5", len(rep.FalseNegatives))
	}
	label := map[string]int32{}
	for i, r := range res.Records {
		label[r.Key] = res.Labels[i]
	}
	seen := map[[2]string]bool{}
	for i, p := range rep.FalseNegatives {
		if label[p.Keys[0]] == label[p.Keys[1]] || seen[p.Keys] {
			t.Errorf("false negative %v: one cluster, or listed twice", p.Keys)
		}
		seen[p.Keys] = true
		if i > 0 && p.Score.Weight < rep.FalseNegatives[i-1].Score.Weight {
			t.Errorf("false negative %v (weight %.2f) after one of weight %.2f", p.Keys, p.Score.Weight, rep.FalseNegatives[i-1].Score.Weight)
		}
	}
}

// oneTruth dedupes a generated file with the rules' m/u and gives every record one truth
// value, "unknown".
func oneTruth(t testing.TB, gen synth.Config) *Result {
	t.Helper()
	cfg := config(t, rules.Default())
	cfg.Train = TrainNever
	res, err := Dedupe(context.Background(), cfg, []string{genFile(t, gen)})
	if err != nil {
		t.Fatal(err)
	}
	for i := range res.Records {
		res.Records[i].Truth = "unknown"
	}
	return res
}

// TestTopErrorsSayWhy: each listed error says what put it together or kept it apart,
// as the candidate pairs and the threshold tell it: a false positive scored at or above
// the threshold or joined through other records; a false negative not blocked, scored
// below the threshold, or kept apart by the cluster guard (a guard of 0.999 keeps
// apart pairs above the threshold).
func TestTopErrorsSayWhy(t *testing.T) {
	path := genFile(t, synth.Config{N: 3000, DupRate: 0.35, Corruption: 1, MaxPerEntity: 5, Seed: 5})
	seen := map[string]int{}
	for _, guard := range []float64{0, 0.999} {
		r := rules.Default()
		if guard > 0 {
			r.Match.ClusterGuard = guard
		}
		cfg := config(t, r)
		cfg.Train = TrainNever
		res, err := Dedupe(context.Background(), cfg, []string{path})
		if err != nil {
			t.Fatal(err)
		}
		blocked := make(map[[2]string]bool, len(res.pairs))
		for _, p := range res.pairs {
			a, b := unpack(p)
			blocked[[2]string{res.Records[a].Key, res.Records[b].Key}] = true
		}
		rep := res.Evaluate(1000)
		for _, p := range rep.FalsePositives {
			want := WhyJoined
			if p.Score.Weight >= res.minWeight() {
				want = WhyScored
			}
			if p.Why != want {
				t.Errorf("guard %v: false positive %v: why %q, want %q (p=%.4f)", guard, p.Keys, p.Why, want, p.Score.Probability)
			}
			seen[p.Why]++
		}
		for _, p := range rep.FalseNegatives {
			want := WhyBelow
			switch {
			case !blocked[p.Keys] && !blocked[[2]string{p.Keys[1], p.Keys[0]}]:
				want = WhyNotBlocked
			case p.Score.Weight >= res.minWeight():
				want = WhyGuard
			}
			if p.Why != want {
				t.Errorf("guard %v: false negative %v: why %q, want %q (p=%.4f)", guard, p.Keys, p.Why, want, p.Score.Probability)
			}
			seen[p.Why]++
		}
	}
	for _, why := range []string{WhyScored, WhyJoined, WhyNotBlocked, WhyBelow, WhyGuard} {
		if seen[why] == 0 {
			t.Errorf("no error listed as %q: the test does not cover it (%v)", why, seen)
		}
	}
	t.Logf("%v", seen)
}
