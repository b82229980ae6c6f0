package service

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/steward-crm/steward/contact"
	"github.com/steward-crm/steward/registry"
	"github.com/steward-crm/steward/warehouse"
)

// TestCompanySuggestionsBecomeReviewItems: with the sample SIRENE registry loaded, the
// testdata contacts whose company matched with too little confidence are not attached
// (no identifier written as fact) and each becomes one open review item of kind company
// naming the suggested registry entry. A newer version of such a record without the
// company supersedes its item; re-ingesting the same data queues nothing new.
func TestCompanySuggestionsBecomeReviewItems(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	reg := s.Store.(warehouse.Registry)
	im := &registry.Importer{Registry: reg, Options: registry.Options{LegalForms: s.Rules.Tables.LegalForms}}
	if _, err := im.Import(ctx, "../testdata/registry/sirene_sample.csv", "sirene"); err != nil {
		t.Fatal(err)
	}
	ingest(t, s, "../testdata/contacts.jsonl")
	items, err := s.Store.ReviewItems(ctx, warehouse.ReviewOpen, warehouse.ReviewCompany, 10000)
	if err != nil {
		t.Fatal(err)
	}
	company := items
	if len(company) == 0 {
		t.Fatal("no company review items")
	}
	for _, it := range company {
		if it.Kind != warehouse.ReviewCompany {
			t.Fatalf("kind filter returned %+v", it)
		}
	}
	source := func(key string) *warehouse.SourceRow {
		t.Helper()
		var row *warehouse.SourceRow
		src, id, _ := strings.Cut(key, ":")
		err := s.Store.InTx(ctx, func(tx warehouse.Tx) error {
			var err error
			row, err = tx.SourceRecord(ctx, src, id)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return row
	}
	for _, it := range company {
		row := source(it.SourceKey)
		c := row.Record.Norm.Company
		if c.Suggested == nil || c.Suggested.RegistryKey != it.CompanyKey || c.AttachedBy != "" {
			t.Errorf("%s: item for %s but record has suggestion %+v, attached by %q", it.SourceKey, it.CompanyKey, c.Suggested, c.AttachedBy)
		}
		if _, ok, err := reg.CompanyByKey(ctx, it.CompanyKey); err != nil || !ok {
			t.Errorf("%s: suggested %s is not in the registry (%v)", it.SourceKey, it.CompanyKey, err)
		}
		var sug contact.CompanySuggestion
		if err := json.Unmarshal(it.Explanation, &sug); err != nil || sug.Explanation == "" || it.Score != sug.Confidence || it.MasterID != row.MasterID {
			t.Errorf("%s: explanation %s score %v master %d (record's master %d): %v", it.SourceKey, it.Explanation, it.Score, it.MasterID, row.MasterID, err)
		}
	}
	if again := ingest(t, s, "../testdata/contacts.jsonl"); again.ReviewItems != 0 {
		t.Errorf("re-ingest queued %d review items", again.ReviewItems)
	}

	// A newer version of the first record without company (nor e-mail domain): its item is
	// superseded.
	first := source(company[0].SourceKey)
	r := *first.Record
	r.Norm, r.Company, r.Emails = nil, nil, nil // no company, no e-mail domain
	r.UpdatedAt = r.UpdatedAt.AddDate(0, 0, 1)
	b, err := json.Marshal(&r)
	if err != nil {
		t.Fatal(err)
	}
	ingest(t, s, writeFile(t, "newer.jsonl", string(b)+"\n"))
	closed, err := s.Store.ReviewItems(ctx, warehouse.ReviewSuperseded, "", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(closed) != 1 || closed[0].ID != company[0].ID {
		t.Errorf("superseded items %+v, want item %d", closed, company[0].ID)
	}
}
