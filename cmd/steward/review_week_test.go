package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestIngestSummaryWithdrawnUnknown: a delta's withdrawal of a record the warehouse
// never received is said so in the summary, not counted as unchanged, and the late
// export's older version of it that follows is ignored as stale (no master).
func TestIngestSummaryWithdrawnUnknown(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "w.db")
	file := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	delta := `{"source":"crm","source_id":"W9","updated_at":"2026-12-01T00:00:00Z","op":"delete"}` + "\n"
	code, out, errs := steward(t, "", "ingest", "-db", db, "-q", file("delta.jsonl", delta))
	if code != 0 {
		t.Fatalf("ingest exit %d: %s", code, errs)
	}
	if !strings.Contains(out, "withdrawn, never received: 1 ") || !strings.Contains(out, "unchanged:              0") {
		t.Errorf("summary of a withdrawal of an unknown record:\n%s", out)
	}
	late := `{"source":"crm","source_id":"W9","updated_at":"2026-11-01T00:00:00Z","given_name":"Anouk","family_name":"Verlaine"}` + "\n"
	code, out, errs = steward(t, "", "ingest", "-db", db, "-q", file("export.jsonl", late))
	if code != 0 {
		t.Fatalf("ingest exit %d: %s", code, errs)
	}
	if !strings.Contains(out, "stale (older) ignored:  1") || !strings.Contains(out, "masters created:        0") {
		t.Errorf("summary of the older version arriving after the withdrawal:\n%s", out)
	}
}
