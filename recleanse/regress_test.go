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
// on the version streaming discarded (here: its old e-mail). Versions a fraction of a
// second apart too: streaming compares times to the microsecond, and Load kept updated_at
// in whole seconds, the content hash choosing (a review, 2026-12-06).
func TestRepeatedKeyKeepsNewestVersion(t *testing.T) {
	for _, c := range []struct{ newer, older string }{
		{"2025-06-01T00:00:00Z", "2020-01-01T00:00:00Z"},
		{"2025-06-01T00:00:00.9Z", "2025-06-01T00:00:00.1Z"},
	} {
		var b strings.Builder
		for i := range 8 {
			fmt.Fprintf(&b, `{"source":"crm","source_id":"%d","updated_at":"%s","given_name":"Anna","family_name":"Nowak%c","emails":["new%d@example.org"]}`+"\n", i, c.newer, 'a'+i, i)
			fmt.Fprintf(&b, `{"source":"crm","source_id":"%d","updated_at":"%s","given_name":"Anna","family_name":"Nowak%c","emails":["old%d@example.org"]}`+"\n", i, c.older, 'a'+i, i)
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
				t.Errorf("%s: kept the version of %s (%s), not the one of %s", r.Key, c.older, e, c.newer)
			}
		}
	}
}
