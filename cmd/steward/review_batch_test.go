package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/steward-crm/steward/contact"
	"github.com/steward-crm/steward/input"
	"github.com/steward-crm/steward/recleanse"
	"github.com/steward-crm/steward/warehouse"
)

// TestBatchBadValuesAreUsageErrors: like -top and -memory-limit (TestCLIDefaultsAndBadValues),
// an unknown -train or an out-of-range -threshold of dedupe/link is a usage error (exit 2)
// naming the flag, before any work; NaN is out of range.
func TestBatchBadValuesAreUsageErrors(t *testing.T) {
	file := "../../testdata/contacts.jsonl"
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"dedupe", "-train", "sometimes", file}, "-train"},
		{[]string{"dedupe", "-threshold", "1.5", file}, "-threshold"},
		{[]string{"dedupe", "-threshold", "-0.2", file}, "-threshold"},
		{[]string{"dedupe", "-threshold", "NaN", file}, "-threshold"},
		{[]string{"link", "-threshold", "NaN", file, file}, "-threshold"},
	} {
		if code, _, errs := steward(t, "", c.args...); code != 2 || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d, stderr %q (want 2 naming %s)", c.args, code, errs, c.want)
		}
	}
}

// TestTrainWarehouseUsesWarehouseChains: README: `train -warehouse` trains on the
// live source records "each normalized again with the current rules": what a streaming
// deployment trains on. Streaming's Identify chain (service.Open) attaches companies from
// the warehouse's registry; train -warehouse normalizes with service.Build's chains,
// whose company.attach has no registry, so the features it trains on are not the ones
// streaming scores. The model must be the one the warehouse's own chains give.
func TestTrainWarehouseUsesWarehouseChains(t *testing.T) {
	db := filepath.Join(t.TempDir(), "w.db")
	if code, _, errs := steward(t, "", "registry", "import", "-db", db, "-q", "-format", "sirene", "../../testdata/registry/sirene_sample.csv"); code != 0 {
		t.Fatalf("registry import: %s", errs)
	}
	// testdata/contacts.jsonl plus 16 synthetic people, two records each, working at a
	// registry company named without its SIREN: streaming attaches it (company_siren).
	data, _ := os.ReadFile("../../testdata/contacts.jsonl")
	var in strings.Builder
	in.Write(data)
	given := []string{"Alice", "Bruno", "Chloé", "Damien", "Emma", "Félix", "Gaëlle", "Hugo", "Inès", "Jules", "Katia", "Louis", "Manon", "Noah", "Océane", "Paul"}
	family := []string{"Martin", "Bernard", "Thomas", "Petit", "Robert", "Richard", "Durand", "Dubois", "Moreau", "Laurent", "Simon", "Michel", "Lefebvre", "Leroy", "Roux", "David"}
	for i := range given {
		for k := range 2 {
			fmt.Fprintf(&in, `{"source":"s%d","source_id":"M-%d","given_name":%q,"family_name":%q,"phones":["04 67 %02d 20 %02d"],"address":{"lines":["%d rue de la Loge"],"postcode":"34090","city":"Montpellier","country":"FR"},"company":{"name":"Morel Transports"}}`+"\n",
				k, i, given[i], family[i], 10+i, 30+i, i+1)
		}
	}
	file := filepath.Join(t.TempDir(), "c.jsonl")
	os.WriteFile(file, []byte(in.String()), 0o644)
	if code, _, errs := steward(t, "", "ingest", "-db", db, "-q", file); code != 0 {
		t.Fatalf("ingest: %s", errs)
	}
	ctx := context.Background()
	var errb bytes.Buffer
	e := &env{stdout: &errb, stderr: &errb, getenv: func(string) string { return "" }}
	b := batchFlags{cf: configFlags{database: db}}
	cfg, err := b.config(e)
	if err != nil {
		t.Fatal(err)
	}
	got, err := trainOnWarehouse(ctx, e, &b.cf, cfg)
	if err != nil {
		t.Fatal(err)
	}
	svc, err := openExisting(ctx, e, &b.cf)
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	cfg.Normalize = func(ctx context.Context, r *contact.Record) error {
		if err := svc.NormalizeChain.Process(ctx, r); err != nil {
			return err
		}
		return svc.IdentifyChain.Process(ctx, r)
	}
	src := func(ctx context.Context, emit func(input.Item) error) error {
		return svc.Store.EachSourceRecord(ctx, func(k warehouse.SourceKey, rec json.RawMessage) error {
			return emit(input.Item{Payload: rec, Key: k.Key(), Position: "warehouse " + k.Key()})
		})
	}
	want, _, err := recleanse.TrainFrom(ctx, cfg, src)
	if err != nil {
		t.Fatal(err)
	}
	got.TrainedAt, want.TrainedAt = time.Time{}, time.Time{}
	g, _ := got.Encode()
	w, _ := want.Encode()
	if !bytes.Equal(g, w) {
		gl, wl := strings.Split(string(g), "\n"), strings.Split(string(w), "\n")
		var diff []string
		for i := range min(len(gl), len(wl)) {
			if gl[i] != wl[i] && len(diff) < 6 {
				diff = append(diff, fmt.Sprintf("line %d: %q, want %q", i+1, gl[i], wl[i]))
			}
		}
		t.Errorf("train -warehouse model differs from the one the warehouse's own Normalize/Identify chains give (registry attachments ignored):\n%s", strings.Join(diff, "\n"))
	}
}
