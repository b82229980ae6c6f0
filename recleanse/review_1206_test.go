package recleanse

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/steward-crm/steward/rules"
)

// TestWithdrawnKeyDropped: a file holding a record and its later withdrawal (op delete,
// newer updated_at) names a withdrawn record, as streaming leaves it; a withdrawal older
// than the record's version is stale and the record stays. Load skipped the deletion
// and kept the older version: dedupe matched a record the warehouse no longer holds.
func TestWithdrawnKeyDropped(t *testing.T) {
	var b strings.Builder
	for i := range 4 {
		fmt.Fprintf(&b, `{"source":"crm","source_id":"%d","updated_at":"2020-01-01T00:00:00Z","given_name":"Anna","family_name":"Nowak%c","emails":["anna%d@example.org"]}`+"\n", i, 'a'+i, i)
	}
	// crm:0 withdrawn later (and at the same time: a withdrawal wins a tie in streaming);
	// crm:2's withdrawal is older than its version (stale).
	b.WriteString(`{"source":"crm","source_id":"0","updated_at":"2025-01-01T00:00:00Z","op":"delete"}` + "\n")
	b.WriteString(`{"source":"crm","source_id":"1","updated_at":"2020-01-01T00:00:00Z","op":"delete"}` + "\n")
	b.WriteString(`{"source":"crm","source_id":"2","updated_at":"2019-01-01T00:00:00Z","op":"delete"}` + "\n")
	path := filepath.Join(t.TempDir(), "withdrawn.jsonl")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	res := dedupeByRules(t, path)
	var keys []string
	for _, r := range res.Records {
		keys = append(keys, r.Key)
	}
	if got, want := strings.Join(keys, " "), "crm:2 crm:3"; got != want {
		t.Errorf("records %q, want %q (crm:0 and crm:1 withdrawn)", got, want)
	}
	if res.Rejected.Count != 0 {
		t.Errorf("rejected %+v, want none", res.Rejected)
	}
}

// TestEmptyAndSingleInputs: dedupe, link and their reports on an empty file, a file of
// one record and a file of withdrawals only, with a truth and without, trained and on
// the rules' m/u: no panic, no error but train's nothing-to-learn, no cluster.
func TestEmptyAndSingleInputs(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"empty":   "",
		"one":     `{"source":"crm","source_id":"1","given_name":"Anna","family_name":"Nowak","emails":["anna@example.org"],"attributes":{"entity_id":"e1"}}` + "\n",
		"deletes": `{"source":"crm","source_id":"1","op":"delete"}` + "\n",
	}
	for name, data := range files {
		path := filepath.Join(dir, name+".jsonl")
		if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		for _, train := range []string{TrainAuto, TrainNever} {
			for _, truth := range []string{"", "entity_id"} {
				t.Run(name+"/"+train+"/"+truth, func(t *testing.T) {
					cfg := config(t, rules.Default())
					cfg.Train, cfg.Truth = train, truth
					if truth != "" && name != "one" {
						cfg.Truth = "" // no record carries it: an error by design
					}
					for _, link := range []bool{false, true} {
						var res *Result
						var err error
						if link {
							res, err = Link(context.Background(), cfg, []string{path}, []string{path})
						} else {
							res, err = Dedupe(context.Background(), cfg, []string{path})
						}
						if err != nil {
							t.Fatalf("link=%v: %v", link, err)
						}
						var out strings.Builder
						if err := res.WriteClusters(&out); err != nil {
							t.Fatal(err)
						}
						if _, err := res.WritePairs(&out, 0.5); err != nil {
							t.Fatal(err)
						}
						if _, err := res.Sweep(SweepThresholds); err != nil {
							t.Fatal(err)
						}
						if cfg.Truth != "" {
							res.Evaluate(5)
							res.RuleStats()
						}
					}
				})
			}
		}
	}
}
