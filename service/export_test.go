package service

import (
	"bytes"
	"context"
	"encoding/csv"
	"slices"
	"testing"
)

// exportColumnsBefore are the CSV columns as they were before kind, lei, address_lines
// and region were added: scripts read the export by position.
var exportColumnsBefore = []string{"master_id", "version", "quality", "civility", "given_name", "family_name",
	"email", "phone", "emails", "phones", "street_number", "street", "postcode", "city", "country",
	"birth_date", "company_name", "siren", "siret", "vat", "job_title", "sources"}

// TestExportCSVGoldenColumns: the CSV export had no column for the golden record's kind
// (person or company), its company's LEI, its address lines beyond the street (building,
// flat) or its region (US state). They come after the earlier columns, which keep their
// places. The people and companies are synthetic; the LEI is GLEIF's documentation example.
func TestExportCSVGoldenColumns(t *testing.T) {
	s := open(t)
	in := writeFile(t, "in.jsonl", `{"source":"crm","source_id":"C1","updated_at":"2026-01-01T00:00:00Z","kind":"company","company":{"name":"Northwind Holdings","lei":"5493001KJTIIGC8Y1R12"},"emails":["contact@northwind.example"],"address":{"lines":["200 N Main St","Suite 400"],"postcode":"62701","city":"Springfield","region":"IL","country":"US"}}
{"source":"crm","source_id":"P1","updated_at":"2026-01-01T00:00:00Z","given_name":"Élodie","family_name":"Martin","emails":["elodie.martin@example.org"],"address":{"lines":["12 rue de la Paix","Bâtiment B"],"postcode":"75002","city":"Paris","country":"FR"}}
`)
	ingest(t, s, in)
	var b bytes.Buffer
	n, err := s.Export(context.Background(), &b, "csv")
	if err != nil || n != 2 {
		t.Fatalf("export: %d, %v\n%s", n, err, b.String())
	}
	rows, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	header := rows[0]
	if len(header) < len(exportColumnsBefore) || !slices.Equal(header[:len(exportColumnsBefore)], exportColumnsBefore) {
		t.Fatalf("header %v: the first %d columns moved", header, len(exportColumnsBefore))
	}
	if added := header[len(exportColumnsBefore):]; !slices.Equal(added, []string{"kind", "lei", "address_lines", "region"}) {
		t.Errorf("columns after sources: %v", added)
	}
	byKey := map[string]map[string]string{}
	for _, r := range rows[1:] {
		if len(r) != len(header) {
			t.Fatalf("row %v: %d cells for %d columns", r, len(r), len(header))
		}
		cells := map[string]string{}
		for i, c := range r {
			cells[header[i]] = c
		}
		byKey[cells["sources"]] = cells
	}
	for _, tc := range []struct {
		name, source string
		want         map[string]string
	}{
		{"company", "crm:C1", map[string]string{"kind": "company", "lei": "5493001KJTIIGC8Y1R12", "company_name": "Northwind Holdings",
			"address_lines": "200 N MAIN STREET; SUITE 400", "city": "SPRINGFIELD", "region": "IL"}},
		{"person", "crm:P1", map[string]string{"kind": "person", "lei": "", "given_name": "Élodie",
			"address_lines": "12 RUE DE LA PAIX; BÂTIMENT B", "region": ""}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := byKey[tc.source]
			if !ok {
				t.Fatalf("no row for %s: %v", tc.source, rows)
			}
			for col, want := range tc.want {
				if got[col] != want {
					t.Errorf("%s = %q, want %q", col, got[col], want)
				}
			}
		})
	}
}
