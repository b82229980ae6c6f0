package company

import (
	"context"
	"testing"

	"github.com/steward-crm/steward/contact"
)

// siretOf returns the SIRET of siren with the 4-digit NIC stem and its Luhn digit.
func siretOf(siren, stem string) string {
	s := siren + stem
	return s + string(rune('0'+luhnDigit(s)))
}

// TestReview3OwnVATOrLEIOfAnotherCompany: a record carrying its company's French VAT
// number (or LEI), which names another company than the one its name finds, was
// attached by name as fact: it then held the VAT number of one company beside the
// SIREN and SIRET of the other, the state ownSIREN refuses for a SIREN.
func TestReview3OwnVATOrLEIOfAnotherCompany(t *testing.T) {
	d := NewMemDirectory()
	d.Add(Entry{Key: "55208131700015", SIREN: "552081317", SIRET: "55208131700015", LEI: "969500IZ7PV8P09O4O30",
		Name: "MARTIN & FILS", NameKey: "martin fils", Postcode: "33000", City: "BORDEAUX", Country: "FR", HeadOffice: true})
	for _, tc := range []struct {
		name string
		c    contact.NormCompany
	}{
		{"french VAT of another SIREN", contact.NormCompany{Name: field("Martin & Fils"), NameKey: "martin fils", VAT: VAT(FrenchVAT("732829320"))}},
		{"LEI of another entity", contact.NormCompany{Name: field("Martin & Fils"), NameKey: "martin fils", LEI: LEI("5493001KJTIIGC8Y1R12")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := &Attacher{Dir: d, AttachConfidence: 0.9, SuggestConfidence: 0.6, MaxCandidates: 50}
			n := contact.Normalized{Company: tc.c, Address: contact.NormAddress{Postcode: field("33000")}}
			if !n.Company.VAT.Usable() && !n.Company.LEI.Usable() {
				t.Fatal("test identifier not usable")
			}
			if err := a.Attach(context.Background(), &n); err != nil {
				t.Fatal(err)
			}
			if c := n.Company; c.RegistryKey != "" {
				t.Errorf("attached as fact: %s; record holds siren %s, vat %s, lei %s", attachOutcome(&n), c.SIREN.Value, c.VAT.Value, c.LEI.Value)
			}
		})
	}
}

// TestReview3NameMatchPrefersOpenEstablishment: a company that moved within its
// postcode has its old establishment closed and a new one open there. Attached by name
// and postcode, the record got the closed one (lower SIRET) and closed=true, while the
// same record attached by SIREN gets the open one (pickSite skips closed sites).
func TestReview3NameMatchPrefersOpenEstablishment(t *testing.T) {
	old, cur, head := siretOf("404833048", "0003"), siretOf("404833048", "0011"), siretOf("404833048", "0020")
	d := NewMemDirectory()
	d.Add(
		Entry{Key: old, SIREN: "404833048", SIRET: old, Name: "ALTEA ENERGIE", NameKey: "altea energie", Postcode: "75009", City: "PARIS 9", Country: "FR", Closed: true},
		Entry{Key: cur, SIREN: "404833048", SIRET: cur, Name: "ALTEA ENERGIE", NameKey: "altea energie", Postcode: "75009", City: "PARIS 9", Country: "FR"},
		Entry{Key: head, SIREN: "404833048", SIRET: head, Name: "ALTEA ENERGIE", NameKey: "altea energie", Postcode: "69003", City: "LYON 3", Country: "FR", HeadOffice: true},
	)
	a := &Attacher{Dir: d, AttachConfidence: 0.9, SuggestConfidence: 0.6, MaxCandidates: 50}
	n := contact.Normalized{Company: contact.NormCompany{Name: field("Altea Energie"), NameKey: "altea energie"},
		Address: contact.NormAddress{Postcode: field("75009")}}
	if err := a.Attach(context.Background(), &n); err != nil {
		t.Fatal(err)
	}
	if c := n.Company; c.RegistryKey != cur || c.Closed {
		t.Errorf("got %s closed=%v, want the open establishment %s", attachOutcome(&n), c.Closed, cur)
	}
}

// TestReview3SIRENPrefersOpenEstablishment: without a head office among a SIREN's
// establishments (a mapped registry that has no head_office column) and no postcode
// agreeing, pickSite took the first one, closed, though another is open.
func TestReview3SIRENPrefersOpenEstablishment(t *testing.T) {
	closed, open := siretOf("404833048", "0003"), siretOf("404833048", "0011")
	d := NewMemDirectory()
	d.Add(
		Entry{Key: closed, SIREN: "404833048", SIRET: closed, Name: "ALTEA", NameKey: "altea", Postcode: "75009", Country: "FR", Closed: true},
		Entry{Key: open, SIREN: "404833048", SIRET: open, Name: "ALTEA", NameKey: "altea", Postcode: "69003", Country: "FR"},
	)
	a := &Attacher{Dir: d, AttachConfidence: 0.9, SuggestConfidence: 0.6, MaxCandidates: 50}
	n := contact.Normalized{Company: contact.NormCompany{SIREN: SIREN("404833048")}}
	if err := a.Attach(context.Background(), &n); err != nil {
		t.Fatal(err)
	}
	if c := n.Company; c.RegistryKey != open || c.Closed {
		t.Errorf("got %s closed=%v, want the open establishment %s", attachOutcome(&n), c.Closed, open)
	}
}

// TestReview3LaPosteSIRETDigitSum: INSEE numbers La Poste's establishments (SIREN
// 356000000) so that their 14 digits add up to a multiple of 5, its head office
// 35600000000048 aside (Luhn). A La Poste SIRET that passes Luhn but not the digit sum
// was accepted: 35600000000014 (sum 19) is no establishment's number.
func TestReview3LaPosteSIRETDigitSum(t *testing.T) {
	runFieldCases(t, SIRET, []fieldCase{
		{"Luhn only, sum 19", "35600000000014", bad("35600000000014", "siret.bad_checksum")},
		{"Luhn only, sum 31", "35600000000089", bad("35600000000089", "siret.bad_checksum")},
		{"head office (Luhn, sum 26)", "35600000000048", valid("35600000000048")},
		{"digit sum 50", "35600000049837", valid("35600000049837")},
	})
}
