package match

import (
	"cmp"
	"math"
	"slices"
)

// Edge is a scored candidate pair of records, by index.
type Edge struct {
	A, B   int32
	Weight float64
}

// Guard decides whether two clusters (their members' indexes) may be merged.
type Guard func(a, b []int32) bool

// Cluster groups n records with union-find over the edges of weight ≥ minWeight, strongest
// first; guard (when not nil) is asked before each merge of two clusters, so that a chain
// of good pairs cannot join distinct people. It returns each record's cluster label: the
// smallest index in its cluster. The result depends only on the set of edges, not on
// their order (ties are broken by index).
func Cluster(n int, edges []Edge, minWeight float64, guard Guard) []int32 {
	return ClusterAt(n, edges, []float64{minWeight}, guard)[0]
}

// ClusterAt returns what Cluster returns at each of minWeights, in their order, in one
// pass: the edges are merged strongest first, so the clustering at a weight is the one
// the pass has built when the edges' weights fall below it.
func ClusterAt(n int, edges []Edge, minWeights []float64, guard Guard) [][]int32 {
	out := make([][]int32, len(minWeights))
	if len(minWeights) == 0 {
		return out
	}
	// The weights' positions, strongest first. No edge weighs at least NaN: there, every
	// record is its own cluster (as Cluster at NaN).
	order := make([]int, 0, len(minWeights))
	for i, w := range minWeights {
		if math.IsNaN(w) {
			out[i] = make([]int32, n)
			for j := range out[i] {
				out[i][j] = int32(j)
			}
		} else {
			order = append(order, i)
		}
	}
	if len(order) == 0 {
		return out
	}
	slices.SortFunc(order, func(i, j int) int { return cmp.Compare(minWeights[j], minWeights[i]) })
	lowest := minWeights[order[len(order)-1]]
	es := make([]Edge, 0, len(edges))
	for _, e := range edges {
		if e.Weight >= lowest && e.A != e.B {
			if e.A > e.B {
				e.A, e.B = e.B, e.A
			}
			es = append(es, e)
		}
	}
	slices.SortFunc(es, func(x, y Edge) int {
		if c := cmp.Compare(y.Weight, x.Weight); c != 0 {
			return c
		}
		if c := cmp.Compare(x.A, y.A); c != 0 {
			return c
		}
		return cmp.Compare(x.B, y.B)
	})
	parent := make([]int32, n)
	for i := range parent {
		parent[i] = int32(i)
	}
	members := map[int32][]int32{} // root → members, for clusters of 2 or more
	find := func(x int32) int32 {
		for parent[x] != x {
			parent[x] = parent[parent[x]]
			x = parent[x]
		}
		return x
	}
	of := func(root int32) []int32 {
		if m, ok := members[root]; ok {
			return m
		}
		return []int32{root}
	}
	labels := func() []int32 {
		l := make([]int32, n)
		for i := range l {
			l[i] = find(int32(i))
		}
		return l
	}
	next := 0 // the next weight of order to label at
	for _, e := range es {
		for next < len(order) && e.Weight < minWeights[order[next]] {
			out[order[next]] = labels()
			next++
		}
		ra, rb := find(e.A), find(e.B)
		if ra == rb {
			continue
		}
		ma, mb := of(ra), of(rb)
		if guard != nil && !guard(ma, mb) {
			continue
		}
		if ra > rb { // the smallest index is the root: labels need no second pass
			ra, rb, ma, mb = rb, ra, mb, ma
		}
		parent[rb] = ra
		members[ra] = append(ma, mb...)
		delete(members, rb)
	}
	for ; next < len(order); next++ {
		out[order[next]] = labels()
	}
	return out
}

// maxGuardSide bounds the members of each side a guard compares (the first ones).
const maxGuardSide = 64

// CohesionGuard returns a Guard that merges two clusters only when the mean match
// probability over their cross pairs (scored with the engine) is at least minProb. The
// pair merged on is among them: a record joins a pair unless it disagrees with the
// other member enough to pull the mean of two below minProb (leaving the edge out split
// households linked through an initial, "E Martin", but lowered F1 on generated data).
func (e *Engine) CohesionGuard(feats []*Features, minProb float64) Guard {
	return func(a, b []int32) bool {
		if len(a) == 1 && len(b) == 1 {
			return true // the pair itself is the edge being merged on
		}
		a, b = a[:min(len(a), maxGuardSide)], b[:min(len(b), maxGuardSide)]
		var sum float64
		for _, x := range a {
			for _, y := range b {
				sum += Probability(e.Weight(feats[x], feats[y]))
			}
		}
		return sum/float64(len(a)*len(b)) >= minProb
	}
}
