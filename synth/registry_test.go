package synth

import (
	"bytes"
	"encoding/csv"
	"testing"
)

func TestRegistry(t *testing.T) {
	const seed = 12
	g, err := New(Config{N: 3000, Seed: seed})
	if err != nil {
		t.Fatal(err)
	}
	rows := RegistryRows(seed, g.CompanyUniverse("FR")) + 200
	var a, b bytes.Buffer
	if err := WriteRegistry(&a, seed, rows); err != nil {
		t.Fatal(err)
	}
	if err := WriteRegistry(&b, seed, rows); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("registry is not deterministic")
	}
	table, err := csv.NewReader(&a).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(table) != rows+1 || len(table[0]) != len(RegistryHeader) {
		t.Fatalf("%d rows of %d columns, want %d of %d", len(table), len(table[0]), rows+1, len(RegistryHeader))
	}
	sirets := map[string]bool{}
	perSiren := map[string]int{}
	closed, heads := 0, 0
	for _, row := range table[1:] {
		siren, nic, siret := row[0], row[1], row[2]
		if !LuhnValid(siren) || !LuhnValid(siret) || siret != siren+nic || len(nic) != 5 {
			t.Fatalf("bad identifiers %v", row)
		}
		if sirets[siret] {
			t.Fatalf("SIRET %s twice", siret)
		}
		sirets[siret] = true
		perSiren[siren]++
		if row[9] == "F" {
			closed++
		} else if row[9] != "A" {
			t.Fatalf("état %q", row[9])
		}
		if row[10] == "true" {
			heads++
		}
		if row[3] == "" || len(row[5]) != 5 || row[6] == "" || len(row[7]) != 6 {
			t.Fatalf("incomplete row %v", row)
		}
	}
	multi := 0
	for _, n := range perSiren {
		if n > 1 {
			multi++
		}
	}
	t.Logf("%d rows, %d companies (%d with several sites), %d closed", rows, len(perSiren), multi, closed)
	if closed == 0 || multi == 0 || heads < len(perSiren)-1 {
		t.Errorf("closed %d, multi-site %d, head offices %d of %d companies", closed, multi, heads, len(perSiren))
	}
	// Every SIREN and SIRET a contact carries is in the registry.
	for {
		rec, err := g.Next()
		if err != nil {
			break
		}
		if c := rec.Company; c != nil {
			if c.SIREN != "" && perSiren[c.SIREN] == 0 {
				t.Fatalf("%s: SIREN %s not in the registry", rec.Key(), c.SIREN)
			}
			if c.SIRET != "" && !sirets[c.SIRET] {
				t.Fatalf("%s: SIRET %s not in the registry", rec.Key(), c.SIRET)
			}
		}
	}
}
