package normalize

import (
	"testing"

	"github.com/steward-crm/steward/contact"
)

// The fuzz targets check that no input panics and that normalizing a normalized value
// gives the same value. Their seeds run as unit tests with `go test`; run one with
// `go test -fuzz=FuzzPhone ./pipeline/normalize/`.

func FuzzPhone(f *testing.F) {
	for _, s := range []string{"01 42 68 53 00", "+33 (0)6 12 34 56 78", "0033 6 12 34 56 78", "01 23 45 67 89 / 06 12 34 56 78",
		"06 12 34 56 78 poste 12", "(202) 555-0123 x12", "tel:+33142685300;ext=12", "n/a", "0000000000", "123", "+999 1",
		"030/12345678", "0612345678 ou 0142685300", "1,,2", "tel:tel:12", "０６ １２ ３４ ５６ ７８", "\x00", "+", "ext 1"} {
		f.Add(s, "FR")
	}
	f.Add("+1 800 555 1234", "US")
	f.Add("030 12345678", "DE")
	n := newTest(f)
	f.Fuzz(func(t *testing.T, raw, region string) {
		for _, p := range n.Phone(raw, region) {
			again := n.Phone(p.Value, region)
			if len(again) != 1 || again[0].Value != p.Value || again[0].Status == contact.StatusInvalid != (p.Status == contact.StatusInvalid) {
				t.Fatalf("Phone(%q, %q) = %+v; again: %+v", raw, region, p, again)
			}
		}
	})
}

func FuzzEmail(f *testing.F) {
	for _, s := range []string{"E.Martin@Example.FR ", "mailto:jane@example.com?x", "Jane <jane@example.com>", "jane@gmial.com",
		"jane.doe+x@googlemail.com", "jane@Bücher.DE", "jane@bu\u0308cher.de", "@", "a@b", "a..b@c.com", ".a@b.com", "'a'@b.com",
		"a@b.com.", "jane @ example.com", "e\x00\u0301@x.com", "a@xn--bcher-kva.de", "a@İ.com"} {
		f.Add(s)
	}
	n := newTest(f)
	f.Fuzz(func(t *testing.T, raw string) {
		e := n.Email(raw)
		again := n.Email(e.Value)
		if again.Value != e.Value || again.Key != e.Key || again.Usable() != e.Usable() {
			t.Fatalf("Email(%q) = %+v; again: %+v", raw, e, again)
		}
		n.Emails(raw)
	})
}

func FuzzName(f *testing.F) {
	seeds := [][4]string{{"Mme", "ÉLODIE", "MARTIN", ""}, {"", "", "", "MARTIN Élodie"}, {"", "", "", "Dr. John Smith"},
		{"", "jean-pierre", "de la fontaine", ""}, {"", "", "MACLEOD", "x"}, {"", "", "O'BRIEN", ""}, {"", "", "", "Martin, Élodie"},
		{"", "Dr. Dr.", "x", ""}, {"", "a (b", "c (d) e", ""}, {"", "İ", "ǅ", ""}, {"", "", "D'ARTAGNAN", ""}, {"Herr", "", "", "Prof. Dr. Hans Müller"}}
	for _, s := range seeds {
		f.Add(s[0], s[1], s[2], s[3])
	}
	n := newTest(f)
	f.Fuzz(func(t *testing.T, civility, given, family, full string) {
		r := n.PersonName(civility, given, family, full)
		again := n.PersonName(r.Civility.Value, r.Given.Value, r.Family.Value, "")
		if again.Civility.Value != r.Civility.Value || again.Given.Value != r.Given.Value || again.Family.Value != r.Family.Value ||
			again.FamilyPhonetic != r.FamilyPhonetic {
			t.Fatalf("PersonName(%q, %q, %q, %q) = %+v; again: %+v", civility, given, family, full, r, again)
		}
	})
}

func FuzzAddress(f *testing.F) {
	f.Add("12 bd Haussmann", "", "75009", "paris", "France")
	f.Add("12bis, rue de la Paix", "BP 123", "75002 CEDEX 02", "Paris", "FR")
	f.Add("Hauptstr. 5a", "", "D-10115", "Berlin", "Deutschland")
	f.Add("1600 Pennsylvania Ave NW", "", "20500", "Washington, DC", "USA")
	f.Add("Flat 3, 10 Downing St", "", "sw1a2aa", "London", "UK")
	f.Add("12 rue X", "75009 Paris", "", "", "France")
	f.Add("Hauptstr.5", "Postfach 10", "1067", "", "DE")
	f.Add("42 Main St", "Springfield, IL 62701", "", "", "US")
	n := newTest(f)
	f.Fuzz(func(t *testing.T, l1, l2, postcode, city, country string) {
		in := contact.Address{Lines: []string{l1, l2}, Postcode: postcode, City: city, Country: country}
		a := n.Address(in)
		b := n.Address(contact.Address{Lines: a.Lines, Postcode: a.Postcode.Value, City: a.City.Value, Country: a.Country.Value})
		if !sameAddress(a, b) {
			t.Fatalf("Address(%+v) =\n%+v\nagain:\n%+v", in, a, b)
		}
		n.FormatPostal(a, l1)
	})
}

func sameAddress(a, b contact.NormAddress) bool {
	if len(a.Lines) != len(b.Lines) {
		return false
	}
	for i := range a.Lines {
		if a.Lines[i] != b.Lines[i] {
			return false
		}
	}
	return a.Street.Value == b.Street.Value && a.Number == b.Number && a.Postcode.Value == b.Postcode.Value &&
		a.City.Value == b.City.Value && a.CityKey == b.CityKey && a.Country.Value == b.Country.Value
}

func FuzzDate(f *testing.F) {
	for _, s := range []string{"1984-03-07", "07/03/1984", "03/25/1984", "7 March 1984", "7 mars 1984", "7. März 1984",
		"19840307", "31/02/1984", "1850-01-01", "2099-01-01", "1er mars 1984", "30748", "1984-03-07T00:00:00Z", "0000-00-00",
		"99999999999999999999 March 1984", "1/1/1"} {
		f.Add(s, "")
	}
	f.Add("03/07/1984", "US")
	n := newTest(f)
	f.Fuzz(func(t *testing.T, raw, country string) {
		d := n.DateIn(raw, country)
		if again := n.DateIn(d.Value, country); again.Value != d.Value || again.Usable() != d.Usable() {
			t.Fatalf("DateIn(%q, %q) = %+v; again: %+v", raw, country, d, again)
		}
	})
}

func FuzzCompany(f *testing.F) {
	f.Add("Acme S.A.S.", "732 829 320 00074", "fr44732829320", "https://www.acme.fr/x", "FR")
	f.Add("Müller GmbH & Co. KG", "", "DE123", "", "DE")
	n := newTest(f)
	f.Fuzz(func(t *testing.T, name, siret, vat, web, country string) {
		c := n.Company(contact.Company{Name: name, SIRET: siret, VAT: vat, Website: web}, country, nil)
		d := n.Company(contact.Company{Name: c.Name.Value, SIRET: c.SIRET.Value, VAT: c.VAT.Value, Website: c.Domain}, country, nil)
		if c.Name.Value != d.Name.Value || c.NameKey != d.NameKey || c.SIRET.Value != d.SIRET.Value || c.VAT.Value != d.VAT.Value || c.Domain != d.Domain {
			t.Fatalf("Company not idempotent:\n%+v\n%+v", c, d)
		}
	})
}
