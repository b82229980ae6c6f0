package recleanse

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRepeatedKeyKeepsNewestVersion: 39c6008 keeps one record of a key given twice
// (two exports of one source), the first by content hash: an arbitrary one. Streaming
// keeps the newest version (an older one is stale), so dedupe on the same input matches
// on the version streaming discarded (here: its old e-mail).
func TestRepeatedKeyKeepsNewestVersion(t *testing.T) {
	var b strings.Builder
	for i := range 8 {
		fmt.Fprintf(&b, `{"source":"crm","source_id":"%d","updated_at":"2025-06-01T00:00:00Z","given_name":"Anna","family_name":"Nowak%c","emails":["new%d@example.org"]}`+"\n", i, 'a'+i, i)
		fmt.Fprintf(&b, `{"source":"crm","source_id":"%d","updated_at":"2020-01-01T00:00:00Z","given_name":"Anna","family_name":"Nowak%c","emails":["old%d@example.org"]}`+"\n", i, 'a'+i, i)
	}
	path := filepath.Join(t.TempDir(), "two-exports.jsonl")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	res := dedupeByRules(t, path)
	if len(res.Records) != 8 {
		t.Fatalf("%d records, want 8", len(res.Records))
	}
	for _, r := range res.Records {
		if e := r.Feat.Value("email"); !strings.HasPrefix(e, "new") {
			t.Errorf("%s: kept the version of 2020 (%s), not the one of 2025", r.Key, e)
		}
	}
}
