package company

import (
	"context"
	"fmt"
	"testing"

	"github.com/steward-crm/steward/contact"
)

// attachOutcome summarises what Attach wrote: the attached or suggested entry and its confidence.
func attachOutcome(n *contact.Normalized) string {
	c := n.Company
	if c.Suggested != nil {
		return fmt.Sprintf("suggested %s %.2f", c.Suggested.RegistryKey, c.Suggested.Confidence)
	}
	return fmt.Sprintf("%s %s %.2f", c.AttachedBy, c.RegistryKey, c.Confidence)
}

// Three namesakes whose similarities and places form a cycle under better():
// A (sim 1.00, no place) beats C (0.965, postcode) on similarity, C beats B (0.975,
// city) on place, B beats A on place. Sorting with that comparator depends on the
// order the candidates come out of the map, so the same record gets different answers.
func TestAttachByNameIsDeterministic(t *testing.T) {
	d := NewMemDirectory()
	d.Add(
		Entry{Key: "A", SIREN: "111111111", Name: "DUPONT INDUSTRIE", NameKey: "dupont industrie", Postcode: "13001", City: "MARSEILLE", Country: "FR", HeadOffice: true},
		Entry{Key: "B", SIREN: "222222222", Name: "DUPONT INDUSTRIELLE", NameKey: "dupont industrielle", Postcode: "69003", City: "LYON 3", Country: "FR", HeadOffice: true},
		Entry{Key: "C", SIREN: "333333333", Name: "DUPONT INDUSTRY", NameKey: "dupont industry", Postcode: "69001", City: "LYON 1", Country: "FR", HeadOffice: true},
	)
	a := &Attacher{Dir: d, AttachConfidence: 0.9, SuggestConfidence: 0.6, MaxCandidates: 50}
	seen := map[string]int{}
	for range 200 {
		n := contact.Normalized{
			Company: contact.NormCompany{Name: field("Dupont Industrie"), NameKey: "dupont industrie"},
			Address: contact.NormAddress{Postcode: field("69001"), CityKey: "lyon", Country: field("FR")},
		}
		if err := a.Attach(context.Background(), &n); err != nil {
			t.Fatal(err)
		}
		seen[attachOutcome(&n)]++
	}
	if len(seen) != 1 {
		t.Errorf("the same record attached differently from run to run: %v", seen)
	}
}

// recordCountry reads the country from the VAT prefix, mapping EL to GR but not XI
// (Northern Ireland, ISO country GB): a Belfast company with its XI VAT number is then
// treated as being in a country "XI", and every GB registry entry is skipped by name.
func TestNorthernIrelandVATKeepsGBCandidates(t *testing.T) {
	d := NewMemDirectory()
	d.Add(Entry{Key: "NI612345", Name: "LAGAN TRADING LTD", NameKey: "lagan trading", Postcode: "BT1 1AA", City: "BELFAST", Country: "GB"})
	a := &Attacher{Dir: d, AttachConfidence: 0.9, SuggestConfidence: 0.6, MaxCandidates: 50}
	vat := VAT("XI123456789")
	if !vat.Usable() {
		t.Fatalf("XI VAT not usable: %+v", vat)
	}
	n := contact.Normalized{Company: contact.NormCompany{Name: field("Lagan Trading Ltd"), NameKey: "lagan trading", VAT: vat}}
	if err := a.Attach(context.Background(), &n); err != nil {
		t.Fatal(err)
	}
	if n.Company.RegistryKey != "NI612345" {
		t.Errorf("XI VAT number: GB registry entry not attached: %s", attachOutcome(&n))
	}
	// The same record with a GB VAT number attaches: only the prefix differs.
	n = contact.Normalized{Company: contact.NormCompany{Name: field("Lagan Trading Ltd"), NameKey: "lagan trading", VAT: VAT("GB123456789")}}
	if err := a.Attach(context.Background(), &n); err != nil {
		t.Fatal(err)
	}
	if n.Company.RegistryKey != "NI612345" {
		t.Errorf("GB VAT number: %s", attachOutcome(&n))
	}
}

// A registry entry without a SIREN (a GLEIF entity, a CSV row of a foreign company) is
// learned as domain owner under its registry key (Owner), as Directory.DomainOwners
// documents; byDomain then looks that owner up with BySIREN, which finds nothing, so a
// learned or imported domain never attaches such a company.
func TestDomainOwnedByRegistryKeyAttaches(t *testing.T) {
	d := NewMemDirectory()
	d.Add(Entry{Key: "LEI:5493001KJTIIGC8Y1R12", LEI: "5493001KJTIIGC8Y1R12", Name: "NORTHWIND HOLDINGS PLC",
		NameKey: "northwind holdings", Country: "GB", HeadOffice: true, Domain: "northwind.co.uk"})
	a := &Attacher{Dir: d, AttachConfidence: 0.9, SuggestConfidence: 0.6, MaxCandidates: 50, Learn: true}
	owners, _ := d.DomainOwners(context.Background(), "northwind.co.uk")
	if owners["LEI:5493001KJTIIGC8Y1R12"] == 0 {
		t.Fatalf("domain not learned: %v", owners)
	}
	n := contact.Normalized{Company: contact.NormCompany{Domain: "northwind.co.uk"}}
	if err := a.Attach(context.Background(), &n); err != nil {
		t.Fatal(err)
	}
	if n.Company.AttachedBy != "domain" || n.Company.RegistryKey != "LEI:5493001KJTIIGC8Y1R12" {
		t.Errorf("domain owned by a registry key: %s", attachOutcome(&n))
	}
}

// A record whose own SIREN is not in the registry but whose LEI (or domain, or name) is
// found gets the other company's SIRET and registry key next to its own SIREN: the record
// then holds two companies' identifiers, the very state find() refuses for a SIRET/SIREN
// conflict.
func TestAttachDoesNotMixIdentifiers(t *testing.T) {
	d := NewMemDirectory()
	d.Add(Entry{Key: "55210055400013", SIREN: "552100554", SIRET: "55210055400013", LEI: "969500IZ7PV8P09O4O30",
		Name: "PEUGEOT", NameKey: "peugeot", Postcode: "75016", City: "PARIS", Country: "FR", HeadOffice: true})
	a := &Attacher{Dir: d, AttachConfidence: 0.9, SuggestConfidence: 0.6, MaxCandidates: 50}
	n := contact.Normalized{Company: contact.NormCompany{SIREN: SIREN("732829320"), LEI: LEI("969500IZ7PV8P09O4O30")}}
	if err := a.Attach(context.Background(), &n); err != nil {
		t.Fatal(err)
	}
	c := n.Company
	if c.RegistryKey != "" && c.SIRET.Usable() && c.SIRET.Value[:9] != c.SIREN.Value {
		t.Errorf("record holds siren %s and siret %s (attached %s as fact)", c.SIREN.Value, c.SIRET.Value, attachOutcome(&n))
	}
}

// The court is taken from the nearest segment before the number that holds anything but
// noise words, even when the text after the number names the court explicitly: the usual
// imprint "Musterfirma GmbH, HRB 12345, Amtsgericht Stuttgart" gives the court
// "Musterfirma GmbH". A Handelsregister number is only unique with its court, so two
// companies can be confused or one company split.
func TestHandelsregisterPrefersNamedCourt(t *testing.T) {
	for raw, want := range map[string]string{
		"Musterfirma GmbH, HRB 12345, Amtsgericht Stuttgart":                   "Stuttgart",
		"Geschäftsführer: Max Muster, HRB 12345 B, Amtsgericht Charlottenburg": "Charlottenburg",
		"Steuernummer 123/456/78901, HRB 1234, AG Köln":                        "Köln",
		"Siemens AG, HRB 6684, Amtsgericht München":                            "München",
		"Musterfirma GmbH, München HRB 1234":                                   "München",
		"Handelsregister des Amtsgerichts Köln, HRB 99":                        "Köln",
	} {
		f, court := Handelsregister(raw)
		if !f.Usable() || court != want {
			t.Errorf("Handelsregister(%q) = %+v, court %q; want court %q", raw, f, court, want)
		}
	}
}

// Companies House numbers with prefixes that the register issues every day are rejected as
// "unknown_prefix": BR (UK establishments of overseas companies), OE (overseas entities,
// since 2022), RC (Royal Charter companies), IC (investment companies with variable capital).
func TestCompaniesHouseCurrentPrefixes(t *testing.T) {
	for _, raw := range []string{"BR001234", "OE000123", "RC000057", "IC000123"} {
		if f := CompaniesHouse(raw); f.Status != contact.StatusValid || f.Value != raw {
			t.Errorf("CompaniesHouse(%q) = %+v, want valid", raw, f)
		}
	}
}

// find returns whatever byDomain found, even a mere suggestion below AttachConfidence
// (the name disagrees with the domain's owner), without trying the name: a record whose
// exact name and postcode designate one registry company gets, at best, a suggestion of
// another company that once used the same domain.
func TestWeakDomainDoesNotHideExactName(t *testing.T) {
	d := NewMemDirectory()
	d.Add(
		Entry{Key: "73282932000074", SIREN: "732829320", SIRET: "73282932000074", Name: "GROUPE DUPONT", NameKey: "groupe dupont",
			Postcode: "75009", City: "PARIS 9", Country: "FR", HeadOffice: true},
		Entry{Key: "40483304800022", SIREN: "404833048", SIRET: "40483304800022", Name: "DUPONT LOGISTIQUE", NameKey: "dupont logistique",
			Postcode: "44000", City: "NANTES", Country: "FR", HeadOffice: true},
	)
	ctx := context.Background()
	d.LearnDomain(ctx, "groupe-dupont.fr", "732829320") // the parent's staff use the group domain
	a := &Attacher{Dir: d, AttachConfidence: 0.9, SuggestConfidence: 0.6, MaxCandidates: 50}

	// Without a domain, the name and postcode attach the subsidiary.
	n := contact.Normalized{Company: contact.NormCompany{Name: field("Dupont Logistique SAS"), NameKey: "dupont logistique"},
		Address: contact.NormAddress{Postcode: field("44000"), Country: field("FR")}}
	if err := a.Attach(ctx, &n); err != nil || n.Company.RegistryKey != "40483304800022" {
		t.Fatalf("baseline: %s, %v", attachOutcome(&n), err)
	}
	// The same record with the group's e-mail domain.
	n = contact.Normalized{Company: contact.NormCompany{Name: field("Dupont Logistique SAS"), NameKey: "dupont logistique", Domain: "groupe-dupont.fr"},
		Address: contact.NormAddress{Postcode: field("44000"), Country: field("FR")}}
	if err := a.Attach(ctx, &n); err != nil {
		t.Fatal(err)
	}
	if n.Company.RegistryKey != "40483304800022" {
		t.Errorf("with a domain whose owner's name disagrees: %s; want the subsidiary attached by name", attachOutcome(&n))
	}
}

// TestNameSimCountsLetters: two different Cyrillic company names are as far apart as
// their Latin spellings (on bytes, their letters' shared first byte made them close).
func TestNameSimCountsLetters(t *testing.T) {
	for _, p := range [][4]string{{"газпром", "гагарин", "gazprom", "gagarin"}, {"северсталь", "сибнефть", "severstal", "sibneft"}} {
		if cyr, lat := nameSim(p[0], p[1]), nameSim(p[2], p[3]); cyr > lat+0.05 {
			t.Errorf("nameSim(%s, %s) = %.2f, in Latin letters %.2f", p[0], p[1], cyr, lat)
		}
	}
	if s := nameSim("северсталь", "севрсталь"); s < 0.9 {
		t.Errorf("nameSim(северсталь, севрсталь) = %.2f: a letter left out", s)
	}
}
