package resolve

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/steward-crm/steward/contact"
	"github.com/steward-crm/steward/internal/synthtest"
	"github.com/steward-crm/steward/pipeline/match"
	"github.com/steward-crm/steward/pipeline/stages"
	"github.com/steward-crm/steward/rules"
	"github.com/steward-crm/steward/synth"
)

// partition resolves recs in order, in batches of size, into a new SQLite warehouse and
// returns its clusters in a canonical form (each cluster's record keys sorted, clusters
// sorted), with the number of merges.
func partition(t *testing.T, r *rules.Rules, recs []*contact.Record, size int) (string, int) {
	t.Helper()
	ctx := context.Background()
	rs, st := sqliteResolver(t, r)
	for lo := 0; lo < len(recs); lo += size {
		hi := min(lo+size, len(recs))
		pos := make([]string, hi-lo)
		for i := range pos {
			pos[i] = fmt.Sprint("p", lo+i)
		}
		if _, err := rs.ResolveBatch(ctx, recs[lo:hi], pos); err != nil {
			t.Fatal(err)
		}
	}
	clusters := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(dump(t, st.DB(), `SELECT master_id || ' ' || source || ':' || source_id FROM source_records WHERE deleted = FALSE`)), "\n") {
		m, k, _ := strings.Cut(line, " ")
		clusters[m] = append(clusters[m], k)
	}
	var out []string
	for _, ks := range clusters {
		slices.Sort(ks)
		out = append(out, strings.Join(ks, ","))
	}
	slices.Sort(out)
	merges := strings.Count(dump(t, st.DB(), `SELECT kind FROM merge_events`), "merge\n")
	return strings.Join(out, "\n"), merges
}

// TestOrderIndependentClusters: under match.order_independent (with auto_merge and no
// blocking cap within reach) a stream resolved in different orders and batch sizes ends
// in the same clusters. Three records of one person show why it needs both: A and C
// match (p 0.998) but share no blocking key, B (an initial, a misspelt street) shares
// keys with both and matches A (p 1.0) but not quite C (p 0.85). Compared with every member of a candidate master, C joins A
// and B when it comes last (it meets A through B's master), and stays apart when it
// comes before A.
func TestOrderIndependentClusters(t *testing.T) {
	r := rules.Default()
	r.Match.AutoMerge, r.Match.OrderIndependent, r.Match.MaxBlockSize = true, true, 1_000_000
	three := normalized(t, r,
		`{"source":"crm","source_id":"A","full_name":"Lorenz Max","phones":["+49 173 7348393","004915079441165"],"address":{"lines":["Gartenstraße 124"],"city":"Düsseldorf","country":"DE"}}`,
		`{"source":"callcenter","source_id":"B","civility":"Hr.","given_name":"M.","family_name":"Lorentz","phones":["0173 7348393"],"address":{"lines":["Gartnstraße 124"],"postcode":"40555","city":"Düsseldorf","country":"Germany"}}`,
		`{"source":"erp","source_id":"C","civility":"Herr","full_name":"Maximilian Lorenz","address":{"lines":["Gartenstraße 124"],"postcode":"40555","city":"Düsseldorf","country":"Deutschland"}}`)
	orders := [][]int{{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}}
	members := rules.Default()
	members.Match.AutoMerge = true
	got := map[string][]string{}
	for _, o := range orders {
		recs := []*contact.Record{three[o[0]], three[o[1]], three[o[2]]}
		p, _ := partition(t, r, recs, 1)
		got["order_independent"] = append(got["order_independent"], p)
		p, _ = partition(t, members, recs, 1)
		got["all members"] = append(got["all members"], p)
	}
	if len(slices.Compact(slices.Sorted(slices.Values(got["order_independent"])))) != 1 {
		t.Errorf("three records, order_independent: clusters depend on the order:\n%s", strings.Join(got["order_independent"], "\n--\n"))
	}
	if len(slices.Compact(slices.Sorted(slices.Values(got["all members"])))) == 1 {
		t.Errorf("three records compared with every member: the same clusters in every order; the case no longer shows the difference")
	}

	// A generated stream with duplicates, in three orders and two batch sizes.
	recs := synthtest.Normalized(t, r, synth.Config{N: 1500, Seed: 3, DupRate: 0.35, MaxPerEntity: 5})
	want, merges := partition(t, r, recs, 1)
	if merges == 0 {
		t.Fatal("the stream merged no masters: it does not exercise auto_merge")
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for i, size := range []int{1, 64, 64} {
		shuffled := slices.Clone(recs)
		rng.Shuffle(len(shuffled), func(a, b int) { shuffled[a], shuffled[b] = shuffled[b], shuffled[a] })
		if got, _ := partition(t, r, shuffled, size); got != want {
			t.Errorf("order %d (batches of %d): other clusters:\n%s", i+1, size, firstDiff(want, got))
		}
	}
	t.Logf("%d records, %d clusters, %d merges: the same in every order", len(recs), strings.Count(want, "\n")+1, merges)
}

// normalized normalizes JSON records with the rules' stages.
func normalized(t *testing.T, r *rules.Rules, lines ...string) []*contact.Record {
	t.Helper()
	var out []*contact.Record
	for _, l := range lines {
		rec, err := contact.Decode([]byte(l))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, rec)
	}
	nc, ic, err := stages.Chains(r)
	if err != nil {
		t.Fatal(err)
	}
	for _, rec := range out {
		if err := nc.Process(context.Background(), rec); err != nil {
			t.Fatal(err)
		}
		if err := ic.Process(context.Background(), rec); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// TestBatchReachesMastersThroughPendingRecords: a record of a batch can meet a stored
// master only through another record of the same batch that joined it (A stored; B
// links to A; C shares keys with B alone but matches A best). The batch decides C as
// record at a time does: its master's stored records are weighed too.
func TestBatchReachesMastersThroughPendingRecords(t *testing.T) {
	r := rules.Default()
	r.Match.MaxBlockSize = 1_000_000
	abc := normalized(t, r,
		`{"source":"crm","source_id":"A","full_name":"Lorenz Max","phones":["+49 173 7348393","004915079441165"],"address":{"lines":["Gartenstraße 124"],"city":"Düsseldorf","country":"DE"}}`,
		`{"source":"callcenter","source_id":"B","civility":"Hr.","given_name":"M.","family_name":"Lorentz","phones":["0173 7348393"],"address":{"lines":["Gartnstraße 124"],"postcode":"40555","city":"Düsseldorf","country":"Germany"}}`,
		`{"source":"erp","source_id":"C","civility":"Herr","full_name":"Maximilian Lorenz","address":{"lines":["Gartenstraße 124"],"postcode":"40555","city":"Düsseldorf","country":"Deutschland"}}`)
	ctx := context.Background()
	run := func(batches ...[]*contact.Record) []Outcome {
		rs, _, _ := resolver(t, false)
		rs.Engine, _ = match.New(r)
		var outs []Outcome
		for i, recs := range batches {
			pos := make([]string, len(recs))
			for j := range pos {
				pos[j] = fmt.Sprint("p", i, j)
			}
			o, err := rs.ResolveBatch(ctx, recs, pos)
			if err != nil {
				t.Fatal(err)
			}
			outs = append(outs, o...)
		}
		return outs
	}
	one := run(abc[:1], abc[1:2], abc[2:])
	batched := run(abc[:1], abc[1:])
	if one[2].Action != ActionLinked || one[2].MasterID != one[0].MasterID {
		t.Fatalf("record at a time: C %+v, want linked to A's master %d (the case no longer shows the path)", one[2], one[0].MasterID)
	}
	for i := range one {
		if one[i].Action != batched[i].Action || one[i].MasterID != batched[i].MasterID || one[i].Reviews != batched[i].Reviews {
			t.Errorf("record %d: one at a time %+v, batched %+v", i, one[i], batched[i])
		}
	}
}
