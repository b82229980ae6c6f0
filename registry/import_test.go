package registry_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/steward-crm/steward/internal/pgtest"
	"github.com/steward-crm/steward/registry"
	"github.com/steward-crm/steward/rules"
	"github.com/steward-crm/steward/synth"
	"github.com/steward-crm/steward/warehouse/postgres"
	"github.com/steward-crm/steward/warehouse/sqlite"
	"github.com/steward-crm/steward/warehouse/sqlstore"
)

func TestMain(m *testing.M) { pgtest.RunMain(m) }

func openSQLite(t *testing.T) *sqlstore.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "w.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func openPostgres(t *testing.T) *sqlstore.Store {
	t.Helper()
	st, err := postgres.Open(context.Background(), pgtest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// stores are the warehouses the registry tests run on.
var stores = []struct {
	name string
	open func(*testing.T) *sqlstore.Store
}{{"sqlite", openSQLite}, {"postgres", openPostgres}}

func importer(st *sqlstore.Store) *registry.Importer {
	return &registry.Importer{Registry: st, Options: registry.Options{LegalForms: rules.Default().Tables.LegalForms}}
}

func TestImportFormats(t *testing.T) {
	m, err := registry.ParseMap("name=Entity.LegalName,lei=LEI,country=Entity.LegalAddress.Country,postcode=Entity.LegalAddress.PostalCode")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, path, format string
		mapping            map[string]string
		rows, invalid      int64
	}{
		{"sirene", sirenePath, "sirene", nil, 300, 2},
		{"gleif", gleifPath, "gleif", nil, 50, 0},
		{"mapped csv", gleifPath, "csv", m, 50, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := openSQLite(t)
			im := importer(st)
			im.Options.Map = tc.mapping
			sum, err := im.Import(context.Background(), tc.path, tc.format)
			if err != nil {
				t.Fatal(err)
			}
			if sum.Rows != tc.rows || sum.Invalid != tc.invalid || len(sum.Errors) != int(tc.invalid) {
				t.Fatalf("rows %d invalid %d errors %v, want %d and %d", sum.Rows, sum.Invalid, sum.Errors, tc.rows, tc.invalid)
			}
			n, err := st.CountCompanies(context.Background())
			if err != nil || n != tc.rows {
				t.Fatalf("count %d %v, want %d", n, err, tc.rows)
			}
			again, err := im.Import(context.Background(), tc.path, tc.format)
			if err != nil || !again.AlreadyDone || again.Rows != tc.rows {
				t.Fatalf("second import: %+v %v, want already done", again, err)
			}
		})
	}
}

func TestImportLookups(t *testing.T) {
	for _, s := range stores {
		t.Run(s.name, func(t *testing.T) { testImportLookups(t, s.open(t)) })
	}
}

func testImportLookups(t *testing.T, st *sqlstore.Store) {
	ctx := context.Background()
	if _, err := importer(st).Import(ctx, sirenePath, "sirene"); err != nil {
		t.Fatal(err)
	}
	c := synth.CompanyAt(sampleSeed, "FR", 0)
	e, ok, err := st.CompanyBySIRET(ctx, c.Establishments[0].SIRET)
	if err != nil || !ok || e.SIREN != c.SIREN || !e.HeadOffice || e.NameKey == "" || e.VAT != c.VAT {
		t.Fatalf("by siret: %+v %v %v", e, ok, err)
	}
	es, err := st.CompaniesBySIREN(ctx, c.SIREN)
	if err != nil || len(es) != len(c.Establishments) || !es[0].HeadOffice {
		t.Fatalf("by siren: %d entries %v, want %d head office first", len(es), err, len(c.Establishments))
	}
	cands, err := st.CompanyCandidates(ctx, e.NameKey, "", 10)
	if err != nil || len(cands) == 0 || cands[0].NameKey != e.NameKey {
		t.Fatalf("candidates: %+v %v", cands, err)
	}
	if err := st.LearnDomain(ctx, c.Domain, c.SIREN); err != nil {
		t.Fatal(err)
	}
	st.LearnDomain(ctx, c.Domain, c.SIREN)
	if owners, err := st.DomainOwners(ctx, c.Domain); err != nil || owners[c.SIREN] != 2 {
		t.Fatalf("domain owners: %v %v", owners, err)
	}
}

// TestImportResume interrupts an import after its first batches and runs it again: the
// second run resumes after the last committed batch and the registry ends with every
// row exactly once.
func TestImportResume(t *testing.T) {
	for _, s := range stores {
		t.Run(s.name, func(t *testing.T) { testImportResume(t, s.open(t)) })
	}
}

func testImportResume(t *testing.T, st *sqlstore.Store) {
	const rows = 12000
	path := filepath.Join(t.TempDir(), "sirene.csv")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := synth.WriteRegistry(f, 3, rows); err != nil {
		t.Fatal(err)
	}
	f.Close()
	im := importer(st)
	im.BatchSize = 1000
	ctx, cancel := context.WithCancel(context.Background())
	batches := 0
	im.Progress = func(registry.Progress) {
		if batches++; batches == 5 {
			cancel()
		}
	}
	first, err := im.Import(ctx, path, "sirene")
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted import: %v", err)
	}
	if first.Rows != 5000 {
		t.Fatalf("committed %d rows before the interruption, want 5000", first.Rows)
	}
	im.Progress = nil
	second, err := im.Import(context.Background(), path, "sirene")
	if err != nil {
		t.Fatal(err)
	}
	if second.Resumed != 5001 || second.Rows != rows {
		t.Fatalf("resumed after line %d with %d rows, want 5001 and %d", second.Resumed, second.Rows, rows)
	}
	n, err := st.CountCompanies(context.Background())
	if err != nil || n != rows {
		t.Fatalf("registry holds %d companies (%v), want %d", n, err, rows)
	}
}
