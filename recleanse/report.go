package recleanse

import (
	"cmp"
	"slices"

	"github.com/steward-crm/steward/pipeline/match"
)

// Report measures a result against the truth.
type Report struct {
	match.Metrics
	// FalsePositives are the strongest pairs put together that are different entities;
	// FalseNegatives the weakest pairs of one entity left apart (in an entity of more
	// than 33 records, the weakest of 16 pairs per record: see fnPartners). Each is
	// explained.
	FalsePositives []PairReport `json:"top_false_positives"`
	FalseNegatives []PairReport `json:"top_false_negatives"`
	// NotBlocked counts true pairs that no blocking key brought together (missed before
	// any scoring).
	NotBlocked int64 `json:"false_negatives_not_blocked"`
	// The other false negatives by cause: scored below the threshold, or at or above it
	// and kept apart by the cluster guard (WhyBelow, WhyGuard).
	BelowThreshold int64 `json:"false_negatives_below_threshold"`
	KeptApart      int64 `json:"false_negatives_kept_apart_by_guard"`
	// The false positives by cause: candidate pairs scored at or above the threshold
	// (WhyScored), and the others, put together through other records of their cluster
	// (WhyJoined: scored below the threshold, or never compared).
	Scored int64 `json:"false_positives_scored"`
	Joined int64 `json:"false_positives_joined"`
}

// PairReport is one explained pair.
type PairReport struct {
	A, B  string      `json:"-"`
	Keys  [2]string   `json:"records"`
	Truth [2]string   `json:"truth"`
	Score match.Score `json:"score"`
	// Why says what put a false positive together (WhyScored, WhyJoined) or kept a false
	// negative apart (WhyNotBlocked, WhyBelow, WhyGuard).
	Why string `json:"why"`
}

// What put an error pair together or kept it apart (PairReport.Why).
const (
	// WhyScored: a false positive scored at or above the threshold.
	WhyScored = "scored at or above the threshold"
	// WhyJoined: a false positive scored below the threshold, joined through other
	// records of its cluster.
	WhyJoined = "joined through other records"
	// WhyNotBlocked: a false negative no blocking key brought together: never scored.
	WhyNotBlocked = "not blocked"
	// WhyBelow: a false negative scored below the threshold.
	WhyBelow = "scored below the threshold"
	// WhyGuard: a false negative scored at or above the threshold whose clusters the
	// cluster guard kept apart (match.cluster_guard).
	WhyGuard = "kept apart by the cluster guard"
)

// Evaluate measures the clustering against the records' Truth (records without one are
// ignored) and lists the top false positives and negatives. In a link run, only pairs
// across the two sides count.
func (res *Result) Evaluate(top int) *Report {
	rep := &Report{}
	ent := res.entities()
	rep.Metrics = res.measure(res.Labels, ent)
	res.topErrors(rep, ent, top)
	return rep
}

// entities numbers the records' true entities: ent[i] is record i's, -1 without one.
func (res *Result) entities() []int32 { return entitiesOf(res.Records) }

func entitiesOf(recs []Record) []int32 {
	entities := make(map[string]int32, len(recs)/2)
	ent := make([]int32, len(recs))
	for i, r := range recs {
		if r.Truth == "" {
			ent[i] = -1
			continue
		}
		id, ok := entities[r.Truth]
		if !ok {
			id = int32(len(entities))
			entities[r.Truth] = id
		}
		ent[i] = id
	}
	return ent
}

// measure counts the pairwise and cluster-level figures of a clustering (labels: the
// index of the first record of each record's cluster) against the entities ent.
func (res *Result) measure(labels, ent []int32) match.Metrics {
	type ce struct{ c, e int32 }
	entities := 0
	for _, e := range ent {
		entities = max(entities, int(e)+1)
	}
	// Pair counts per (cluster, entity), cluster and entity, by side.
	// Per cluster (labels are record indexes) and per entity, by side; a map only for the
	// pairs of both.
	joint := make(map[ce][2]int64, entities)
	byC, byE := make([][2]int64, len(res.Records)), make([][2]int64, entities)
	for i, r := range res.Records {
		if ent[i] < 0 {
			continue
		}
		k := ce{labels[i], ent[i]}
		j, c, e := joint[k], byC[k.c], byE[k.e]
		j[r.Side]++
		c[r.Side]++
		e[r.Side]++
		joint[k], byC[k.c], byE[k.e] = j, c, e
	}
	pairsOf := func(n [2]int64) int64 {
		if res.Link {
			return n[0] * n[1]
		}
		t := n[0] + n[1]
		return t * (t - 1) / 2
	}
	var tp, pp, ap int64
	for _, n := range joint {
		tp += pairsOf(n)
	}
	clusters := 0
	for _, n := range byC {
		pp += pairsOf(n)
		if n != [2]int64{} {
			clusters++
		}
	}
	for _, n := range byE {
		ap += pairsOf(n)
	}
	var m match.Metrics
	m.SetPairs(tp, pp, ap)
	exact := 0
	for k, n := range joint {
		if byC[k.c] == n && byE[k.e] == n {
			exact++
		}
	}
	m.SetClusters(clusters, len(byE), exact)
	return m
}

// fnPartners bounds the false negatives weighed for the report: in an entity of more
// than 2·fnPartners+1 records each is weighed against fnPartners others, spread over the
// entity, instead of against every other (an entity of most records, from a truth column
// shared by most of them, has a quadratic number of false negatives).
const fnPartners = 16

// topErrors lists the strongest false positives (pairs of one cluster, different
// entities, among the candidate pairs) and the weakest false negatives (pairs of one
// entity in different clusters: all of an entity's pairs up to 2·fnPartners+1 records,
// fnPartners per record in a larger one), and counts the false negatives never blocked.
// rep.Metrics must be set.
func (res *Result) topErrors(rep *Report, ent []int32, top int) {
	type wp struct {
		a, b int32
		w    float64
	}
	var fps, fns []wp
	eng := res.Engine
	minWeight := res.minWeight()
	for _, p := range res.pairs {
		a, b := unpack(p)
		if ent[a] < 0 || ent[b] < 0 {
			continue
		}
		together := res.Labels[a] == res.Labels[b]
		switch {
		case ent[a] != ent[b] && together:
			w := eng.Weight(res.Records[a].Feat, res.Records[b].Feat)
			if w >= minWeight {
				rep.Scored++
			}
			if top > 0 {
				fps = append(fps, wp{a, b, w})
			}
		case ent[a] == ent[b] && !together && (!res.Link || res.Records[a].Side != res.Records[b].Side):
			if eng.Weight(res.Records[a].Feat, res.Records[b].Feat) >= minWeight {
				rep.KeptApart++
			} else {
				rep.BelowThreshold++
			}
		}
	}
	// Of the false negatives Evaluate counted, those not among the candidate pairs; of
	// the false positives, those not scored at or above the threshold.
	rep.NotBlocked = rep.Metrics.FalseNegatives - rep.BelowThreshold - rep.KeptApart
	rep.Joined = rep.Metrics.FalsePositives - rep.Scored
	if top == 0 {
		return
	}
	var entities int32
	for _, e := range ent {
		entities = max(entities, e+1)
	}
	members := make([][]int32, entities)
	for i, e := range ent {
		if e >= 0 {
			members[e] = append(members[e], int32(i))
		}
	}
	order := func(x, y wp) int { return cmp.Or(cmp.Compare(x.a, y.a), cmp.Compare(x.b, y.b)) }
	weakest := func(x, y wp) int { return cmp.Or(cmp.Compare(x.w, y.w), order(x, y)) }
	weigh := func(a, b int32) {
		if a > b {
			a, b = b, a
		}
		if res.Labels[a] == res.Labels[b] || (res.Link && res.Records[a].Side == res.Records[b].Side) {
			return
		}
		// Only the weakest top are kept.
		fns = append(fns, wp{a, b, eng.Weight(res.Records[a].Feat, res.Records[b].Feat)})
		if len(fns) >= 2*max(top, 512) {
			slices.SortFunc(fns, weakest)
			fns = fns[:top]
		}
	}
	for _, ms := range members {
		m := len(ms)
		if m <= 2*fnPartners+1 {
			for x := range m {
				for y := x + 1; y < m; y++ {
					weigh(ms[x], ms[y])
				}
			}
			continue
		}
		// Each record against those step, 2·step, ... fnPartners·step after it (at most
		// (m−1)/2, wrapping around): each pair once, and records far apart in the
		// entity's order weighed together too (in a link run, one side's come first).
		step := (m - 1) / (2 * fnPartners)
		for x := range m {
			for d := 1; d <= fnPartners; d++ {
				weigh(ms[x], ms[(x+d*step)%m])
			}
		}
	}
	slices.SortFunc(fps, func(x, y wp) int { return cmp.Or(cmp.Compare(y.w, x.w), order(x, y)) })
	slices.SortFunc(fns, weakest)
	explain := func(ps []wp, positive bool) []PairReport {
		var out []PairReport
		for _, p := range ps[:min(top, len(ps))] {
			ra, rb := &res.Records[p.a], &res.Records[p.b]
			r := PairReport{Keys: [2]string{ra.Key, rb.Key}, Truth: [2]string{ra.Truth, rb.Truth},
				Score: eng.ScoreFeatures(ra.Feat, rb.Feat)}
			above := r.Score.Weight >= minWeight
			switch {
			case positive && above:
				r.Why = WhyScored
			case positive:
				r.Why = WhyJoined
			case !res.blocked(p.a, p.b):
				r.Why = WhyNotBlocked
			case above:
				r.Why = WhyGuard
			default:
				r.Why = WhyBelow
			}
			out = append(out, r)
		}
		return out
	}
	rep.FalsePositives, rep.FalseNegatives = explain(fps, true), explain(fns, false)
}

// blocked reports whether records a and b were a candidate pair (res.pairs is sorted,
// each pair with its smaller index first).
func (res *Result) blocked(a, b int32) bool {
	if a > b {
		a, b = b, a
	}
	_, ok := slices.BinarySearch(res.pairs, uint64(a)<<32|uint64(b))
	return ok
}

// minWeight is the weight of a pair at the result's threshold, as clustering compares it.
func (res *Result) minWeight() float64 { return weightOf(res.Threshold) }
