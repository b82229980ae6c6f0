package normalize

import (
	"testing"

	"github.com/steward-crm/steward/contact"
)

func TestPhone(t *testing.T) {
	n := newTest(t)
	type want struct {
		value  string
		status contact.Status
		typ    string
		ext    string
		issue  string
	}
	cases := []struct {
		name, raw, region string
		want              []want
	}{
		{"already E.164", "+33142685300", "FR", []want{{"+33142685300", valid, "fixed_line", "", ""}}},
		{"national with spaces", "01 42 68 53 00", "FR", []want{{"+33142685300", corrected, "fixed_line", "", ""}}},
		{"mobile with dots", "06.12.34.56.78", "FR", []want{{"+33612345678", corrected, "mobile", "", ""}}},
		{"trunk zero in brackets", "+33 (0)6 12 34 56 78", "FR", []want{{"+33612345678", corrected, "mobile", "", ""}}},
		{"00 prefix", "0033 6 12 34 56 78", "FR", []want{{"+33612345678", corrected, "mobile", "", ""}}},
		{"00 prefix from the US", "0033 6 12 34 56 78", "US", []want{{"+33612345678", corrected, "mobile", "", ""}}},
		{"011 prefix from the US", "011 33 6 12 34 56 78", "US", []want{{"+33612345678", corrected, "mobile", "", ""}}},
		{"two numbers with a slash", "01 42 68 53 00 / 06 12 34 56 78", "FR", []want{
			{"+33142685300", corrected, "fixed_line", "", ""}, {"+33612345678", corrected, "mobile", "", ""}}},
		{"semicolon", "0142685300;0612345678", "FR", []want{
			{"+33142685300", corrected, "fixed_line", "", ""}, {"+33612345678", corrected, "mobile", "", ""}}},
		{"comma", "0142685300, +33612345678", "FR", []want{
			{"+33142685300", corrected, "fixed_line", "", ""}, {"+33612345678", valid, "mobile", "", ""}}},
		{"ou", "01 42 68 53 00 ou 06 12 34 56 78", "FR", []want{
			{"+33142685300", corrected, "fixed_line", "", ""}, {"+33612345678", corrected, "mobile", "", ""}}},
		{"or", "+44 20 7946 0958 or +44 20 7946 0959", "GB", []want{
			{"+442079460958", corrected, "fixed_line", "", ""}, {"+442079460959", corrected, "fixed_line", "", ""}}},
		{"duplicate kept per field", "0612345678 / 06 12 34 56 78", "FR", []want{
			{"+33612345678", corrected, "mobile", "", ""}, {"+33612345678", corrected, "mobile", "", ""}}},
		{"German slash is not a separator", "030/12345678", "DE", []want{{"+493012345678", corrected, "fixed_line", "", ""}}},
		{"ext.", "01 42 68 53 00 ext. 12", "FR", []want{{"+33142685300", corrected, "fixed_line", "12", ""}}},
		{"poste", "01 42 68 53 00 poste 12", "FR", []want{{"+33142685300", corrected, "fixed_line", "12", ""}}},
		{"x", "(202) 555-0123 x12", "US", []want{{"+12025550123", corrected, "fixed_or_mobile", "12", ""}}},
		{"hash", "06 12 34 56 78 #12", "FR", []want{{"+33612345678", corrected, "mobile", "12", ""}}},
		{"tel URI", "tel:+33142685300;ext=12", "FR", []want{{"+33142685300", corrected, "fixed_line", "12", ""}}},
		{"label", "Tél. : 01 42 68 53 00", "FR", []want{{"+33142685300", corrected, "fixed_line", "", ""}}},
		{"trailing label in brackets", "06-73-73-24-21 (home)", "FR", []want{{"+33673732421", corrected, "mobile", "", ""}}},
		{"label word and extension", "01 42 68 53 00 bureau ext 12", "FR", []want{{"+33142685300", corrected, "fixed_line", "12", ""}}},
		{"label then another number", "06 58 99 87 80 (bureau) / 01 42 68 53 00", "FR", []want{
			{"+33658998780", corrected, "mobile", "", ""}, {"+33142685300", corrected, "fixed_line", "", ""}}},
		{"fullwidth digits", "０６ １２ ３４ ５６ ７８", "FR", []want{{"+33612345678", corrected, "mobile", "", ""}}},
		{"foreign number, own prefix", "+44 20 7946 0958", "FR", []want{{"+442079460958", corrected, "fixed_line", "", ""}}},
		{"region from a country name", "030 12345678", "Deutschland", []want{{"+493012345678", corrected, "fixed_line", "", ""}}},
		{"empty region: rules default", "01 42 68 53 00", "", []want{{"+33142685300", corrected, "fixed_line", "", ""}}},
		{"unknown region: rules default", "01 42 68 53 00", "Atlantis", []want{{"+33142685300", corrected, "fixed_line", "", ""}}},
		{"toll free", "0 800 123 456", "FR", []want{{"+33800123456", corrected, "toll_free", "", ""}}},
		{"premium", "08 99 12 34 56", "FR", []want{{"+33899123456", corrected, "premium", "", ""}}},
		{"shared cost", "0810 12 34 56", "FR", []want{{"+33810123456", corrected, "shared_cost", "", ""}}},
		{"voip", "09 51 23 45 67", "FR", []want{{"+33951234567", corrected, "voip", "", ""}}},
		{"GB mobile", "07400 123456", "GB", []want{{"+447400123456", corrected, "mobile", "", ""}}},
		{"DE mobile", "0151 23456789", "DE", []want{{"+4915123456789", corrected, "mobile", "", ""}}},
		{"BE fixed", "+32 2 555 12 12", "FR", []want{{"+3225551212", corrected, "fixed_line", "", ""}}},
		{"CH fixed", "044 668 18 00", "CH", []want{{"+41446681800", corrected, "fixed_line", "", ""}}},
		{"IT keeps its leading zero", "+39 06 1234 5678", "FR", []want{{"+390612345678", corrected, "fixed_line", "", ""}}},
		{"ES fixed", "912 345 678", "ES", []want{{"+34912345678", corrected, "fixed_line", "", ""}}},
		{"US toll free", "+1 800 555 1234", "FR", []want{{"+18005551234", corrected, "toll_free", "", ""}}},
		{"suspicious sequence", "01 23 45 67 89", "FR", []want{{"+33123456789", corrected, "fixed_line", "", "phone.suspicious_sequence"}}},
		{"n/a", "n/a", "FR", []want{{"n/a", invalidSt, "", "", "phone.placeholder"}}},
		{"none", "None", "FR", []want{{"None", invalidSt, "", "", "phone.placeholder"}}},
		{"too short", "123", "FR", []want{{"123", invalidSt, "", "", "phone.too_short"}}},
		{"zeros", "0000000000", "FR", []want{{"0000000000", invalidSt, "", "", "phone.repeated_digits"}}},
		{"zeros after the prefix", "+33 0 00 00 00 00", "FR", []want{{"+33 0 00 00 00 00", invalidSt, "", "", "phone.repeated_digits"}}},
		{"ones", "111-111-1111", "US", []want{{"111-111-1111", invalidSt, "", "", "phone.repeated_digits"}}},
		{"letters", "call me", "FR", []want{{"call me", invalidSt, "", "", "phone.not_a_number"}}},
		{"dashes", "--", "FR", []want{{"--", invalidSt, "", "", "phone.placeholder"}}},
		{"possible, not valid", "+33 7 00 00 00 01", "FR", []want{{"+33 7 00 00 00 01", invalidSt, "", "", "phone.not_valid_but_possible"}}},
		{"too long", "+33 6 12 34 56 78 90 12", "FR", []want{{"+33 6 12 34 56 78 90 12", invalidSt, "", "", "phone.too_long"}}},
		{"unknown country code", "+999 123456", "FR", []want{{"+999 123456", invalidSt, "", "", "phone.invalid_country_code"}}},
		{"missing digit", "06 12 34 56 7", "FR", []want{{"06 12 34 56 7", invalidSt, "", "", "phone.not_valid_but_possible"}}},
		{"one good one bad", "06 12 34 56 78 / 0000000000", "FR", []want{
			{"+33612345678", corrected, "mobile", "", ""}, {"0000000000", invalidSt, "", "", "phone.repeated_digits"}}},
		{"blank", "   ", "FR", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := n.Phone(c.raw, c.region)
			if len(got) != len(c.want) {
				t.Fatalf("Phone(%q, %q) = %d numbers %+v, want %d", c.raw, c.region, len(got), got, len(c.want))
			}
			for i, w := range c.want {
				g := got[i]
				checkField(t, "value", g.Field, w.value, w.status, w.issue)
				if g.Type != w.typ || g.Extension != w.ext {
					t.Errorf("type/ext = %q/%q, want %q/%q", g.Type, g.Extension, w.typ, w.ext)
				}
				if g.Usable() && g.Region == "" {
					t.Errorf("usable number without region: %+v", g)
				}
			}
		})
	}
}

func TestSplitExtension(t *testing.T) {
	cases := []struct{ in, num, ext string }{
		{"0612345678", "0612345678", ""},
		{"Fax 12", "Fax 12", ""},
		{"x12", "x12", ""},
		{"01 42 68 53 00 (ext 45)", "01 42 68 53 00", "45"},
		{"555-0123x12", "555-0123", "12"},
		{"0142685300 Durchwahl: 7", "0142685300", "7"},
	}
	for _, c := range cases {
		num, ext := splitExtension(c.in)
		if num != c.num || ext != c.ext {
			t.Errorf("splitExtension(%q) = %q, %q; want %q, %q", c.in, num, ext, c.num, c.ext)
		}
	}
}

// TestExtensionAfterSeparator: an extension spelled out after a comma or semicolon stays
// with its number (it was split off as a second, invalid phone; found by a review); two
// numbers separated by a comma are still two.
func TestExtensionAfterSeparator(t *testing.T) {
	n := newTest(t)
	for _, in := range []string{"+33 1 42 68 53 00, poste 12", "+33 1 42 68 53 00; ext. 12"} {
		ps := n.Phone(in, "FR")
		if len(ps) != 1 || ps[0].Extension != "12" || ps[0].Value != "+33142685300" {
			t.Errorf("%q: %+v, want +33142685300 extension 12", in, ps)
		}
	}
	if ps := n.Phone("+33 1 42 68 53 00, +33 6 12 34 56 78", "FR"); len(ps) != 2 {
		t.Errorf("two numbers: %+v", ps)
	}
}

// TestPhoneFrenchOverseas: France's overseas departments dial within France's national
// plan, so a CRM whose region is FR holds "0262 ..." (Réunion) and "0696 ..."
// (Martinique) written nationally, and one in Réunion holds "06 ..." (a metropolitan
// mobile). Each was invalid (phone.not_valid_but_possible) when read in its region
// alone. A number valid in its own region stays there; other regions, international
// forms and numbers valid nowhere are as before.
func TestPhoneFrenchOverseas(t *testing.T) {
	n := newTest(t)
	for _, c := range []struct{ raw, region, want, typ, phoneRegion string }{
		{"0262 21 12 34", "FR", "+262262211234", "fixed_line", "RE"},
		{"0692 12 34 56", "FR", "+262692123456", "mobile", "RE"},
		{"05 90 12 34 56", "FR", "+590590123456", "fixed_line", "GP"},
		{"0696-12-34-56", "FR", "+596696123456", "mobile", "MQ"},
		{"0594 12 34 56", "FR", "+594594123456", "fixed_line", "GF"},
		{"06 12 34 56 78", "RE", "+33612345678", "mobile", "FR"},
		{"01 42 68 53 00", "GP", "+33142685300", "fixed_line", "FR"},
		{"0262 21 12 34", "RE", "+262262211234", "fixed_line", "RE"},
		{"+262 262 21 12 34", "FR", "+262262211234", "fixed_line", "RE"},
		{"06 12 34 56 78", "FR", "+33612345678", "mobile", "FR"},
		{"0262 21 12 34", "DE", "+49262211234", "fixed_line", "DE"},
	} {
		got := n.Phone(c.raw, c.region)
		if len(got) != 1 || got[0].Value != c.want || got[0].Type != c.typ || got[0].Region != c.phoneRegion || got[0].Status != contact.StatusCorrected {
			t.Errorf("Phone(%q, %s) = %+v, want %s %s %s corrected", c.raw, c.region, got, c.want, c.typ, c.phoneRegion)
		}
	}
	// Valid nowhere in the plan, and "00" (an international prefix, not a trunk prefix):
	// invalid as before.
	for _, c := range []struct{ raw, region string }{{"0639 12 34 56", "FR"}, {"00 262 21 12 34", "FR"}} {
		if got := n.Phone(c.raw, c.region); len(got) != 1 || got[0].Status != contact.StatusInvalid {
			t.Errorf("Phone(%q, %s) = %+v, want invalid", c.raw, c.region, got)
		}
	}
}
