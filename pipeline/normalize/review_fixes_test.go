package normalize

import (
	"slices"
	"strings"
	"testing"

	"github.com/steward-crm/steward/contact"
)

// The tests of this file come from a review of the normalizers (2026-12-06); each failed
// before its fix.

// TestPhoneRegionInternationalPrefix: a number written with the default region's own
// international prefix, which starts with "00" and holds more (a carrier in Brazil,
// "0011" in Australia, "001" in Korea), is read as the region dials it. Taking "00" for
// "+" first made "0043 1 212 555 0123" in Brazil +43 1 212 555 0123, a valid Austrian
// number (another person's), and the other two invalid. "00" read as "+" where the
// region's prefix is not it ("0033 ..." written in the US) and in Europe stay as they
// were.
func TestPhoneRegionInternationalPrefix(t *testing.T) {
	n := newTest(t)
	for _, c := range []struct{ raw, region, want string }{
		{"0043 1 212 555 0123", "BR", "+12125550123"},
		{"0011 44 20 7946 0958", "AU", "+442079460958"},
		{"001 33 6 12 34 56 78", "KR", "+33612345678"},
		{"0033 6 12 34 56 78", "US", "+33612345678"},
		{"0033 6 12 34 56 78", "FR", "+33612345678"},
		{"0044 20 7946 0958", "DE", "+442079460958"},
		{"+00 33 6 12 34 56 78", "FR", "+33612345678"},
	} {
		p := n.Phone(c.raw, c.region)
		if len(p) != 1 || p[0].Value != c.want || !p[0].Usable() {
			t.Errorf("Phone(%q, %s) = %+v, want %s", c.raw, c.region, p, c.want)
		}
	}
}

// TestNameElidedArticle: the apostrophe of an elided Dutch article stays ("'t Hooft" was
// cut to "t Hooft", and its key to "hooft"); quotes around a name still go.
func TestNameElidedArticle(t *testing.T) {
	n := newTest(t)
	for _, c := range []struct{ in, want string }{
		{"'t Hooft", "'t Hooft"},
		{"’t Hart", "'t Hart"},
		{"'T HOOFT", "'t Hooft"},
		{"'s-Gravesande", "'s-Gravesande"},
		{"'Martin'", "Martin"},
		{"'Martin", "Martin"},
		{"O'Brien'", "O'Brien"},
	} {
		if got := n.PersonName("", "Gerard", c.in, "").Family.Value; got != c.want {
			t.Errorf("family %q: %q, want %q", c.in, got, c.want)
		}
	}
	if r := n.PersonName("", "Gerard", "'t Hooft", ""); r.FamilyKey == "hooft" {
		t.Errorf("'t Hooft keyed %q, as Hooft", r.FamilyKey)
	}
}

// TestNameCapitalsTurkishAndSharpS: a name in capitals with a Turkish dotted İ keeps it
// ("İLKNUR" became "Ilknur"), and one with ß is read as capitals ("GROßMANN" stayed as
// written, valid, without name.all_caps).
func TestNameCapitalsTurkishAndSharpS(t *testing.T) {
	n := newTest(t)
	r := n.PersonName("", "İLKNUR", "İNCE", "")
	if r.Given.Value != "İlknur" || r.Family.Value != "İnce" {
		t.Errorf("given %q family %q, want İlknur İnce", r.Given.Value, r.Family.Value)
	}
	checkField(t, "family", n.PersonName("", "", "GROßMANN", "").Family, "Großmann", contact.StatusCorrected, "name.all_caps")
	checkField(t, "family", n.PersonName("", "", "GROSSMANN", "").Family, "Grossmann", contact.StatusCorrected, "name.all_caps")
	checkField(t, "family", n.PersonName("", "", "DUPONT", "").Family, "Dupont", contact.StatusCorrected, "name.all_caps")
}

// TestAddressBelgianBox: the house number before a Belgian box is the number, not the
// box's ("Wetstraat 16 bus 3" was number 3, street "WETSTRAAT 16 BUS": another door).
func TestAddressBelgianBox(t *testing.T) {
	n := newTest(t)
	for _, l := range []string{"Wetstraat 16 bus 3", "Rue Neuve 16 bte 3", "Rue Neuve 16 boîte 3", "Rue Neuve 16 Bte. 12A"} {
		a := n.Address(contact.Address{Lines: []string{l}, Postcode: "1000", City: "Bruxelles", Country: "BE"})
		if a.Number != "16" || strings.ContainsAny(a.Street.Value, "0123456789") {
			t.Errorf("%q: number %q street %q, want 16 and the street alone", l, a.Number, a.Street.Value)
		}
	}
	if a := n.Address(contact.Address{Lines: []string{"Wetstraat 16"}, Postcode: "1000", City: "Bruxelles", Country: "BE"}); a.Number != "16" || a.Street.Value != "WETSTRAAT" {
		t.Errorf("without a box: number %q street %q", a.Number, a.Street.Value)
	}
}

// TestAddressCedexNumberKept: a bare "Cedex" in the postcode does not replace the city's
// numbered one ("75009 Cedex" + "Paris Cedex 9" gave "PARIS CEDEX").
func TestAddressCedexNumberKept(t *testing.T) {
	n := newTest(t)
	a := n.Address(contact.Address{Lines: []string{"12 rue de la Paix"}, Postcode: "75009 Cedex", City: "Paris Cedex 9", Country: "FR"})
	if a.City.Value != "PARIS CEDEX 9" {
		t.Errorf("city %q, want PARIS CEDEX 9", a.City.Value)
	}
	a = n.Address(contact.Address{Lines: []string{"12 rue de la Paix"}, Postcode: "75009 Cedex 9", City: "Paris", Country: "FR"})
	if a.City.Value != "PARIS CEDEX 9" {
		t.Errorf("the postcode's CEDEX: city %q, want PARIS CEDEX 9", a.City.Value)
	}
}

// TestAddressRangeInWords: "12 à 14 rue de la Paix" is the range 12-14 of the street (the
// words were left in the street: "À 14 RUE DE LA PAIX"), as "12-14 rue de la Paix" is.
func TestAddressRangeInWords(t *testing.T) {
	n := newTest(t)
	want := n.Address(contact.Address{Lines: []string{"12-14 rue de la Paix"}, Postcode: "75002", City: "Paris", Country: "FR"})
	for _, l := range []string{"12 à 14 rue de la Paix", "12 et 14 rue de la Paix", "12 au 14 rue de la Paix"} {
		a := n.Address(contact.Address{Lines: []string{l}, Postcode: "75002", City: "Paris", Country: "FR"})
		if a.Street.Value != "RUE DE LA PAIX" || a.Number != want.Number {
			t.Errorf("%q: number %q street %q, want %q RUE DE LA PAIX", l, a.Number, a.Street.Value, want.Number)
		}
	}
}

// TestAddressUSUnit: a unit at the end of a US street line is not part of the street, so
// that "100 Main St Apt 4" has the street of "100 Main Street" (it was "MAIN ST APT 4",
// its type not expanded); the unit stays on the line.
func TestAddressUSUnit(t *testing.T) {
	n := newTest(t)
	for _, c := range []struct{ line, unit string }{{"100 Main St Apt 4", "APT 4"}, {"100 Main St Suite 200", "SUITE 200"}, {"100 Main St #4", "#4"}, {"100 Main St. Ste. 5B", "STE. 5B"}} {
		a := n.Address(contact.Address{Lines: []string{c.line}, Postcode: "02134", City: "Boston", Country: "US"})
		if a.Street.Value != "MAIN STREET" || a.Number != "100" || len(a.Lines) != 1 || !strings.HasSuffix(a.Lines[0], " "+c.unit) {
			t.Errorf("%q: street %q number %q lines %q", c.line, a.Street.Value, a.Number, a.Lines)
		}
	}
}

// TestNameSplitFull: a full name that is a particle and a family name is the family name
// ("de Gaulle" was given "De"); dotted initials are a given name, not a family name in
// capitals ("J.-P. Sartre" gave family "J.-P."); a generational suffix goes with the
// family name ("John Smith Jr." gave family "Jr."); a couple's titles are both cut ("M.
// et Mme Martin" gave the given name "et Mme").
func TestNameSplitFull(t *testing.T) {
	n := newTest(t)
	for _, c := range []struct{ full, given, family string }{
		{"de Gaulle", "", "de Gaulle"},
		{"Le Pen", "", "Le Pen"},
		{"J.-P. Sartre", "J.-P.", "Sartre"},
		{"SARTRE J.-P.", "J.-P.", "Sartre"},
		{"John Smith Jr.", "John", "Smith Jr."},
		{"Marie de la Tour", "Marie", "de la Tour"},
		{"Jean Dupont", "Jean", "Dupont"},
		{"DUPONT Jean", "Jean", "Dupont"},
	} {
		r := n.PersonName("", "", "", c.full)
		if r.Given.Value != c.given || r.Family.Value != c.family {
			t.Errorf("%q: given %q family %q, want %q / %q", c.full, r.Given.Value, r.Family.Value, c.given, c.family)
		}
	}
	for _, full := range []string{"M. et Mme Martin", "Mr and Mrs John Smith"} {
		r := n.PersonName("", "", "", full)
		if strings.Contains(strings.ToLower(r.Given.Value), "mme") || strings.Contains(strings.ToLower(r.Given.Value), "mrs") || !strings.Contains(r.Family.Value, "Martin") && !strings.Contains(r.Family.Value, "Smith") {
			t.Errorf("%q: given %q family %q", full, r.Given.Value, r.Family.Value)
		}
	}
}

// TestDateTrailingGarbage: what follows an ISO date is dropped only when it is a time
// ("1984-03-07 garbage" was the date with "date.time_dropped").
func TestDateTrailingGarbage(t *testing.T) {
	n := newTest(t)
	for _, raw := range []string{"1984-03-07 garbage", "1984-03-07T", "1984-03-07 1"} {
		if f := n.DateIn(raw, "FR"); f.Usable() || !slices.Contains(f.Issues, "date.unrecognized_format") {
			t.Errorf("%q: %+v, want unrecognized", raw, f)
		}
	}
	for _, raw := range []string{"1984-03-07T00:00:00Z", "1984-03-07 10:30", "1984-03-07T10:30:00.000+01:00"} {
		if f := n.DateIn(raw, "FR"); f.Value != "1984-03-07" || !slices.Contains(f.Issues, "date.time_dropped") {
			t.Errorf("%q: %+v, want the date, its time dropped", raw, f)
		}
	}
}
