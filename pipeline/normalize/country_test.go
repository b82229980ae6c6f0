package normalize

import (
	"testing"

	"github.com/steward-crm/steward/contact"
)

func TestCountry(t *testing.T) {
	n := newTest(t)
	cases := []struct {
		raw, value string
		status     contact.Status
		issue      string
	}{
		{"FR", "FR", valid, ""},
		{" FR ", "FR", valid, ""},
		{"fr", "FR", corrected, ""},
		{"FRA", "FR", corrected, ""},
		{"France", "FR", corrected, ""},
		{"FRANCE", "FR", corrected, ""},
		{"République française", "FR", corrected, ""},
		{"Frankreich", "FR", corrected, ""},
		{"UK", "GB", corrected, ""},
		{"U.K.", "GB", corrected, ""},
		{"Royaume-Uni", "GB", corrected, ""},
		{"Großbritannien", "GB", corrected, ""},
		{"England", "GB", corrected, ""},
		{"USA", "US", corrected, ""},
		{"États-Unis", "US", corrected, ""},
		{"Vereinigte Staaten", "US", corrected, ""},
		// Abbreviations with dots fold to letters apart ("u s a"), in any case and spacing.
		{"U.S.A.", "US", corrected, ""},
		{"u.s.a.", "US", corrected, ""},
		{"U. S. A.", "US", corrected, ""},
		{"U.S.", "US", corrected, ""},
		{"u.s.", "US", corrected, ""},
		{"U. S.", "US", corrected, ""},
		{"France métropolitaine", "FR", corrected, ""},
		{"Metropolitan France", "FR", corrected, ""},
		{"FX", "FR", corrected, ""}, // ISO 3166's code for Metropolitan France until 1997
		{"France metropolitaine", "FR", corrected, ""},
		{"FRANCE MÉTROPOLITAINE", "FR", corrected, ""},
		{"Deutschland", "DE", corrected, ""},
		{"Allemagne", "DE", corrected, ""},
		{"DEU", "DE", corrected, ""},
		{"Österreich", "AT", corrected, ""},
		{"JP", "JP", valid, ""},
		{"NO", "NO", valid, ""},
		{"Norvège", "NO", corrected, ""},
		{"Côte d'Ivoire", "CI", corrected, ""},
		{"BR", "BR", valid, ""},
		{"KR", "KR", valid, ""},
		{"Atlantis", "Atlantis", invalidSt, "country.unknown"},
		{"ZZ", "ZZ", invalidSt, "country.placeholder"},
		{"n/a", "n/a", invalidSt, "country.placeholder"},
		{"", "", missing, ""},
	}
	for _, c := range cases {
		t.Run(c.raw, func(t *testing.T) {
			checkField(t, "Country("+c.raw+")", n.Country(c.raw), c.value, c.status, c.issue)
		})
	}
}

func TestPostcode(t *testing.T) {
	n := newTest(t)
	cases := []struct {
		name, raw, country, value string
		status                    contact.Status
		issue                     string
	}{
		{"FR clean", "75009", "FR", "75009", valid, ""},
		{"FR spaced", "75 009", "FR", "75009", corrected, ""},
		{"FR lost zero", "1000", "FR", "01000", corrected, "postcode.leading_zero_restored"},
		{"FR prefix", "F-75009", "FR", "75009", corrected, "postcode.country_prefix_removed"},
		{"FR CEDEX", "75009 CEDEX 09", "France", "75009", corrected, "postcode.cedex_moved"},
		{"FR too long", "750091", "FR", "750091", invalidSt, "postcode.invalid_format"},
		{"FR letters", "75OO9", "FR", "75OO9", invalidSt, "postcode.invalid_format"},
		{"FR 00", "00100", "FR", "00100", invalidSt, "postcode.invalid_format"},
		{"DE clean", "10115", "DE", "10115", valid, ""},
		{"DE prefix", "D-10115", "Deutschland", "10115", corrected, "postcode.country_prefix_removed"},
		{"DE lost zero", "1067", "DE", "01067", corrected, "postcode.leading_zero_restored"},
		{"DE short", "101", "DE", "101", invalidSt, "postcode.invalid_format"},
		{"US ZIP", "20500", "US", "20500", valid, ""},
		{"US ZIP+4", "20500-0003", "US", "20500-0003", valid, ""},
		{"US ZIP+4 glued", "205000003", "US", "20500-0003", corrected, ""},
		{"US ZIP lost zero", "2134", "US", "02134", corrected, "postcode.leading_zero_restored"},
		{"US bad", "2050", "USA", "02050", corrected, "postcode.leading_zero_restored"},
		{"US letters", "ABCDE", "US", "ABCDE", invalidSt, "postcode.invalid_format"},
		{"GB clean", "SW1A 1AA", "GB", "SW1A 1AA", valid, ""},
		{"GB lower, no space", "sw1a1aa", "UK", "SW1A 1AA", corrected, ""},
		{"GB extra spaces", "SW1A   1AA", "GB", "SW1A 1AA", valid, ""},
		{"GB A9 9AA", "m11ae", "GB", "M1 1AE", corrected, ""},
		{"GB AA99", "CR26XH", "GB", "CR2 6XH", corrected, ""},
		{"GB GIR", "GIR0AA", "GB", "GIR 0AA", corrected, ""},
		{"GB bad inward", "SW1A 1CA", "GB", "SW1A 1CA", invalidSt, "postcode.invalid_format"},
		{"GB bad outward", "1W1A 1AA", "GB", "1W1A 1AA", invalidSt, "postcode.invalid_format"},
		{"NL", "1012ab", "NL", "1012 AB", corrected, ""},
		{"CA", "k1a0b1", "CA", "K1A 0B1", corrected, ""},
		{"BE", "1000", "BE", "1000", valid, ""},
		{"BE bad", "100", "BE", "100", invalidSt, "postcode.invalid_format"},
		{"LU prefix", "L-1234", "LU", "1234", corrected, "postcode.country_prefix_removed"},
		{"PT", "1000001", "PT", "1000-001", corrected, ""},
		{"unknown country: cleaned only", " 12 345 ", "", "12 345", valid, ""},
		{"other country: cleaned only", "100-0001", "JP", "100-0001", valid, ""},
		{"placeholder", "n/a", "FR", "n/a", invalidSt, "postcode.placeholder"},
		{"empty", "", "FR", "", missing, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			checkField(t, "Postcode("+c.raw+")", n.Postcode(c.raw, c.country), c.value, c.status, c.issue)
		})
	}
}
