package synth

import (
	"strings"
	"testing"
)

func TestLuhn(t *testing.T) {
	for _, s := range []string{"79927398713", "404833048", "732829320", "73282932000074"} {
		if !LuhnValid(s) {
			t.Errorf("LuhnValid(%s) = false", s)
		}
	}
	for _, s := range []string{"", "79927398710", "40483304", "4048330a8"} {
		if LuhnValid(s) && s != "40483304" {
			t.Errorf("LuhnValid(%q) = true", s)
		}
	}
	for _, p := range []string{"7992739871", "40483304", "1234567"} {
		if s := p + string(luhnCheckDigit(p)); !LuhnValid(s) {
			t.Errorf("check digit of %s gives invalid %s", p, s)
		}
	}
	if got := vatFR("404833048"); got != "FR83404833048" {
		t.Errorf("vatFR = %s, want FR83404833048", got)
	}
}

func TestCompanyIdentifiers(t *testing.T) {
	sirens, sirets := map[string]bool{}, map[string]bool{}
	for i := range 5000 {
		c := CompanyAt(8, "FR", i)
		if len(c.SIREN) != 9 || !LuhnValid(c.SIREN) || sirens[c.SIREN] {
			t.Fatalf("company %d: bad or repeated SIREN %q", i, c.SIREN)
		}
		sirens[c.SIREN] = true
		if !VATValid(c.VAT) || c.VAT[4:] != c.SIREN {
			t.Fatalf("company %d: bad VAT %q", i, c.VAT)
		}
		heads := 0
		for _, e := range c.Establishments {
			if len(e.SIRET) != 14 || !LuhnValid(e.SIRET) || !strings.HasPrefix(e.SIRET, c.SIREN) ||
				e.SIRET != c.SIREN+e.NIC || sirets[e.SIRET] {
				t.Fatalf("company %d: bad or repeated SIRET %q", i, e.SIRET)
			}
			sirets[e.SIRET] = true
			if e.HeadOffice {
				heads++
			}
		}
		if heads != 1 || !c.Establishments[0].HeadOffice {
			t.Fatalf("company %d: %d head offices", i, heads)
		}
		if c.LEI != "" && !LEIValid(c.LEI) {
			t.Fatalf("company %d: bad LEI %q", i, c.LEI)
		}
	}
	for _, cc := range []string{"GB", "DE"} {
		for i := range 500 {
			c := CompanyAt(8, cc, i)
			if !VATValid(c.VAT) {
				t.Fatalf("%s company %d: bad VAT %q", cc, i, c.VAT)
			}
			if c.SIREN != "" {
				t.Fatalf("%s company with a SIREN", cc)
			}
		}
	}
	a, b := GenerateCompanies(3, "FR", 50), GenerateCompanies(3, "FR", 50)
	for i := range a {
		if a[i].SIREN != b[i].SIREN || a[i].Name != b[i].Name || a[i].Switchboard != b[i].Switchboard {
			t.Fatalf("company %d differs between calls", i)
		}
	}
}

func TestRecordIdentifiersValid(t *testing.T) {
	recs, _ := all(t, Config{N: 20000, Seed: 6, CompanyRate: 0.8})
	n := 0
	for _, r := range recs {
		c := r.Company
		if c == nil {
			continue
		}
		if c.SIREN != "" && (!LuhnValid(c.SIREN) || len(c.SIREN) != 9) {
			t.Fatalf("%s: SIREN %q", r.Key(), c.SIREN)
		}
		if c.SIRET != "" && (!LuhnValid(c.SIRET) || len(c.SIRET) != 14) {
			t.Fatalf("%s: SIRET %q", r.Key(), c.SIRET)
		}
		if c.SIRET != "" && c.SIREN != "" && c.SIRET[:9] != c.SIREN {
			t.Fatalf("%s: SIRET %s not of SIREN %s", r.Key(), c.SIRET, c.SIREN)
		}
		if c.VAT != "" && !VATValid(c.VAT) {
			t.Fatalf("%s: VAT %q", r.Key(), c.VAT)
		}
		if c.SIREN != "" {
			n++
		}
	}
	if n < 500 {
		t.Errorf("only %d records carry a SIREN", n)
	}
}
