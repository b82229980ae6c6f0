package recleanse

import (
	"bytes"
	"encoding/csv"
	"math"
	"strconv"
	"testing"

	"github.com/steward-crm/steward/rules"
	"github.com/steward-crm/steward/synth"
)

// TestWritePairs: the pairs file holds exactly the candidate pairs weighed at or above
// the threshold, in record order, each with its probability, a weight that is the prior
// plus its comparisons' weights, and whether the run clustered the two together; at the
// run's threshold, as many pairs as the run's edges.
func TestWritePairs(t *testing.T) {
	res := trainedRun(t, synth.Config{N: 2000, DupRate: 0.35, Corruption: 1, MaxPerEntity: 5, Seed: 9})
	key := map[string]int32{}
	for i, r := range res.Records {
		key[r.Key] = int32(i)
	}
	feats := features(res.Records)
	for _, minProb := range []float64{0.5, res.Threshold} {
		var buf bytes.Buffer
		n, err := res.WritePairs(&buf, minProb)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(&buf).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		head := rows[0]
		if len(rows)-1 != n || len(head) != 9+2*len(rules.Default().Match.Comparisons) || head[0] != "source_a" || head[8] != "same_entity" || head[9] != "email" || head[10] != "email_weight" {
			t.Fatalf("%d rows for %d pairs, header %q", len(rows)-1, n, head)
		}
		want := 0
		for _, p := range res.pairs {
			a, b := unpack(p)
			if res.Engine.Weight(feats[a], feats[b]) >= weightOf(minProb) {
				want++
			}
		}
		if n != want || n == 0 {
			t.Errorf("at %v: %d pairs written, %d candidate pairs weigh at least that", minProb, n, want)
		}
		if minProb == res.Threshold && n != res.Edges {
			t.Errorf("at the run's threshold: %d pairs, the run had %d edges", n, res.Edges)
		}
		prior := math.Log2(res.Engine.Rules().Match.Prior / (1 - res.Engine.Rules().Match.Prior))
		prev, together := int64(-1), 0
		for _, row := range rows[1:] {
			a, okA := key[row[0]+":"+row[1]]
			b, okB := key[row[2]+":"+row[3]]
			if !okA || !okB || a >= b {
				t.Fatalf("row %q: unknown records or not in record order", row)
			}
			if at := int64(a)<<32 | int64(b); at <= prev {
				t.Fatalf("row %q after a later pair", row)
			} else {
				prev = at
			}
			p, _ := strconv.ParseFloat(row[4], 64)
			w, _ := strconv.ParseFloat(row[5], 64)
			sum := prior
			for i := 10; i < len(row); i += 2 {
				f, _ := strconv.ParseFloat(row[i], 64)
				sum += f
			}
			if p < minProb || math.Abs(w-sum) > 0.01*float64(len(row)) {
				t.Errorf("row %q: probability %v under %v, or weight %v not the prior and comparison weights' %v", row, p, minProb, w, sum)
			}
			same := res.Labels[a] == res.Labels[b]
			if row[6] != strconv.FormatBool(same) {
				t.Errorf("row %q: same_cluster %s, the run: %v", row, row[6], same)
			}
			if same {
				together++
			}
			if entity := res.Records[a].Truth == res.Records[b].Truth; row[8] != strconv.FormatBool(entity) {
				t.Errorf("row %q: same_entity %s, the truth: %v", row, row[8], entity)
			}
		}
		if together == 0 {
			t.Errorf("at %v: no pair written in one cluster", minProb)
		}
	}
	if _, err := res.WritePairs(&bytes.Buffer{}, 1); err == nil {
		t.Error("threshold 1 accepted")
	}
}
