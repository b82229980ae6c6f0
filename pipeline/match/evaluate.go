package match

// Metrics are pairwise and cluster-level accuracy figures of a clustering against the
// truth.
type Metrics struct {
	// Pairs: record pairs in the same predicted cluster (TP+FP) and in the same true
	// entity (TP+FN).
	TruePositives  int64   `json:"true_positive_pairs"`
	FalsePositives int64   `json:"false_positive_pairs"`
	FalseNegatives int64   `json:"false_negative_pairs"`
	Precision      float64 `json:"precision"`
	Recall         float64 `json:"recall"`
	F1             float64 `json:"f1"`
	// Clusters: predicted clusters, true entities, and predicted clusters that are exactly
	// one true entity.
	Clusters      int     `json:"clusters"`
	Entities      int     `json:"entities"`
	ExactClusters int     `json:"exact_clusters"`
	ClusterRecall float64 `json:"cluster_recall"` // exact clusters / entities
}

// Evaluate compares a predicted clustering with the truth; both map a record id to its
// cluster (entity) label. Records missing from either map are ignored.
func Evaluate(predicted, truth map[string]string) Metrics {
	type pair struct{ c, e string }
	joint := map[pair]int64{}
	byCluster := map[string]int64{}
	byEntity := map[string]int64{}
	for id, c := range predicted {
		e, ok := truth[id]
		if !ok {
			continue
		}
		joint[pair{c, e}]++
		byCluster[c]++
		byEntity[e]++
	}
	choose2 := func(n int64) int64 { return n * (n - 1) / 2 }
	var m Metrics
	var tp, predPairs, truePairs int64
	for _, n := range joint {
		tp += choose2(n)
	}
	for _, n := range byCluster {
		predPairs += choose2(n)
	}
	for _, n := range byEntity {
		truePairs += choose2(n)
	}
	m.SetPairs(tp, predPairs, truePairs)
	exact := 0
	for p, n := range joint {
		if byCluster[p.c] == n && byEntity[p.e] == n {
			exact++
		}
	}
	m.SetClusters(len(byCluster), len(byEntity), exact)
	return m
}

// SetPairs fills the pairwise figures from the number of true positive pairs, of pairs
// predicted together and of pairs truly together.
func (m *Metrics) SetPairs(tp, predicted, actual int64) {
	m.TruePositives, m.FalsePositives, m.FalseNegatives = tp, predicted-tp, actual-tp
	m.Precision, m.Recall, m.F1 = 1, 1, 0
	if predicted > 0 {
		m.Precision = float64(tp) / float64(predicted)
	}
	if actual > 0 {
		m.Recall = float64(tp) / float64(actual)
	}
	if m.Precision+m.Recall > 0 {
		m.F1 = 2 * m.Precision * m.Recall / (m.Precision + m.Recall)
	}
}

// SetClusters fills the cluster-level figures.
func (m *Metrics) SetClusters(clusters, entities, exact int) {
	m.Clusters, m.Entities, m.ExactClusters = clusters, entities, exact
	m.ClusterRecall = 0
	if entities > 0 {
		m.ClusterRecall = float64(exact) / float64(entities)
	}
}
