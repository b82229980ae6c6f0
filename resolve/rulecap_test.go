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
