package recleanse

import (
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/steward-crm/steward/internal/csvsafe"
	"github.com/steward-crm/steward/pipeline/match"
)

// WriteClusters writes one CSV row per record, sorted by cluster then key:
// cluster_id (the key of the cluster's first record; in link runs prefixed with its
// side, "0/" or "1/", since both files may hold a key), cluster_size, source, source_id,
// side (link runs only). The same input and rules always give the same bytes. A key that
// a spreadsheet would read as a formula gets a leading ' (csvsafe.Cell).
func (res *Result) WriteClusters(w io.Writer) error {
	cw := csv.NewWriter(w)
	head := []string{"cluster_id", "cluster_size", "source", "source_id"}
	if res.Link {
		head = append(head, "side")
	}
	if err := cw.Write(head); err != nil {
		return err
	}
	size := map[int32]int{}
	for _, l := range res.Labels {
		size[l]++
	}
	order := make([]int, len(res.Records))
	for i := range order {
		order[i] = i
	}
	// Records are sorted by (side, key) and a label is the smallest index of its cluster:
	// sorting by (label, index) groups clusters in a stable order.
	sortByLabel(order, res.Labels)
	row := make([]string, len(head))
	for _, i := range order {
		r := &res.Records[i]
		src, id, _ := strings.Cut(r.Key, ":")
		first := &res.Records[res.Labels[i]]
		row[0] = csvsafe.Cell(first.Key)
		if res.Link {
			row[0] = strconv.Itoa(int(first.Side)) + "/" + first.Key
		}
		row[1] = strconv.Itoa(size[res.Labels[i]])
		row[2], row[3] = csvsafe.Cell(src), csvsafe.Cell(id)
		if res.Link {
			row[4] = strconv.Itoa(int(r.Side))
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write clusters: %w", err)
	}
	return nil
}

// WritePairs writes the candidate pairs scored at or above the match probability
// minProb as CSV, one row per pair in record order: each record's source and source_id
// (in a link run the first is from the first file), the match probability and weight
// (bits), same_cluster (whether the run put the two in one cluster: a pair above the
// threshold may be kept apart by the cluster guard, one below joined through others),
// swapped (given and family names read crosswise), then per comparison the level it hit
// ("missing" when a side lacks the field) and the level's weight: the explanation a
// reviewer reads to check where the threshold falls. A run with a truth adds
// same_entity (true, false, or empty when a record has no truth). The pairs are scored
// again; it returns how many were written.
func (res *Result) WritePairs(w io.Writer, minProb float64) (int, error) {
	if !(minProb > 0 && minProb < 1) {
		return 0, fmt.Errorf("write pairs: threshold %v: want a match probability between 0 and 1", minProb)
	}
	cw := csv.NewWriter(w)
	head := []string{"source_a", "source_id_a", "source_b", "source_id_b", "probability", "weight", "same_cluster", "swapped"}
	truth := slices.ContainsFunc(res.Records, func(r Record) bool { return r.Truth != "" })
	if truth {
		head = append(head, "same_entity")
	}
	var edges []match.Edge
	feats := features(res.Records)
	if res.Engine != nil && len(res.Records) > 0 {
		for _, f := range res.Engine.ScoreFeatures(feats[0], feats[0]).Fields {
			head = append(head, f.Comparison, f.Comparison+"_weight")
		}
		edges = res.edgesAtLeast(feats, weightOf(minProb))
	}
	if err := cw.Write(head); err != nil {
		return 0, fmt.Errorf("write pairs: %w", err)
	}
	row := make([]string, 0, len(head))
	for _, e := range edges {
		a, b := &res.Records[e.A], &res.Records[e.B]
		s := res.Engine.ScoreFeatures(feats[e.A], feats[e.B])
		srcA, idA, _ := strings.Cut(a.Key, ":")
		srcB, idB, _ := strings.Cut(b.Key, ":")
		row = append(row[:0], csvsafe.Cell(srcA), csvsafe.Cell(idA), csvsafe.Cell(srcB), csvsafe.Cell(idB),
			strconv.FormatFloat(s.Probability, 'g', 6, 64), strconv.FormatFloat(s.Weight, 'f', 2, 64),
			strconv.FormatBool(res.Labels != nil && res.Labels[e.A] == res.Labels[e.B]), strconv.FormatBool(s.Swapped))
		if truth {
			same := ""
			if a.Truth != "" && b.Truth != "" {
				same = strconv.FormatBool(a.Truth == b.Truth)
			}
			row = append(row, same)
		}
		for _, f := range s.Fields {
			row = append(row, f.Level, strconv.FormatFloat(f.Weight, 'f', 2, 64))
		}
		if err := cw.Write(row); err != nil {
			return 0, fmt.Errorf("write pairs: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return 0, fmt.Errorf("write pairs: %w", err)
	}
	return len(edges), nil
}
