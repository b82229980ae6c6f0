package normalize

// Defects found in review C. Each test fails on the code as reviewed.

import (
	"strings"
	"testing"

	"github.com/steward-crm/steward/contact"
)

// A one-letter word after the house number is not always a suffix: FR "r" is the
// abbreviation of RUE (street_types.yaml), US "N", "W"... are directionals.
func TestStreetLetterWordIsNotSuffix(t *testing.T) {
	n := newTest(t)
	cases := []struct {
		name           string
		in             contact.Address
		street, number string
	}{
		{"FR r for rue", contact.Address{Lines: []string{"12 r de la Paix"}, Postcode: "75002", City: "Paris", Country: "FR"}, "RUE DE LA PAIX", "12"},
		{"FR r. for rue", contact.Address{Lines: []string{"12 r. de la Paix"}, Postcode: "75002", City: "Paris", Country: "FR"}, "RUE DE LA PAIX", "12"},
		{"US directional W", contact.Address{Lines: []string{"350 W Main St"}, Postcode: "62701", City: "Springfield", Country: "US"}, "W MAIN STREET", "350"},
		{"US directional N", contact.Address{Lines: []string{"350 N Michigan Ave"}, Postcode: "60601", City: "Chicago", Country: "US"}, "N MICHIGAN AVENUE", "350"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := n.Address(c.in)
			if got.Street.Value != c.street || got.Number != c.number {
				t.Errorf("street %q number %q, want %q %q (lines %q)", got.Street.Value, got.Number, c.street, c.number, got.Lines)
			}
		})
	}
}

// A US street line opens with a house number of up to 5 digits ("15234 Ventura Blvd"):
// with the postcode field empty it must not be read as "ZIP city" and dropped.
func TestUSFiveDigitHouseNumberIsNotZIP(t *testing.T) {
	n := newTest(t)
	for _, city := range []string{"Sherman Oaks", "Sherman Oaks, CA 91403"} {
		got := n.Address(contact.Address{Lines: []string{"15234 Ventura Blvd"}, City: city, Country: "US"})
		if got.Street.Value != "VENTURA BOULEVARD" || got.Number != "15234" || got.Postcode.Value == "15234" {
			t.Errorf("city %q: street %q number %q postcode %q lines %q; want VENTURA BOULEVARD / 15234, postcode not 15234",
				city, got.Street.Value, got.Number, got.Postcode.Value, got.Lines)
		}
	}
}

// Norwegian postcodes run from 0001 (Oslo is 0xxx); Denmark has 0800, 0900...
func TestPostcodeLeadingZeroNO(t *testing.T) {
	n := newTest(t)
	for _, c := range [][2]string{{"0150", "NO"}, {"0001", "NO"}, {"0800", "DK"}} {
		checkField(t, "Postcode("+c[0]+", "+c[1]+")", n.Postcode(c[0], c[1]), c[0], valid, "")
	}
	a := n.Address(contact.Address{Lines: []string{"Karl Johans gate 1", "0154 Oslo"}, Country: "Norway"})
	if a.Postcode.Value != "0154" || a.City.Value != "OSLO" {
		t.Errorf("Oslo address: postcode %q city %q lines %q", a.Postcode.Value, a.City.Value, a.Lines)
	}
}

// Eircode: routing key A99 or the one exception D6W; unique identifier of 4 characters
// from 0-9 A C D E F H K N P R T V W X Y.
func TestPostcodeEircode(t *testing.T) {
	n := newTest(t)
	checkField(t, "Postcode(D6W X8R2)", n.Postcode("D6W X8R2", "IE"), "D6W X8R2", valid, "")
	for _, bad := range []string{"D02 ----", "D02 ????", "D02 XBIO"} {
		if f := n.Postcode(bad, "IE"); f.Status != invalidSt {
			t.Errorf("Postcode(%q, IE) = %q (%s), want invalid", bad, f.Value, f.Status)
		}
	}
}

// Canada Post never uses D, F, I, O, Q, U; W and Z never come first.
func TestPostcodeCALetters(t *testing.T) {
	n := newTest(t)
	for _, bad := range []string{"D1A 1A1", "W1A 1A1", "Z1A 1A1", "K1O 0B1", "K1A 0U1"} {
		if f := n.Postcode(bad, "CA"); f.Status != invalidSt {
			t.Errorf("Postcode(%q, CA) = %q (%s), want invalid", bad, f.Value, f.Status)
		}
	}
	checkField(t, "Postcode(K1A 0B1)", n.Postcode("K1A 0B1", "CA"), "K1A 0B1", valid, "")
}

// Spanish postcodes open with the province number, 01 to 52.
func TestPostcodeESProvince(t *testing.T) {
	n := newTest(t)
	for _, bad := range []string{"00123", "53001", "99999"} {
		if f := n.Postcode(bad, "ES"); f.Status != invalidSt {
			t.Errorf("Postcode(%q, ES) = %q (%s), want invalid", bad, f.Value, f.Status)
		}
	}
	checkField(t, "Postcode(28001)", n.Postcode("28001", "ES"), "28001", valid, "")
	checkField(t, "Postcode(52001)", n.Postcode("52001", "ES"), "52001", valid, "")
}

// DDMMYYYY is read when YYYYMMDD does not fit, but a day of 18 to 21 makes the first four
// digits look like a year and the date is declared impossible.
func TestDateCompactDayFirst(t *testing.T) {
	n := newTest(t)
	for raw, want := range map[string]string{"20011990": "1990-01-20", "19121985": "1985-12-19", "21031985": "1985-03-21", "18071975": "1975-07-18"} {
		checkField(t, "DateIn("+raw+")", n.DateIn(raw, "FR"), want, corrected, "-")
	}
}

// "Two-digit years are placed in the last hundred years": a birth date never lands in the
// future (today is 2026-11-20 in the tests).
func TestDateTwoDigitYearNotInFuture(t *testing.T) {
	n := newTest(t)
	checkField(t, "DateIn(12/12/26)", n.DateIn("12/12/26", "FR"), "1926-12-12", corrected, "date.two_digit_year")
	checkField(t, "DateIn(21/11/26)", n.DateIn("21/11/26", "FR"), "1926-11-21", corrected, "date.two_digit_year")
	checkField(t, "DateIn(7 déc. 26)", n.DateIn("7 décembre 26", "FR"), "1926-12-07", corrected, "date.two_digit_year")
}

// Emails: "one result per address". A quoted display name holding a comma must not yield
// extra invalid addresses.
func TestEmailsDisplayNameWithComma(t *testing.T) {
	n := newTest(t)
	for _, raw := range []string{
		`"Martin, Élodie" <e.martin@example.fr>, "Dupont, Jean" <j.dupont@example.fr>`,
		`Martin, Élodie <e.martin@example.fr>; Dupont, Jean <j.dupont@example.fr>`,
	} {
		var got []string
		for _, e := range n.Emails(raw) {
			got = append(got, e.Value+"("+string(e.Status)+")")
		}
		if want := "e.martin@example.fr(corrected)|j.dupont@example.fr(corrected)"; strings.Join(got, "|") != want {
			t.Errorf("Emails(%q) = %q, want %q", raw, got, want)
		}
	}
}

// "When only one is empty, it is what the full name holds beyond the other": also when the
// part is hyphenated or has an apostrophe.
func TestNameRemainderHyphenApostrophe(t *testing.T) {
	n := newTest(t)
	r := n.PersonName("", "Jean-Pierre", "", "Jean-Pierre Martin")
	checkField(t, "family", r.Family, "Martin", corrected, "name.from_full")
	r = n.PersonName("", "", "O'Brien", "Sean O'Brien")
	checkField(t, "given", r.Given, "Sean", corrected, "name.from_full")
}

// Legal forms are stripped from the name key whatever their length: the dotted spellings of
// SELARL (FR) and SARLS (LU) fold to 6 and 5 words.
func TestCompanyLongDottedLegalForm(t *testing.T) {
	n := newTest(t)
	for _, c := range [][3]string{
		{"Cabinet Durand S.E.L.A.R.L.", "FR", "cabinet durand"},
		{"Cabinet Durand SELARL", "FR", "cabinet durand"},
		{"Acme S.A.R.L.S.", "LU", "acme"},
	} {
		if got := n.Company(contact.Company{Name: c[0]}, c[1], nil).NameKey; got != c[2] {
			t.Errorf("NameKey(%q, %s) = %q, want %q", c[0], c[1], got, c[2])
		}
	}
}

// An address beside junk after a separator stays usable; a word between addresses
// written with spaces only is not an address.
func TestEmailsBesideJunk(t *testing.T) {
	n := newTest(t)
	for raw, want := range map[string]string{
		"a.durand@example.fr, n/a":             "a.durand@example.fr(valid)|(invalid)",
		"a.durand@example.fr ou b.roux@x.fr":   "a.durand@example.fr(valid)|b.roux@x.fr(valid)",
		"a.durand@example.fr;":                 "a.durand@example.fr(valid)",
		`"Durand, Anne" <a.durand@example.fr>`: "a.durand@example.fr(corrected)",
	} {
		var got []string
		for _, e := range n.Emails(raw) {
			v := e.Value
			if e.Status == invalidSt {
				v = ""
			}
			got = append(got, v+"("+string(e.Status)+")")
		}
		if strings.Join(got, "|") != want {
			t.Errorf("Emails(%q) = %q, want %q", raw, got, want)
		}
	}
}
