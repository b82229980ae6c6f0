package registry_test

import (
	"context"
	"testing"
	"time"

	"github.com/steward-crm/steward/registry"
	"github.com/steward-crm/steward/warehouse"
)

// TestDirectoryCachesRegistryReads reads companies through the directory, changes the
// registry underneath, and sees the cached answers until CacheTTL has passed, then the
// new ones. Misses are cached too.
func TestDirectoryCachesRegistryReads(t *testing.T) {
	ctx := context.Background()
	st := openSQLite(t)
	put := func(name string) {
		t.Helper()
		c := warehouse.Company{Key: "12345678900011", SIRET: "12345678900011", SIREN: "123456789", Name: name, NameKey: "altea", Postcode: "69001", Country: "FR"}
		if err := st.UpsertCompanies(ctx, []warehouse.Company{c}, warehouse.ImportCheckpoint{File: "t.csv", Format: "csv"}); err != nil {
			t.Fatal(err)
		}
	}
	put("Altea")
	defer func(ttl time.Duration) { registry.CacheTTL = ttl }(registry.CacheTTL)
	registry.CacheTTL = 300 * time.Millisecond
	dir := registry.Directory(st)
	check := func(wantName string, wantMissing bool) {
		t.Helper()
		e, ok, err := dir.BySIRET(ctx, "12345678900011")
		if err != nil || !ok || e.Name != wantName {
			t.Errorf("BySIRET: %+v %v %v, want %s", e, ok, err, wantName)
		}
		es, err := dir.BySIREN(ctx, "123456789")
		if err != nil || len(es) != 1 || es[0].Name != wantName {
			t.Errorf("BySIREN: %+v %v, want %s", es, err, wantName)
		}
		es, err = dir.Candidates(ctx, "altea", "69001", 10)
		if err != nil || len(es) == 0 || es[0].Name != wantName {
			t.Errorf("Candidates: %+v %v, want %s", es, err, wantName)
		}
		_, ok, err = dir.BySIRET(ctx, "99999999900019")
		if err != nil || ok == wantMissing {
			t.Errorf("unknown SIRET: found %v, err %v", ok, err)
		}
	}
	check("Altea", true)
	put("Altea Énergie")
	if err := st.UpsertCompanies(ctx, []warehouse.Company{{Key: "99999999900019", SIRET: "99999999900019", SIREN: "999999999", Name: "Late", NameKey: "late"}}, warehouse.ImportCheckpoint{File: "t.csv", Format: "csv"}); err != nil {
		t.Fatal(err)
	}
	check("Altea", true) // cached, the miss included
	time.Sleep(400 * time.Millisecond)
	check("Altea Énergie", false)
}
