package storetest

import (
	"context"
	"testing"

	"github.com/steward-crm/steward/warehouse"
)

// CompaniesAtSchema12 fills the registry of a warehouse at schema 12 (before migration
// 13): a SIRENE establishment keyed by its SIRET, and a mapped row keyed by its own key,
// whose SIRET that schema did not keep.
const CompaniesAtSchema12 = `INSERT INTO companies (siret, siren, name, name_key, name_token) VALUES
	('73282932000074', '732829320', 'ACME', 'acme', 'acme'), ('C042', '552100554', 'OTHER', 'other', 'other')`

// CheckCompaniesUpgraded checks reg, filled with CompaniesAtSchema12 and then migrated:
// the establishment is found by its SIRET as before, the mapped row by its key; written
// again with its SIRET (its file imported again), the mapped row is found by that SIRET,
// under the same key, and nothing is duplicated.
func CheckCompaniesUpgraded(t *testing.T, reg warehouse.Registry) {
	t.Helper()
	ctx := context.Background()
	if c, ok, err := reg.CompanyBySIRET(ctx, "73282932000074"); err != nil || !ok || c.Key != "73282932000074" || c.SIRET != "73282932000074" {
		t.Errorf("the SIRENE row after the upgrade: %+v %v %v", c, ok, err)
	}
	if c, ok, err := reg.CompanyByKey(ctx, "C042"); err != nil || !ok || c.Name != "OTHER" || c.SIRET != "" {
		t.Errorf("the mapped row after the upgrade: %+v %v %v", c, ok, err)
	}
	mapped := warehouse.Company{Key: "C042", SIRET: "55210055400013", SIREN: "552100554", Name: "OTHER", NameKey: "other"}
	if err := reg.UpsertCompanies(ctx, []warehouse.Company{mapped}, warehouse.ImportCheckpoint{File: "erp.csv", Format: "csv"}); err != nil {
		t.Fatal(err)
	}
	if c, ok, err := reg.CompanyBySIRET(ctx, "55210055400013"); err != nil || !ok || c.Key != "C042" || c.SIRET != "55210055400013" {
		t.Errorf("the mapped row imported again: by siret %+v %v %v, want C042", c, ok, err)
	}
	if n, err := reg.CountCompanies(ctx); err != nil || n != 2 {
		t.Errorf("%d companies (%v), want 2", n, err)
	}
}
