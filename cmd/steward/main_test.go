package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// steward runs a command line in-process and returns its exit code, stdout and stderr.
func steward(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	e := &env{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb, getenv: func(string) string { return "" }}
	code := run(context.Background(), args, e)
	return code, out.String(), errb.String()
}

func TestIngestExportStats(t *testing.T) {
	db := filepath.Join(t.TempDir(), "w.db")
	code, out, errs := steward(t, "", "ingest", "-db", db, "-json", "../../testdata/contacts.jsonl")
	if code != 0 {
		t.Fatalf("ingest exit %d: %s", code, errs)
	}
	var sum struct {
		Read           int64 `json:"read"`
		Accepted       int64 `json:"accepted"`
		DeadLettered   int64 `json:"dead_lettered"`
		MastersCreated int64 `json:"masters_created"`
		Linked         int64 `json:"linked"`
	}
	if err := json.Unmarshal([]byte(out), &sum); err != nil {
		t.Fatalf("summary JSON: %v\n%s", err, out)
	}
	if sum.Read != 307 || sum.DeadLettered != 7 || sum.Accepted != 300 || sum.MastersCreated == 0 || sum.Linked == 0 {
		t.Errorf("summary %+v", sum)
	}
	if _, text, _ := steward(t, "", "ingest", "-db", db, "-q", "../../testdata/contacts.jsonl"); !strings.Contains(text, "warehouse:              "+db) || strings.Contains(text, "advice:") {
		t.Errorf("summary does not name the warehouse, or advises on the default rules and 300 records:\n%s", text)
	}
	if !strings.Contains(errs, "ingest ../../testdata/contacts.jsonl (100%)") {
		t.Errorf("no progress line on a non-terminal: %q", errs)
	}

	code, out, errs = steward(t, "", "export", "-db", db, "-format", "csv")
	if code != 0 {
		t.Fatalf("export exit %d: %s", code, errs)
	}
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if int64(len(rows)-1) != sum.MastersCreated || rows[0][0] != "master_id" {
		t.Errorf("export: %d rows for %d masters; header %v", len(rows)-1, sum.MastersCreated, rows[0])
	}
	sources := slices.Index(rows[0], "sources")
	multi := 0
	for _, r := range rows[1:] {
		if strings.Contains(r[sources], "; ") {
			multi++
		}
	}
	if int64(multi) == 0 {
		t.Error("no golden record lists several source records")
	}

	jsonl := filepath.Join(t.TempDir(), "golden.jsonl")
	if code, _, errs := steward(t, "", "export", "-db", db, "-o", jsonl); code != 0 {
		t.Fatalf("export jsonl: %s", errs)
	}
	data, _ := os.ReadFile(jsonl)
	if n := strings.Count(string(data), "\n"); int64(n) != sum.MastersCreated {
		t.Errorf("jsonl export has %d lines", n)
	}

	code, out, _ = steward(t, "", "stats", "-db", db, "-dead-letters", "3")
	if code != 0 || !strings.Contains(out, "golden records:") || !strings.Contains(out, "recent dead letters:") || !strings.Contains(out, "contacts.jsonl:") {
		t.Errorf("stats exit %d:\n%s", code, out)
	}
	if strings.Contains(out, "advice:") {
		t.Errorf("stats advises on the default rules and %d records:\n%s", sum.Read, out)
	}
	// Rules whose prior is far above one over the warehouse's size: stats says so, counting
	// the live records only (one withdrawn first).
	del := filepath.Join(t.TempDir(), "withdraw.jsonl")
	if err := os.WriteFile(del, []byte(`{"source":"erp","source_id":"ERP-000053","updated_at":"2025-01-01T00:00:00Z","op":"delete"}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, errs := steward(t, "", "ingest", "-db", db, "-q", del); code != 0 {
		t.Fatalf("withdrawal: exit %d: %s", code, errs)
	}
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS("../../rules/default")); err != nil {
		t.Fatal(err)
	}
	yaml, err := os.ReadFile(filepath.Join(dir, "rules.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	high := strings.Replace(string(yaml), "prior: 0.000003 ", "prior: 0.5 ", 1)
	if high == string(yaml) {
		t.Fatal("no prior: 0.000003 in the default rules")
	}
	if err := os.WriteFile(filepath.Join(dir, "rules.yaml"), []byte(high), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs = steward(t, "", "stats", "-db", db, "-rules", dir)
	var live, withdrawn int
	if _, err := fmt.Sscanf(out, "source records:        %d (%d withdrawn)", &live, &withdrawn); err != nil {
		t.Fatalf("stats output %q: %v", out, err)
	}
	if withdrawn == 0 {
		t.Error("the sample withdraws no record: the advice's count of live records is not tested")
	}
	want := fmt.Sprintf("advice: match.prior 0.5 is one in 2 records, the warehouse holds %d live source records", live)
	if code != 0 || !strings.Contains(out, want) {
		t.Errorf("stats with prior 0.5, exit %d: no %q\n%s%s", code, want, out, errs)
	}
	// ingest gives the same advice at the end of its run, in its summary and its JSON.
	code, out, errs = steward(t, "", "ingest", "-db", db, "-rules", dir, "-q", del)
	if code != 0 || !strings.Contains(out, want) {
		t.Errorf("ingest with prior 0.5, exit %d: no %q\n%s%s", code, want, out, errs)
	}
	code, out, errs = steward(t, "", "ingest", "-db", db, "-rules", dir, "-q", "-json", del)
	var js struct {
		Advice []string `json:"advice"`
	}
	if err := json.Unmarshal([]byte(out), &js); err != nil || code != 0 || len(js.Advice) != 1 || !strings.Contains("advice: "+js.Advice[0], want) {
		t.Errorf("ingest -json with prior 0.5, exit %d (%v): advice %q, want %q\n%s", code, err, js.Advice, want, errs)
	}
}

func TestNormalizeCommand(t *testing.T) {
	in := `{"source":"w","source_id":"1","given_name":"ÉLODIE","family_name":"MARTIN","emails":["E.Martin@Example.FR "],"phones":["01 42 68 53 00"],"address":{"country":"France"}}
{"source":"w","source_id":"2","given_name":{"x":1}}
`
	code, out, errs := steward(t, in, "normalize", "-")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 {
		t.Fatalf("output %q", out)
	}
	var ok, bad struct {
		Position string
		Record   *struct {
			Normalized struct {
				Emails []struct{ Value, Status string }
				Phones []struct{ Value, Status string }
			}
		}
		Error string
	}
	json.Unmarshal([]byte(lines[0]), &ok)
	json.Unmarshal([]byte(lines[1]), &bad)
	if ok.Record == nil || ok.Record.Normalized.Phones[0].Value != "+33142685300" || ok.Record.Normalized.Emails[0].Value != "E.Martin@example.fr" && ok.Record.Normalized.Emails[0].Value != "e.martin@example.fr" {
		t.Errorf("normalized: %s", lines[0])
	}
	if bad.Position != "stdin:2" || !strings.Contains(bad.Error, "given_name") {
		t.Errorf("rejected: %s", lines[1])
	}
	if !strings.Contains(errs, "1 records normalized, 1 rejected") {
		t.Errorf("stderr %q", errs)
	}
}

func TestGenCommand(t *testing.T) {
	code, out, errs := steward(t, "", "gen", "-n", "50", "-seed", "3")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if n := strings.Count(out, "\n"); n != 50 || !strings.Contains(out, `"entity_id"`) {
		t.Errorf("gen wrote %d lines", n)
	}
	_, again, _ := steward(t, "", "gen", "-n", "50", "-seed", "3")
	if again != out {
		t.Error("same seed, different output")
	}
}

func TestUsageErrors(t *testing.T) {
	if code, _, errs := steward(t, "", "frobnicate"); code != 2 || !strings.Contains(errs, `unknown command "frobnicate"`) {
		t.Errorf("unknown command: %d %q", code, errs)
	}
	if code, _, errs := steward(t, "", "export", "-db", filepath.Join(t.TempDir(), "none.db")); code != 1 || !strings.Contains(errs, "run `steward ingest` first") {
		t.Errorf("export of a missing warehouse: %d %q", code, errs)
	}
	if code, _, errs := steward(t, "", "ingest", "-rules", t.TempDir(), "../../testdata/contacts.jsonl"); code != 1 || !strings.Contains(errs, "rules.yaml") {
		t.Errorf("bad rules dir: %d %q", code, errs)
	}
	if code, out, _ := steward(t, "", "help"); code != 0 || !strings.Contains(out, "ingest") {
		t.Errorf("help: %d %q", code, out)
	}
	// No command at all is bad usage (it exited 0).
	if code, _, errs := steward(t, ""); code != 2 || !strings.Contains(errs, "ingest") {
		t.Errorf("no command: %d %q", code, errs)
	}
}

// TestIngestInputsCheckedFirst: a file that cannot be read fails the run before anything
// is ingested or a warehouse created (the first file was ingested, then the run failed;
// a missing only file left an empty warehouse and a summary of zeros), and a run whose
// every record is dead-lettered exits 1 (it exited 0: a scheduled job read it as a
// success).
func TestIngestInputsCheckedFirst(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "w.db")
	code, out, errs := steward(t, "", "ingest", "-db", db, "-q", "../../testdata/contacts.jsonl", filepath.Join(dir, "nofile.jsonl"))
	if code != 1 || !strings.Contains(errs, "nofile.jsonl") || strings.Contains(out, "records read") {
		t.Errorf("missing second file: %d %q %q", code, out, errs)
	}
	if _, err := os.Stat(db); !os.IsNotExist(err) {
		t.Errorf("a warehouse was created: %v", err)
	}
	bad := filepath.Join(dir, "cp.csv")
	if err := os.WriteFile(bad, []byte("id;Pr\xe9nom;nom\r\nW1;Ren\xe9;Dupont\r\nW2;Paul;Durand\r\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errs = steward(t, "", "ingest", "-db", db, "-q", bad)
	if code != 1 || !strings.Contains(out, "dead-lettered:        2") || !strings.Contains(errs, "no record accepted") {
		t.Errorf("every record dead-lettered: %d %q %q", code, out, errs)
	}
}

// TestReviewCommand: with the sample registry loaded, ingesting testdata queues company
// review items, which `steward review -kind company` lists (table and JSON) and `stats`
// counts by kind.
func TestReviewCommand(t *testing.T) {
	db := filepath.Join(t.TempDir(), "w.db")
	if code, _, errs := steward(t, "", "registry", "import", "-db", db, "-q", "-format", "sirene", "../../testdata/registry/sirene_sample.csv"); code != 0 {
		t.Fatalf("registry import: %s", errs)
	}
	if code, _, errs := steward(t, "", "ingest", "-db", db, "-q", "../../testdata/contacts.jsonl"); code != 0 {
		t.Fatalf("ingest: %s", errs)
	}
	code, out, errs := steward(t, "", "review", "-db", db, "-kind", "company", "-json")
	if code != 0 {
		t.Fatalf("review exit %d: %s", code, errs)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	for _, l := range lines {
		var it struct {
			Kind        string          `json:"kind"`
			Status      string          `json:"status"`
			CompanyKey  string          `json:"company_key"`
			Explanation json.RawMessage `json:"explanation"`
		}
		if err := json.Unmarshal([]byte(l), &it); err != nil {
			t.Fatalf("%v: %s", err, l)
		}
		if it.Kind != "company" || it.Status != "open" || it.CompanyKey == "" || len(it.Explanation) == 0 {
			t.Errorf("item %s", l)
		}
	}
	_, table, _ := steward(t, "", "review", "-db", db, "-limit", "1000")
	got := 0
	for _, l := range strings.Split(table, "\n") {
		if f := strings.Fields(l); len(f) > 1 && f[1] == "company" {
			got++
		}
	}
	if got != len(lines) {
		t.Errorf("table lists %d company items, JSON %d:\n%s", got, len(lines), table)
	}
	_, stats, _ := steward(t, "", "stats", "-db", db)
	if !strings.Contains(stats, fmt.Sprintf("  company              %d\n", len(lines))) {
		t.Errorf("stats does not count %d company items:\n%s", len(lines), stats)
	}
	if code, _, _ := steward(t, "", "review", "-db", db, "-kind", "nope"); code != 2 {
		t.Errorf("bad -kind: exit %d, want 2", code)
	}
}

// TestCLIDefaultsAndBadValues (defects found by a review): the read-only commands find
// the default warehouse (steward.db) without -db; a bad flag exits 2 and is reported
// once; negative or unknown values are usage errors naming the flag, before any work.
func TestCLIDefaultsAndBadValues(t *testing.T) {
	dir := t.TempDir()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chdir(dir); err != nil {
		t.Fatal(err)
	}
	defer os.Chdir(wd)
	if code, _, errs := steward(t, "", "ingest", "-q", filepath.Join(wd, "../../testdata/contacts.jsonl")); code != 0 {
		t.Fatalf("ingest into the default warehouse: %d %s", code, errs)
	}
	for _, cmd := range [][]string{{"stats"}, {"export", "-o", filepath.Join(dir, "out.jsonl")}, {"review"}} {
		if code, _, errs := steward(t, "", cmd...); code != 0 {
			t.Errorf("%s without -db after an ingest without -db: exit %d: %s", cmd[0], code, errs)
		}
	}
	code, _, errs := steward(t, "", "stats", "-bogus")
	if code != 2 || strings.Count(errs, "flag provided but not defined") != 1 {
		t.Errorf("a bad flag: exit %d, stderr %q (want 2, reported once)", code, errs)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"dedupe", "-truth", "entity_id", "-top", "-3", filepath.Join(wd, "../../testdata/contacts.jsonl")}, "-top"},
		{[]string{"dedupe", "-memory-limit", "-5", filepath.Join(wd, "../../testdata/contacts.jsonl")}, "-memory-limit"},
		{[]string{"stats", "-dead-letters", "-1"}, "-dead-letters"},
		{[]string{"review", "-status", "bogus"}, "-status"},
		{[]string{"registry", "import", "-batch", "-1", "x.csv"}, "-batch"},
		{[]string{"gen", "-n", "0"}, "-n"},
		{[]string{"gen", "-corruption", "-0.5"}, "-corruption"},
	} {
		if code, _, errs := steward(t, "", c.args...); code != 2 || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d, stderr %q (want 2 naming %s)", c.args, code, errs, c.want)
		}
	}
}

// TestBadConfigRefusedWithoutWarehouse: commands that build a service without opening a
// warehouse (normalize here) refuse an invalid steward.yaml as the others do (it was
// accepted; found by a review).
func TestBadConfigRefusedWithoutWarehouse(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "steward.yaml")
	if err := os.WriteFile(cfg, []byte("kafka:\n  stages: bogus\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errs := steward(t, `{"source":"a","source_id":"1","given_name":"Ann"}`+"\n", "normalize", "-config", cfg, "-")
	if code == 0 || !strings.Contains(errs, "stages") {
		t.Errorf("normalize with kafka.stages: bogus: exit %d, stderr %q", code, errs)
	}
}

// TestShownDatabaseMasksPassword: a PostgreSQL URL's password is masked where steward
// prints the warehouse (ingest's summary, migrate); it was printed in clear.
func TestShownDatabaseMasksPassword(t *testing.T) {
	for in, want := range map[string]string{
		"postgres://steward:s3cret@db.example:5432/crm?sslmode=require": "postgres://steward:xxxxx@db.example:5432/crm?sslmode=require",
		"postgres://steward@db/crm":                                     "postgres://steward@db/crm",
		"steward.db":                                                    "steward.db",
		"/var/lib/steward/w.db":                                         "/var/lib/steward/w.db",
	} {
		if got := shownDatabase(in); got != want {
			t.Errorf("shownDatabase(%q) = %q, want %q", in, got, want)
		}
	}
}
