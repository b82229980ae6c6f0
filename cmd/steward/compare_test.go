package main

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestCompare: two stored records of one person are explained field by field with the
// keys they share and their master; two people who share no blocking key are said never
// to be compared; -file scores the same records from the file to the same weight; bad
// keys are errors naming them.
func TestCompare(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "people.jsonl")
	recs := `{"source":"crm","source_id":"1","given_name":"Mathilde","family_name":"Nicolas","emails":["mathilde.nicolas@example.org"],"phones":["06 12 34 56 78"],"address":{"lines":["4 rue des Lilas"],"postcode":"69003","city":"Lyon","country":"FR"}}
{"source":"shop","source_id":"A9","given_name":"Mathlide","family_name":"NICOLAS","emails":["mathilde.nicolas@example.org"],"phones":["+33 6 12 34 56 78"]}
{"source":"erp","source_id":"77","given_name":"Oscar","family_name":"Berthier","emails":["oscar.berthier@example.net"]}
`
	if err := os.WriteFile(in, []byte(recs), 0o644); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "w.db")
	if code, out, errs := steward(t, "", "ingest", "-db", db, "-q", in); code != 0 {
		t.Fatalf("ingest: exit %d\n%s\n%s", code, out, errs)
	}
	code, out, errs := steward(t, "", "compare", "-db", db, "crm:1", "shop:A9")
	if code != 0 {
		t.Fatalf("compare: exit %d\n%s", code, errs)
	}
	for _, want := range []string{"crm:1 ~ shop:A9", ": link (", "blocking keys in common: ", "email:mathilde.nicolas@example.org", "warehouse: both in master ",
		`email            exact`, `"mathilde.nicolas@example.org" ~ "mathilde.nicolas@example.org"`, `"mathilde" ~ "mathlide"`, "prior", "total"} {
		if !strings.Contains(out, want) {
			t.Errorf("compare output lacks %q:\n%s", want, out)
		}
	}
	code, out, _ = steward(t, "", "compare", "-db", db, "crm:1", "erp:77")
	if code != 0 || !strings.Contains(out, "blocking keys in common: none") || !strings.Contains(out, "no match") || !strings.Contains(out, "crm:1 in master ") {
		t.Errorf("compare of two people: exit %d\n%s", code, out)
	}
	// The JSON's weight is the sum of its parts, and -file gives the same score.
	weight := func(args ...string) float64 {
		t.Helper()
		code, out, errs := steward(t, "", append([]string{"compare", "-json"}, args...)...)
		if code != 0 {
			t.Fatalf("compare %v: exit %d\n%s", args, code, errs)
		}
		var c comparison
		if err := json.Unmarshal([]byte(out), &c); err != nil {
			t.Fatal(err)
		}
		sum := c.Score.Prior
		for _, f := range c.Score.Fields {
			sum += f.Weight
		}
		if math.Abs(sum-c.Score.Weight) > 1e-9 || len(c.SharedKeys) == 0 {
			t.Errorf("compare %v: weight %v, parts sum to %v; shared keys %v", args, c.Score.Weight, sum, c.SharedKeys)
		}
		return c.Score.Weight
	}
	if a, b := weight("-db", db, "crm:1", "shop:A9"), weight("-file", in, "shop:A9", "crm:1"); math.Abs(a-b) > 1e-9 {
		t.Errorf("warehouse weight %v, file weight %v", a, b)
	}
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"-db", db, "crm:1", "crm:404"}, 1, "crm:404: no such source record"},
		{[]string{"-file", in, "crm:1", "crm:404"}, 1, "crm:404: no such record in"},
		{[]string{"-db", db, "crm:1"}, 2, "want two record keys"},
		{[]string{"-db", db, "crm:1", "crm"}, 2, `"crm": want a record key`},
		{[]string{"-db", db, "crm:1", "crm:1"}, 2, "twice"},
		{[]string{"-db", db, "-source", "x", "crm:1", "shop:A9"}, 2, "-source: an input flag, for -file"},
	} {
		code, _, errs := steward(t, "", append([]string{"compare"}, tc.args...)...)
		if code != tc.code || !strings.Contains(errs, tc.want) {
			t.Errorf("compare %v: exit %d, %s; want %d and %q", tc.args, code, errs, tc.code, tc.want)
		}
	}
}

// TestReviewExplain: review -explain prints each item's stored explanation as its
// waterfall, whose total is the item's score.
func TestReviewExplain(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "people.jsonl")
	// Two people of one household: same names and address, other birth dates and phones;
	// the engine is unsure (a pair review item).
	recs := `{"source":"crm","source_id":"1","given_name":"Mathilde","family_name":"Nicolas","birth_date":"1967-05-03","phones":["+33785283126"],"address":{"lines":["4 rue des Lilas"],"postcode":"69003","city":"Lyon","country":"FR"}}
{"source":"shop","source_id":"2","given_name":"Mathilde","family_name":"Nicolas","birth_date":"1990-05-03","phones":["+33788665240"],"address":{"lines":["4 rue des Lilas"],"postcode":"69003","city":"Lyon","country":"FR"}}
`
	if err := os.WriteFile(in, []byte(recs), 0o644); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "w.db")
	if code, out, errs := steward(t, "", "ingest", "-db", db, "-q", in); code != 0 {
		t.Fatalf("ingest: exit %d\n%s\n%s", code, out, errs)
	}
	code, out, errs := steward(t, "", "review", "-db", db, "-explain")
	if code != 0 {
		t.Fatalf("review: exit %d\n%s", code, errs)
	}
	if !strings.Contains(out, "shop:2") || !strings.Contains(out, `"1990-05-03" ~ "1967-05-03"`) || !strings.Contains(out, "total") || !strings.Contains(out, "street_exact") ||
		!regexp.MustCompile(`master \d+ \(crm:1\)`).MatchString(out) || !strings.Contains(out, "compared with crm:1") {
		t.Errorf("review -explain:\n%s", out)
	}
}

// TestCompareUnblockedDecision: a pair that would link but shares no blocking key is not
// said to link plainly (the engine never compares it). Rules whose only blocking rule is
// the e-mail make such a pair of one person with two mailboxes.
func TestCompareUnblockedDecision(t *testing.T) {
	dir := t.TempDir()
	rulesDir := filepath.Join(dir, "rules")
	if err := os.CopyFS(rulesDir, os.DirFS(filepath.Join("..", "..", "rules", "default"))); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(rulesDir, "rules.yaml")
	y, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	text := string(y)
	start := strings.Index(text, "  blocking:\n")
	end := strings.Index(text, "  comparisons:")
	if start < 0 || end < start {
		t.Fatal("rules.yaml: no blocking list before the comparisons")
	}
	text = text[:start] + "  blocking:\n    - {name: email, parts: [email]}\n" + text[end:]
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	in := filepath.Join(dir, "p.jsonl")
	recs := `{"source":"a","source_id":"1","given_name":"Mathilde","family_name":"Nicolas","birth_date":"1967-05-03","emails":["m.nicolas@example.org"],"phones":["+33612345678"]}
{"source":"b","source_id":"2","given_name":"Mathilde","family_name":"Nicolas","birth_date":"1967-05-03","emails":["mathilde67@example.net"],"phones":["+33612345678"]}
`
	if err := os.WriteFile(in, []byte(recs), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs := steward(t, "", "compare", "-rules", rulesDir, "-json", "-file", in, "a:1", "b:2")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var c comparison
	if err := json.Unmarshal([]byte(out), &c); err != nil {
		t.Fatal(err)
	}
	if len(c.SharedKeys) != 0 || c.Decision != "link" {
		t.Fatalf("shared keys %v, decision %s: want none and link", c.SharedKeys, c.Decision)
	}
	_, out, _ = steward(t, "", "compare", "-rules", rulesDir, "-file", in, "a:1", "b:2")
	if !strings.Contains(out, ": link if they were compared (") || !strings.Contains(out, "blocking keys in common: none") {
		t.Errorf("compare of an unblocked pair:\n%s", out)
	}
}

// TestReviewSplitNamesFellow: review lists a split item with the record it was scored
// against, and -explain says "compared with" it.
func TestReviewSplitNamesFellow(t *testing.T) {
	dir := t.TempDir()
	first, reused := filepath.Join(dir, "a.jsonl"), filepath.Join(dir, "b.jsonl")
	if err := os.WriteFile(first, []byte(`{"source":"web","source_id":"A1","updated_at":"2024-01-01T00:00:00Z","given_name":"Bastien","family_name":"Orlowitz","emails":["bastien.o@example.com"]}
{"source":"crm","source_id":"Y1","updated_at":"2024-02-01T00:00:00Z","given_name":"Bastien","family_name":"Orlowitz","emails":["bastien.o@example.com"]}
`), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(reused, []byte(`{"source":"crm","source_id":"Y1","updated_at":"2024-03-01T00:00:00Z","given_name":"Patrick","family_name":"Durouvard","emails":["patrick.durouvard@example.fr"],"address":{"city":"Caen"}}
`), 0o644); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "w.db")
	for _, f := range []string{first, reused} {
		if code, out, errs := steward(t, "", "ingest", "-db", db, "-q", f); code != 0 {
			t.Fatalf("ingest %s: exit %d\n%s\n%s", f, code, out, errs)
		}
	}
	code, out, errs := steward(t, "", "review", "-db", db, "-kind", "split", "-explain")
	if code != 0 || !strings.Contains(out, "its fellow web:A1") || !strings.Contains(out, "compared with web:A1") {
		t.Errorf("review -kind split: exit %d\n%s\n%s", code, out, errs)
	}
}
