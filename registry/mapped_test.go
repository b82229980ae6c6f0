package registry_test

import (
	"context"
	"testing"

	"github.com/steward-crm/steward/contact"
	"github.com/steward-crm/steward/pipeline/company"
	"github.com/steward-crm/steward/registry"
	"github.com/steward-crm/steward/warehouse"
	"github.com/steward-crm/steward/warehouse/sqlstore"
)

// TestImportMappedKeyKeepsSIRET: a mapped CSV keyed by a column of its own (a company
// master from an ERP, by customer number) keeps its keys and its SIRETs: a row is found
// by its SIRET (through the registry and the directory, and a record carrying that SIRET
// attaches to it), read back with its SIRET and SIREN; a row without a SIRET is found by
// its key; importing the file again duplicates nothing. The SIRET was kept only as a
// key, so such rows had none.
func TestImportMappedKeyKeepsSIRET(t *testing.T) {
	for _, s := range stores {
		t.Run(s.name, func(t *testing.T) { testImportMappedKeyKeepsSIRET(t, s.open(t)) })
	}
}

func testImportMappedKeyKeepsSIRET(t *testing.T, st *sqlstore.Store) {
	ctx := context.Background()
	other := validSIRET(7)
	p := writeRegistryFile(t, "Code client,Raison sociale,N° SIRET,CP\n"+
		"C042,ACME CONSEIL,73282932000074,75009\n"+
		"C043,ZENITH NEGOCE,"+other+",69003\n"+
		"C044,SANS SIRET,,13001\n")
	m, err := registry.ParseMap("key=Code client,name=Raison sociale,siret=N° SIRET,postcode=CP")
	if err != nil {
		t.Fatal(err)
	}
	im := importer(st)
	im.Options.Map = m
	check := func(when string) {
		t.Helper()
		c, ok, err := st.CompanyBySIRET(ctx, "73282932000074")
		if err != nil || !ok || c.Key != "C042" || c.SIRET != "73282932000074" || c.SIREN != "732829320" {
			t.Errorf("%s: by siret: %+v %v %v, want key C042 with its SIRET and SIREN", when, c, ok, err)
		}
		es, err := st.CompaniesBySIREN(ctx, other[:9])
		if err != nil || len(es) != 1 || es[0].Key != "C043" || es[0].SIRET != other {
			t.Errorf("%s: by siren: %+v %v, want C043 with SIRET %s", when, es, err, other)
		}
		dir := registry.Directory(st)
		if e, ok, err := dir.BySIRET(ctx, other); err != nil || !ok || e.Key != "C043" || e.SIRET != other {
			t.Errorf("%s: directory by siret: %+v %v %v, want C043", when, e, ok, err)
		}
		if e, ok, err := dir.ByKey(ctx, "C042"); err != nil || !ok || e.SIRET != "73282932000074" {
			t.Errorf("%s: directory by key: %+v %v %v, want C042 with its SIRET", when, e, ok, err)
		}
		if e, ok, err := dir.ByKey(ctx, "C044"); err != nil || !ok || e.Name != "SANS SIRET" || e.SIRET != "" {
			t.Errorf("%s: a row without SIRET by key: %+v %v %v", when, e, ok, err)
		}
		a := &company.Attacher{Dir: dir, AttachConfidence: 0.9, SuggestConfidence: 0.6, MaxCandidates: 50}
		n := contact.Normalized{Company: contact.NormCompany{SIRET: company.SIRET("73282932000074")}}
		if err := a.Attach(ctx, &n); err != nil {
			t.Fatal(err)
		}
		if c := n.Company; c.AttachedBy != "siret" || c.RegistryKey != "C042" || c.SIREN.Value != "732829320" {
			t.Errorf("%s: a record with the SIRET: attached by %q to %q (siren %q), want by siret to C042", when, c.AttachedBy, c.RegistryKey, c.SIREN.Value)
		}
		if n, err := st.CountCompanies(ctx); err != nil || n != 3 {
			t.Errorf("%s: %d companies (%v), want 3", when, n, err)
		}
	}
	if sum, err := im.Import(ctx, p, "csv"); err != nil || sum.Rows != 3 || sum.Invalid != 0 {
		t.Fatalf("import: %+v %v", sum, err)
	}
	check("imported")
	im.Force = true
	if sum, err := im.Import(ctx, p, "csv"); err != nil || sum.Rows != 3 {
		t.Fatalf("import again: %+v %v", sum, err)
	}
	check("imported again")
	// A SIRENE establishment of the same SIRET is what a SIRET names, as before; the
	// mapped row keeps its key and SIRET.
	if err := st.UpsertCompanies(ctx, []warehouse.Company{{Key: "73282932000074", SIRET: "73282932000074", SIREN: "732829320",
		Name: "ACME CONSEIL SAS", NameKey: "acme conseil"}}, warehouse.ImportCheckpoint{File: "sirene", Format: "sirene"}); err != nil {
		t.Fatal(err)
	}
	if c, ok, err := st.CompanyBySIRET(ctx, "73282932000074"); err != nil || !ok || c.Key != "73282932000074" {
		t.Errorf("with a SIRENE row: by siret %+v %v %v, want the SIRENE row", c, ok, err)
	}
	if es, err := st.CompaniesBySIREN(ctx, "732829320"); err != nil || len(es) != 2 || es[0].SIRET != es[1].SIRET {
		t.Errorf("with a SIRENE row: by siren %+v %v, want both rows with the SIRET", es, err)
	}
}
