package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Tests of promises README makes about the commands (found by checking README against
// the program).

// TestTrainModelFileNotWorldReadable: README ("A file given to -o, -out or -metrics-json
// is written ... a new file with mode 0600: it holds personal data"). The model holds the
// input's family names, given names and cities (term frequencies).
func TestTrainModelFileNotWorldReadable(t *testing.T) {
	dir := t.TempDir()
	gen := filepath.Join(dir, "g.jsonl")
	genSample(t, gen)
	model := filepath.Join(dir, "model.yaml")
	if code, _, errs := steward(t, "", "train", "-out", model, gen); code != 0 {
		t.Fatalf("train: exit %d: %s", code, errs)
	}
	fi, err := os.Stat(model)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		t.Errorf("train -out: mode %v, want no access for group and others", fi.Mode().Perm())
	}
}

// TestEventsFileNotWorldReadable: the -events file carries golden records.
func TestEventsFileNotWorldReadable(t *testing.T) {
	dir := t.TempDir()
	events := filepath.Join(dir, "events.jsonl")
	if code, _, errs := steward(t, "", "ingest", "-q", "-db", filepath.Join(dir, "w.db"), "-events", events, "../../testdata/contacts.jsonl"); code != 0 {
		t.Fatalf("ingest: exit %d: %s", code, errs)
	}
	fi, err := os.Stat(events)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		t.Errorf("ingest -events: mode %v, want no access for group and others", fi.Mode().Perm())
	}
}

// TestStrayArgumentIsUsageError: README "Exit codes: ... 2 bad usage". `steward export
// golden.csv` (for -o golden.csv) wrote the CSV to stdout, exit 0, and no golden.csv.
func TestStrayArgumentIsUsageError(t *testing.T) {
	db := filepath.Join(t.TempDir(), "w.db")
	if code, _, errs := steward(t, "", "migrate", "-db", db); code != 0 {
		t.Fatalf("migrate: exit %d: %s", code, errs)
	}
	for _, args := range [][]string{
		{"export", "-db", db, "golden.csv"},
		{"stats", "-db", db, "extra"},
		{"review", "-db", db, "extra"},
		{"migrate", "-db", db, "extra"},
		{"gen", "-n", "2", "out.jsonl"},
		{"run", "-db", db, "extra"},
	} {
		if code, _, errs := steward(t, "", args...); code != 2 {
			t.Errorf("%v: exit %d, want 2 (%s)", args, code, errs)
		}
	}
}

// TestBadMapIsUsageError: a bad -map is a usage error in ingest and dedupe (exit 2), and
// was a failure (exit 1) in normalize and produce.
func TestBadMapIsUsageError(t *testing.T) {
	in := writeTemp(t, "a.csv", "source,source_id,given_name\na,1,Jean\n")
	for _, cmd := range []string{"ingest", "normalize", "produce", "dedupe"} {
		args := []string{cmd, "-map", "source=nope", in}
		if cmd == "ingest" {
			args = append(args, "-db", filepath.Join(t.TempDir(), "w.db"))
		}
		if code, _, errs := steward(t, "", args...); code != 2 {
			t.Errorf("%s -map source=nope: exit %d, want 2 (%s)", cmd, code, errs)
		}
	}
}

// TestRegistryImportProgressWording: README "invalid rows are counted and the first ones
// listed": the progress line said "ingest FILE: ... N dead-lettered" for a registry
// import, though nothing goes to dead_letters. And `steward registry -h` (README:
// "`steward COMMAND -h` shows a command's flags") exited 2.
func TestRegistryImportProgressWording(t *testing.T) {
	db := filepath.Join(t.TempDir(), "w.db")
	code, _, errs := steward(t, "", "registry", "import", "-db", db, "../../testdata/registry/sirene_sample.csv")
	if code != 0 {
		t.Fatalf("registry import: exit %d: %s", code, errs)
	}
	if strings.Contains(errs, "dead-lettered") || !strings.Contains(errs, "registry import ") {
		t.Errorf("registry import progress:\n%s", errs)
	}
	if code, _, errs := steward(t, "", "registry", "-h"); code != 0 {
		t.Errorf("registry -h: exit %d: %s", code, errs)
	}
}
