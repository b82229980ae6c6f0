package recleanse

import (
	"math"
	"strconv"
	"testing"

	"github.com/steward-crm/steward/pipeline/match"
	"github.com/steward-crm/steward/rules"
	"github.com/steward-crm/steward/synth"
)

// TestSweep: each point of a threshold sweep is the run's records clustered at that
// threshold, measured against the truth. Checked against a reference computed another
// way (every candidate pair weighed in full, clustered at the threshold, and measured by
// match.Evaluate over maps of record keys); the point at the run's threshold is the
// run's result; fewer pairs reach a higher threshold, and across the range precision
// rises and recall falls.
func TestSweep(t *testing.T) {
	res := trainedRun(t, synth.Config{N: 3000, DupRate: 0.35, Corruption: 1, MaxPerEntity: 5, Seed: 4})
	pts, err := res.Sweep([]float64{0.9999, res.Threshold, 0.2, 0.5, 0.5})
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{0.2, 0.5, res.Threshold, 0.9999}
	if len(pts) != len(want) {
		t.Fatalf("%d points, want %d (sorted, each threshold once): %+v", len(pts), len(want), pts)
	}
	feats := features(res.Records)
	truth := map[string]string{}
	for _, r := range res.Records {
		truth[r.Key] = r.Truth
	}
	for i, p := range pts {
		if p.Threshold != want[i] {
			t.Fatalf("point %d at %v, want %v", i, p.Threshold, want[i])
		}
		// The reference.
		w := math.Log2(p.Threshold / (1 - p.Threshold))
		var edges []match.Edge
		for _, pr := range res.pairs {
			a, b := unpack(pr)
			if wt := res.Engine.Weight(feats[a], feats[b]); wt >= w {
				edges = append(edges, match.Edge{A: a, B: b, Weight: wt})
			}
		}
		labels := match.Cluster(len(res.Records), edges, w, res.Engine.CohesionGuard(feats, rules.Default().Match.ClusterGuard))
		predicted := map[string]string{}
		for j, r := range res.Records {
			predicted[r.Key] = strconv.Itoa(int(labels[j]))
		}
		ref := match.Evaluate(predicted, truth)
		if p.Metrics != ref || p.Links != len(edges) {
			t.Errorf("threshold %v: %+v (%d pairs at or above), want %+v (%d)", p.Threshold, p.Metrics, p.Links, ref, len(edges))
		}
		t.Logf("threshold %v: precision %.4f recall %.4f F1 %.4f, %d pairs at or above", p.Threshold, p.Precision, p.Recall, p.F1, p.Links)
		if i > 0 && p.Links > pts[i-1].Links {
			t.Errorf("threshold %v: %d pairs at or above, more than the %d at %v", p.Threshold, p.Links, pts[i-1].Links, pts[i-1].Threshold)
		}
	}
	if run := res.Evaluate(0).Metrics; pts[2].Metrics != run || pts[2].Links != res.Edges {
		t.Errorf("at the run's threshold %v: %+v (%d pairs), the run measured %+v (%d)", res.Threshold, pts[2].Metrics, pts[2].Links, run, res.Edges)
	}
	lo, hi := pts[0], pts[len(pts)-1]
	if !(lo.Recall > hi.Recall && lo.Precision < hi.Precision) {
		t.Errorf("from %v to %v: recall %.4f → %.4f, precision %.4f → %.4f; want recall down, precision up", lo.Threshold, hi.Threshold, lo.Recall, hi.Recall, lo.Precision, hi.Precision)
	}
	for _, bad := range []float64{0, 1, -0.5, 1.5, math.NaN()} {
		if _, err := res.Sweep([]float64{0.9, bad}); err == nil {
			t.Errorf("threshold %v: no error", bad)
		}
	}
}
