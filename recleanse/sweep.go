package recleanse

import (
	"fmt"
	"math"
	"slices"

	"github.com/steward-crm/steward/pipeline/match"
)

// SweepThresholds are the thresholds `dedupe` and `link` measure with -truth unless told
// others: the run's own threshold is added to them.
var SweepThresholds = []float64{0.5, 0.8, 0.9, 0.95, 0.99, 0.999, 0.9999}

// ThresholdPoint is the run's records clustered at one threshold, measured against the
// truth.
type ThresholdPoint struct {
	Threshold float64 `json:"threshold"`
	match.Metrics
	// Links counts the candidate pairs scored at or above the threshold (the edges
	// clustering starts from).
	Links int `json:"pairs_at_or_above"`
}

// Sweep clusters the run's candidate pairs again at each threshold (a match probability
// in (0, 1)) and measures each clustering against the records' truth as Evaluate
// measures the run's: how precision and recall trade as the threshold moves, to choose
// batch_threshold from labelled data. The pairs are scored once, at the lowest
// threshold, and clustered in one pass (match.ClusterAt); each clustering applies the
// run's cluster guard, so the point at the run's own threshold is the run's result.
// Points come in ascending order of threshold, each threshold once.
func (res *Result) Sweep(thresholds []float64) ([]ThresholdPoint, error) {
	ts := slices.Clone(thresholds)
	for _, t := range ts {
		if !(t > 0 && t < 1) { // NaN too
			return nil, fmt.Errorf("threshold %v: want a match probability between 0 and 1", t)
		}
	}
	slices.Sort(ts)
	ts = slices.Compact(ts)
	if len(ts) == 0 || res.Engine == nil {
		return nil, nil
	}
	feats := features(res.Records)
	edges := res.edgesAtLeast(feats, weightOf(ts[0]))
	ws := make([]float64, len(ts))
	for i, t := range ts {
		ws[i] = weightOf(t)
	}
	labels := match.ClusterAt(len(res.Records), edges, ws, res.Engine.CohesionGuard(feats, res.guard))
	ent := res.entities()
	out := make([]ThresholdPoint, len(ts))
	for i, t := range ts {
		out[i] = ThresholdPoint{Threshold: t, Metrics: res.measure(labels[i], ent)}
		for _, e := range edges {
			if e.Weight >= ws[i] {
				out[i].Links++
			}
		}
	}
	return out, nil
}

// weightOf is the weight of a pair of match probability p, as clustering compares it.
func weightOf(p float64) float64 { return math.Log2(p / (1 - p)) }

// edgesAtLeast returns the candidate pairs weighing at least w, in pair order. The pairs
// are scored again after the run (the run kept only those at its threshold), once for the
// lowest weight asked: Sweep and WritePairs ask for the same pairs (0.5 by default).
func (res *Result) edgesAtLeast(feats []*match.Features, w float64) []match.Edge {
	if res.rescored == nil || w < res.rescoredAt {
		res.rescored, res.rescoredAt = score(res.Engine, feats, res.pairs, w, res.workers), w
	}
	if w == res.rescoredAt {
		return res.rescored
	}
	var out []match.Edge
	for _, e := range res.rescored {
		if e.Weight >= w {
			out = append(out, e)
		}
	}
	return out
}
