package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// utf8BOM is the UTF-8 byte order mark.
const utf8BOM = "\xEF\xBB\xBF"

// TestExportBOM: Excel opens a UTF-8 CSV without a byte order mark in the Windows code
// page ("Élodie" shows as "Ã‰lodie"). -bom writes one before the header, to stdout or to
// -o; without it the file starts with the header, as other tools expect.
func TestExportBOM(t *testing.T) {
	db := filepath.Join(t.TempDir(), "w.db")
	in := writeTemp(t, "a.jsonl", `{"source":"crm","source_id":"P1","given_name":"Élodie","family_name":"Martin","emails":["elodie.martin@example.org"]}`+"\n")
	if code, _, errs := steward(t, "", "ingest", "-db", db, "-q", in); code != 0 {
		t.Fatalf("ingest: %s", errs)
	}
	for _, tc := range []struct {
		name    string
		args    []string
		file    bool
		wantBOM bool
	}{
		{"stdout -bom", []string{"-bom"}, false, true},
		{"file -bom", []string{"-bom"}, true, true},
		{"stdout", nil, false, false},
		{"file", nil, true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"export", "-db", db}, tc.args...)
			out := filepath.Join(t.TempDir(), "golden.csv")
			if tc.file {
				args = append(args, "-o", out)
			}
			code, stdout, errs := steward(t, "", args...)
			if code != 0 {
				t.Fatalf("%v: exit %d: %s", args, code, errs)
			}
			data := []byte(stdout)
			if tc.file {
				data, _ = os.ReadFile(out)
			}
			want := "master_id,version,"
			if tc.wantBOM {
				want = utf8BOM + want
			}
			if !bytes.HasPrefix(data, []byte(want)) {
				t.Errorf("%v: output starts with % X (%q), want %q", args, data[:min(len(data), 8)], data[:min(len(data), 20)], want)
			}
			if !strings.Contains(string(data), "Élodie") {
				t.Errorf("%v: no Élodie in %q", args, data)
			}
		})
	}
}

// TestExportBOMNotForJSONL: a byte order mark is for a CSV opened in Excel; before a
// JSONL file it breaks the first line for JSON readers. -bom with JSONL output (-format
// jsonl, or -o FILE.jsonl) is a usage error naming the flag.
func TestExportBOMNotForJSONL(t *testing.T) {
	db := filepath.Join(t.TempDir(), "w.db")
	if code, _, errs := steward(t, "", "migrate", "-db", db); code != 0 {
		t.Fatalf("migrate: exit %d: %s", code, errs)
	}
	for _, args := range [][]string{
		{"-bom", "-format", "jsonl"},
		{"-bom", "-o", filepath.Join(t.TempDir(), "golden.jsonl")},
	} {
		code, out, errs := steward(t, "", append([]string{"export", "-db", db}, args...)...)
		if code != 2 || !strings.Contains(errs, "-bom: ") || !strings.Contains(errs, "jsonl output") || out != "" {
			t.Errorf("export %v: exit %d, stdout %q, stderr %q; want exit 2 and an error naming -bom and the jsonl output", args, code, out, errs)
		}
	}
}
