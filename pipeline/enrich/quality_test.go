package enrich

import (
	"context"
	"testing"

	"github.com/steward-crm/steward/contact"
	"github.com/steward-crm/steward/pipeline"
	"github.com/steward-crm/steward/pipeline/normalize"
	"github.com/steward-crm/steward/rules"
)

// TestQualityCompanyIdentifiers: a company earns its whole weight only when its
// identifiers and its name hold; a SIRET that fails its check, or that begins with
// another SIREN than the record's, or an invalid name beside valid identifiers, earns
// half, as a company known by its name alone. Records with a company
// and nothing else: the default weights give the company 15 points out of 100, half of
// them 8 once rounded.
func TestQualityCompanyIdentifiers(t *testing.T) {
	r := rules.Default()
	norm, err := normalize.NewCompany(r)
	if err != nil {
		t.Fatal(err)
	}
	q, err := NewQuality(r)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name    string
		company string
		want    int
	}{
		{"SIREN and its SIRET", `{"name":"Acme SAS","siren":"732829320","siret":"73282932000074"}`, 15},
		{"name alone", `{"name":"Acme SAS"}`, 8},
		{"SIRET with a bad check digit", `{"name":"Acme SAS","siren":"732829320","siret":"73282932000075"}`, 8},
		{"SIRET of another SIREN", `{"name":"Acme SAS","siren":"732829320","siret":"12345678200002"}`, 8},
		{"SIREN with a bad check digit", `{"name":"Acme SAS","siren":"732829321","siret":"73282932000074"}`, 8},
		{"bad SIRET alone", `{"siret":"73282932000075"}`, 0},
		// A company outside France is identified by its VAT number or its LEI: it earned
		// what its name earns, as if it had no identifier.
		{"German VAT", `{"name":"Beispiel GmbH","vat":"DE136695976"}`, 15},
		{"LEI", `{"name":"Example Holdings Inc","lei":"5493001KJTIIGC8Y1R12"}`, 15},
		{"VAT with a bad check digit", `{"name":"Beispiel GmbH","vat":"DE123456789"}`, 8},
		{"SIRET beside a VAT with a bad key", `{"name":"Acme SAS","siren":"732829320","siret":"73282932000074","vat":"FR45732829320"}`, 8},
		// An invalid name (no letters, a placeholder) beside valid identifiers: the
		// record names the company wrongly, half; alone it earns nothing.
		{"SIREN and its SIRET, name without letters", `{"name":"???","siren":"732829320","siret":"73282932000074"}`, 8},
		{"LEI, placeholder name", `{"name":"N/A","lei":"5493001KJTIIGC8Y1R12"}`, 8},
		{"name without letters alone", `{"name":"???"}`, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rec, err := contact.Decode([]byte(`{"source":"s","source_id":"1","kind":"company","company":` + c.company + `}`))
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range []pipeline.Stage{norm, q} {
				if err := s.Process(context.Background(), rec); err != nil {
					t.Fatal(err)
				}
			}
			if rec.Norm.Quality != c.want {
				co := rec.Norm.Company
				t.Errorf("quality = %d, want %d (siren %+v, siret %+v, vat %+v, lei %+v)", rec.Norm.Quality, c.want, co.SIREN, co.SIRET, co.VAT, co.LEI)
			}
		})
	}
}
