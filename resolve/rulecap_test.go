package resolve

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/steward-crm/steward/contact"
	"github.com/steward-crm/steward/rules"
)

// TestRuleMaxMasters: a blocking rule's own cap (match.blocking[].max_masters) skips its
// keys once they are shared by more masters than it, while the keys of the other rules,
// shared by as many masters, stay in use (match.max_block_size); the skipped key is
// reported on the outcome, by Resolve and by ResolveBatch alike.
func TestRuleMaxMasters(t *testing.T) {
	r := rules.Default()
	for i := range r.Match.Blocking {
		if r.Match.Blocking[i].Name == "names_phonetic" {
			r.Match.Blocking[i].MaxMasters = 2
		}
	}
	rs, _ := sqliteResolver(t, r)
	// Three namesakes born on three days: three masters that share every name key.
	person := func(id, born string) string {
		return fmt.Sprintf(`{"source":"web","source_id":%q,"given_name":"Maëlle","family_name":"Quintrec","emails":["m.quintrec%s@example.fr"],"birth_date":%q}`, id, id, born)
	}
	outs := resolveAll(t, rs, r, person("1", "1961-02-03"), person("2", "1974-05-06"), person("3", "1988-07-08"))
	masters := map[int64]bool{}
	for i, o := range outs {
		if o.Action != ActionNewMaster || len(o.SkippedKeys) != 0 {
			t.Fatalf("namesake %d: %s, skipped %v; want a new master, no key skipped", i+1, o.Action, o.SkippedKeys)
		}
		masters[o.MasterID] = true
	}
	if len(masters) != 3 {
		t.Fatalf("three namesakes in %d masters", len(masters))
	}
	check := func(how string, skipped []string, score bool) {
		t.Helper()
		if len(skipped) != 1 || !strings.HasPrefix(skipped[0], "names_phonetic:") {
			t.Errorf("%s: skipped keys %v, want the names_phonetic key alone", how, skipped)
		}
		if !score {
			t.Errorf("%s: no candidate scored: the names key (3 masters, cap 50) was not used", how)
		}
	}
	fourth := normalized(t, r, person("4", "1995-09-10"))[0]
	o, err := rs.Resolve(context.Background(), fourth, "test:4")
	if err != nil {
		t.Fatal(err)
	}
	check("Resolve", o.SkippedKeys, o.Score != nil)
	fifth := normalized(t, r, person("5", "1999-11-12"))[0]
	batch, err := rs.ResolveBatch(context.Background(), []*contact.Record{fifth}, []string{"test:5"})
	if err != nil {
		t.Fatal(err)
	}
	check("ResolveBatch", batch[0].SkippedKeys, batch[0].Score != nil)
	if slices.ContainsFunc(append(o.SkippedKeys, batch[0].SkippedKeys...), func(k string) bool { return strings.HasPrefix(k, "names:") }) {
		t.Error("the names key was skipped")
	}
}

// TestCapReachedInsideBatch: a key that an earlier record of the same batch pushes over
// its cap is skipped for the later one, as resolving them one at a time does (the later
// record then does not see, through it, the masters behind it). Two namesakes stored,
// cap 2: the third namesake (a new master) makes every name key's third master, so the
// fourth, which would link to the second through the name keys alone, is a new master.
// A batch once still used the keys and linked it.
func TestCapReachedInsideBatch(t *testing.T) {
	ctx := context.Background()
	r := rules.Default()
	r.Match.MaxBlockSize = 2
	for i := range r.Match.Blocking {
		r.Match.Blocking[i].MaxMasters = 0
	}
	const (
		p1 = `{"source":"web","source_id":"1","given_name":"Maëlle","family_name":"Quintrec","emails":["m.quintrec1@example.fr"],"birth_date":"1961-02-03"}`
		p2 = `{"source":"web","source_id":"2","given_name":"Maëlle","family_name":"Quintrec","emails":["mq2@example.fr"],"birth_date":"1974-05-06","company":{"siren":"441639465"},"address":{"city":"Rennes","country":"FR"}}`
		p3 = `{"source":"web","source_id":"3","given_name":"Maëlle","family_name":"Quintrec","emails":["zz3@example.fr"],"birth_date":"1988-07-08"}`
		p4 = `{"source":"crm","source_id":"4","given_name":"Maëlle","family_name":"Quintrec","emails":["other4@example.com"],"company":{"siren":"441639465"},"address":{"city":"Rennes","country":"FR"}}`
	)
	run := func(how string) []Outcome {
		rs, _ := sqliteResolver(t, r)
		resolveAll(t, rs, r, p1, p2)
		recs := normalized(t, r, p3, p4)
		switch how {
		case "one at a time":
			var outs []Outcome
			for i, rec := range recs {
				o, err := rs.Resolve(ctx, rec, fmt.Sprint("p", i))
				if err != nil {
					t.Fatal(err)
				}
				outs = append(outs, o)
			}
			return outs
		case "batch":
			outs, err := rs.ResolveBatch(ctx, recs, []string{"p0", "p1"})
			if err != nil {
				t.Fatal(err)
			}
			return outs
		default:
			return submitAll(t, &Batcher{Resolver: rs, Max: 2, Workers: 1}, recs)
		}
	}
	want := run("one at a time")
	if want[1].Action != ActionNewMaster || len(want[1].SkippedKeys) == 0 {
		t.Fatalf("one at a time, the fourth namesake: %s, skipped %v; want a new master, its name keys skipped", want[1].Action, want[1].SkippedKeys)
	}
	for _, how := range []string{"batch", "batcher"} {
		got := run(how)
		for i := range want {
			a, b := want[i], got[i]
			if a.Action != b.Action || a.MasterID != b.MasterID || a.Reviews != b.Reviews || fmt.Sprint(a.SkippedKeys) != fmt.Sprint(b.SkippedKeys) || (a.Score == nil) != (b.Score == nil) {
				t.Errorf("%s, record %d: %s master %d skipped %v; one at a time %s master %d skipped %v", how, i+3, b.Action, b.MasterID, b.SkippedKeys, a.Action, a.MasterID, a.SkippedKeys)
			}
		}
	}
}
