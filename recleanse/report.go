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
	// FalseNegatives the weakest pairs of one entity left apart. Each is explained.
	FalsePositives []PairReport `json:"top_false_positives"`
	FalseNegatives []PairReport `json:"top_false_negatives"`
	// NotBlocked counts true pairs that no blocking key brought together (missed before
	// any scoring).
	NotBlocked int64 `json:"false_negatives_not_blocked"`
}

// PairReport is one explained pair.
type PairReport struct {
	A, B  string      `json:"-"`
	Keys  [2]string   `json:"records"`
	Truth [2]string   `json:"truth"`
	Score match.Score `json:"score"`
}

// Evaluate measures the clustering against the records' Truth (records without one are
// ignored) and lists the top false positives and negatives. In a link run, only pairs
// across the two sides count.
func (res *Result) Evaluate(top int) *Report {
	rep := &Report{}
	type ce struct{ c, e int32 }
	entities := make(map[string]int32, len(res.Records)/2)
	ent := make([]int32, len(res.Records))
	for i, r := range res.Records {
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
	// Pair counts per (cluster, entity), cluster and entity, by side.
	// Per cluster (labels are record indexes) and per entity, by side; a map only for the
	// pairs of both.
	joint := make(map[ce][2]int64, len(entities))
	byC, byE := make([][2]int64, len(res.Records)), make([][2]int64, len(entities))
	for i, r := range res.Records {
		if ent[i] < 0 {
			continue
		}
		k := ce{res.Labels[i], ent[i]}
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
	rep.SetPairs(tp, pp, ap)
	exact := 0
	for k, n := range joint {
		if byC[k.c] == n && byE[k.e] == n {
			exact++
		}
	}
	rep.SetClusters(clusters, len(byE), exact)
	res.topErrors(rep, ent, top)
	return rep
}

// topErrors lists the strongest false positives (pairs of one cluster, different
// entities, among the candidate pairs) and the weakest false negatives (pairs of one
// entity in different clusters).
func (res *Result) topErrors(rep *Report, ent []int32, top int) {
	type wp struct {
		a, b int32
		w    float64
	}
	var fps, fns []wp
	eng := res.Engine
	for _, p := range res.pairs {
		a, b := unpack(p)
		if ent[a] >= 0 && ent[b] >= 0 && ent[a] != ent[b] && res.Labels[a] == res.Labels[b] {
			fps = append(fps, wp{a, b, eng.Weight(res.Records[a].Feat, res.Records[b].Feat)})
		}
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
	// Only the weakest top false negatives are kept: an entity of many records (a truth
	// column shared by most records) has a quadratic number of them.
	for _, ms := range members {
		for x := 0; x < len(ms); x++ {
			for y := x + 1; y < len(ms); y++ {
				a, b := ms[x], ms[y]
				if res.Labels[a] == res.Labels[b] || (res.Link && res.Records[a].Side == res.Records[b].Side) {
					continue
				}
				if _, found := slices.BinarySearch(res.pairs, uint64(a)<<32|uint64(b)); !found {
					rep.NotBlocked++
				}
				if top == 0 {
					continue
				}
				fns = append(fns, wp{a, b, eng.Weight(res.Records[a].Feat, res.Records[b].Feat)})
				if len(fns) >= 2*max(top, 512) {
					slices.SortFunc(fns, weakest)
					fns = fns[:top]
				}
			}
		}
	}
	slices.SortFunc(fps, func(x, y wp) int { return cmp.Or(cmp.Compare(y.w, x.w), order(x, y)) })
	slices.SortFunc(fns, weakest)
	explain := func(ps []wp) []PairReport {
		var out []PairReport
		for _, p := range ps[:min(top, len(ps))] {
			ra, rb := &res.Records[p.a], &res.Records[p.b]
			out = append(out, PairReport{Keys: [2]string{ra.Key, rb.Key}, Truth: [2]string{ra.Truth, rb.Truth},
				Score: eng.ScoreFeatures(ra.Feat, rb.Feat)})
		}
		return out
	}
	rep.FalsePositives, rep.FalseNegatives = explain(fps), explain(fns)
}
