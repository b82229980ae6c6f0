package normalize

import (
	"testing"

	"github.com/steward-crm/steward/contact"
)

func TestCompanyNameKey(t *testing.T) {
	n := newTest(t)
	cases := []struct{ name, country, key string }{
		{"Acme SAS", "FR", "acme"},
		{"ACME S.A.S.", "FR", "acme"},
		{"SARL Dupont et Fils", "FR", "dupont et fils"},
		{"Société Anonyme des Eaux", "FR", "des eaux"},
		{"Boulangerie Martin EURL", "FR", "boulangerie martin"},
		{"Acme Inc.", "US", "acme"},
		{"Acme Corporation", "US", "acme"},
		{"Acme, LLC", "US", "acme"},
		{"Acme Ltd", "GB", "acme"},
		{"Acme Limited", "GB", "acme"},
		{"Acme PLC", "GB", "acme"},
		{"Müller GmbH", "DE", "muller"},
		{"Müller GmbH & Co. KG", "DE", "muller"},
		{"Schmidt AG", "DE", "schmidt"},
		{"Acme SAS", "", "acme"},
		{"Acme GmbH", "", "acme"},
		{"SAS", "FR", "sas"},
		{"Acme Holding", "FR", "acme holding"},
		{"Brouwerij Janssens BVBA", "BE", "brouwerij janssens"},
		{"Rossi S.p.A.", "IT", "rossi"},
		{"Acme Co., Inc.", "US", "acme"},
		{"Acme SA", "CH", "acme"},
	}
	for _, c := range cases {
		t.Run(c.name+"/"+c.country, func(t *testing.T) {
			got := n.Company(contact.Company{Name: c.name}, c.country, nil)
			if got.NameKey != c.key {
				t.Errorf("NameKey(%q, %q) = %q, want %q", c.name, c.country, got.NameKey, c.key)
			}
			if got.Name.Value != c.name || got.Name.Status != valid {
				t.Errorf("Name = %+v, want %q valid", got.Name, c.name)
			}
		})
	}
}

func TestCompanyIdentifiers(t *testing.T) {
	n := newTest(t)
	type id struct {
		value  string
		status contact.Status
		issue  string
	}
	cases := []struct {
		name                   string
		in                     contact.Company
		siren, siret, vat, lei id
	}{
		{"valid SIREN", contact.Company{SIREN: "732829320"}, id{"732829320", valid, ""}, id{"", missing, ""}, id{"", missing, ""}, id{"", missing, ""}},
		{"SIREN with spaces", contact.Company{SIREN: "732 829 320"}, id{"732829320", corrected, ""}, id{"", missing, ""}, id{"", missing, ""}, id{"", missing, ""}},
		{"SIREN with dots", contact.Company{SIREN: "732.829.320"}, id{"732829320", corrected, ""}, id{"", missing, ""}, id{"", missing, ""}, id{"", missing, ""}},
		{"SIREN bad check digit", contact.Company{SIREN: "732829321"}, id{"732829321", invalidSt, "siren.bad_checksum"}, id{"", missing, ""}, id{"", missing, ""}, id{"", missing, ""}},
		{"SIREN too short", contact.Company{SIREN: "73282932"}, id{"73282932", invalidSt, "siren.bad_length"}, id{"", missing, ""}, id{"", missing, ""}, id{"", missing, ""}},
		{"SIREN letters", contact.Company{SIREN: "73282932A"}, id{"73282932A", invalidSt, "siren.bad_format"}, id{"", missing, ""}, id{"", missing, ""}, id{"", missing, ""}},
		{"SIRET gives SIREN", contact.Company{SIRET: "732 829 320 00074"}, id{"732829320", corrected, "siren.from_siret"}, id{"73282932000074", corrected, ""}, id{"", missing, ""}, id{"", missing, ""}},
		{"SIRET and SIREN agree", contact.Company{SIREN: "732829320", SIRET: "73282932000074"}, id{"732829320", valid, ""}, id{"73282932000074", valid, ""}, id{"", missing, ""}, id{"", missing, ""}},
		{"SIRET and SIREN disagree", contact.Company{SIREN: "542107651", SIRET: "73282932000074"}, id{"542107651", valid, ""}, id{"73282932000074", valid, "siret.siren_mismatch"}, id{"", missing, ""}, id{"", missing, ""}},
		{"SIRET bad check digit", contact.Company{SIRET: "73282932000075"}, id{"", missing, ""}, id{"73282932000075", invalidSt, "siret.bad_checksum"}, id{"", missing, ""}, id{"", missing, ""}},
		{"SIRET too long", contact.Company{SIRET: "732829320000745"}, id{"", missing, ""}, id{"732829320000745", invalidSt, "siret.bad_length"}, id{"", missing, ""}, id{"", missing, ""}},
		{"La Poste SIRET", contact.Company{SIRET: "35600000049837"}, id{"356000000", corrected, "siren.from_siret"}, id{"35600000049837", valid, ""}, id{"", missing, ""}, id{"", missing, ""}},
		{"FR VAT", contact.Company{VAT: "FR44732829320"}, id{"", missing, ""}, id{"", missing, ""}, id{"FR44732829320", valid, ""}, id{"", missing, ""}},
		{"FR VAT spaced, lower case", contact.Company{VAT: "fr 44 732 829 320"}, id{"", missing, ""}, id{"", missing, ""}, id{"FR44732829320", corrected, ""}, id{"", missing, ""}},
		{"FR VAT bad key", contact.Company{VAT: "FR45732829320"}, id{"", missing, ""}, id{"", missing, ""}, id{"FR45732829320", invalidSt, "vat.bad_key"}, id{"", missing, ""}},
		{"FR VAT too short", contact.Company{VAT: "FR4473282932"}, id{"", missing, ""}, id{"", missing, ""}, id{"FR4473282932", invalidSt, "vat.bad_format"}, id{"", missing, ""}},
		{"DE VAT", contact.Company{VAT: "DE 136 695 976"}, id{"", missing, ""}, id{"", missing, ""}, id{"DE136695976", corrected, ""}, id{"", missing, ""}},
		{"DE VAT bad check digit", contact.Company{VAT: "DE 123456789"}, id{"", missing, ""}, id{"", missing, ""}, id{"DE 123456789", invalidSt, "vat.bad_checksum"}, id{"", missing, ""}},
		{"VAT without a prefix takes the country", contact.Company{VAT: "44732829320"}, id{"", missing, ""}, id{"", missing, ""}, id{"FR44732829320", corrected, "vat.country_added"}, id{"", missing, ""}},
		{"LEI", contact.Company{LEI: "5493001KJTIIGC8Y1R12"}, id{"", missing, ""}, id{"", missing, ""}, id{"", missing, ""}, id{"5493001KJTIIGC8Y1R12", valid, ""}},
		{"LEI lower case, spaced", contact.Company{LEI: "5493 001k jtii gc8y 1r12"}, id{"", missing, ""}, id{"", missing, ""}, id{"", missing, ""}, id{"5493001KJTIIGC8Y1R12", corrected, ""}},
		{"LEI bad check", contact.Company{LEI: "5493001KJTIIGC8Y1R13"}, id{"", missing, ""}, id{"", missing, ""}, id{"", missing, ""}, id{"5493001KJTIIGC8Y1R13", invalidSt, "lei.bad_checksum"}},
		{"LEI short", contact.Company{LEI: "5493001KJTIIGC8Y1R1"}, id{"", missing, ""}, id{"", missing, ""}, id{"", missing, ""}, id{"5493001KJTIIGC8Y1R1", invalidSt, "lei.bad_length"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := n.Company(c.in, "FR", nil)
			checkField(t, "SIREN", got.SIREN, c.siren.value, c.siren.status, c.siren.issue)
			checkField(t, "SIRET", got.SIRET, c.siret.value, c.siret.status, c.siret.issue)
			checkField(t, "VAT", got.VAT, c.vat.value, c.vat.status, c.vat.issue)
			checkField(t, "LEI", got.LEI, c.lei.value, c.lei.status, c.lei.issue)
		})
	}
}

func TestCompanyDomain(t *testing.T) {
	n := newTest(t)
	corp := n.Email("jane@acme-corp.fr")
	free := n.Email("jane@gmail.com")
	typo := n.Email("jane@gmial.com")
	cases := []struct {
		name    string
		website string
		emails  []contact.Email
		want    string
	}{
		{"website", "https://www.Acme.fr/contact?x=1", nil, "acme.fr"},
		{"bare website", "acme.fr", nil, "acme.fr"},
		{"website with port", "http://acme.fr:8080", nil, "acme.fr"},
		{"website wins over email", "acme.fr", []contact.Email{corp}, "acme.fr"},
		{"corporate email", "", []contact.Email{free, corp}, "acme-corp.fr"},
		{"free mail is not a company domain", "", []contact.Email{free}, ""},
		{"misspelt free mail is not either", "", []contact.Email{typo}, ""},
		{"junk website", "n/a", []contact.Email{corp}, "acme-corp.fr"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := n.Company(contact.Company{Website: c.website}, "FR", c.emails).Domain; got != c.want {
				t.Errorf("Domain = %q, want %q", got, c.want)
			}
		})
	}
	if got := n.Company(contact.Company{Name: "n/a"}, "", nil).Name; got.Status != invalidSt {
		t.Errorf("placeholder company name: %+v", got)
	}
}

// TestWebDomainIdempotent: a domain normalized again stays as it is: every leading
// "www." goes at once (www.www.acme.fr became www.acme.fr, then acme.fr; found by a
// review and by FuzzCompany).
func TestWebDomainIdempotent(t *testing.T) {
	n := newTest(t)
	a := n.Company(contact.Company{Name: "Acme", Website: "https://www.www.acme.fr/"}, "FR", nil)
	b := n.Company(contact.Company{Name: "Acme", Website: a.Domain}, "FR", nil)
	if a.Domain != "acme.fr" || b.Domain != a.Domain {
		t.Fatalf("%q then %q, want acme.fr twice", a.Domain, b.Domain)
	}
}
