package company

import (
	"reflect"
	"testing"

	"github.com/steward-crm/steward/contact"
)

func TestHandelsregister(t *testing.T) {
	cases := []struct {
		name, raw string
		want      contact.Field
		court     string
	}{
		{"canonical", "HRB 123456", valid("HRB 123456"), ""},
		{"in an imprint", "Geschäftsführer: Max Muster, Sitz: Berlin, Amtsgericht Charlottenburg HRB 12345 B, USt-IdNr. DE136695976",
			valid("HRB 12345 B"), "Charlottenburg"},
		{"court before", "Amtsgericht München HRB 123456", valid("HRB 123456"), "München"},
		{"court after", "HRB 123456, AG München", valid("HRB 123456"), "München"},
		{"court after, Amtsgericht", "HRB 123456 Amtsgericht München", valid("HRB 123456"), "München"},
		{"register court prefix", "Registergericht: Amtsgericht Charlottenburg, HRB 12345 B", valid("HRB 12345 B"), "Charlottenburg"},
		{"Berlin suffix", "HRB 12345 B", valid("HRB 12345 B"), ""},
		{"Kiel suffix", "Amtsgericht Kiel HRB 1234 KI", valid("HRB 1234 KI"), "Kiel"},
		{"genitive", "Handelsregister des Amtsgerichts Köln, HRB 1234", valid("HRB 1234"), "Köln"},
		{"court with inner words", "Amtsgericht Frankfurt am Main HRB 52826", valid("HRB 52826"), "Frankfurt am Main"},
		{"court in parentheses", "HRB 12345 (Amtsgericht Hamburg)", valid("HRB 12345"), "Hamburg"},
		{"court without Amtsgericht", "Aachen HRA 11223", valid("HRA 11223"), "Aachen"},
		{"no space", "HRB123456", corrected("HRB 123456"), ""},
		{"lower case", "hrb 123456", corrected("HRB 123456"), ""},
		{"split register", "HR B 4711", corrected("HRB 4711"), ""},
		{"Nr.", "HRB Nr. 4711", corrected("HRB 4711"), ""},
		{"leading zero", "HRB 04711", corrected("HRB 4711"), ""},
		{"cooperative", "Genossenschaftsregister GnR 123", valid("GnR 123"), ""},
		{"cooperative folded", "GNR 123", corrected("GnR 123"), ""},
		{"association", "VR 1234, Amtsgericht Stuttgart", valid("VR 1234"), "Stuttgart"},
		{"partnership register", "PR 567", valid("PR 567"), ""},
		{"unknown register", "HRC 44123", bad("HRC 44123", "handelsregister.bad_format"), ""},
		{"number only", "123456", bad("123456", "handelsregister.bad_format"), ""},
		{"7 digits", "HRB 1234567", bad("HRB 1234567", "handelsregister.bad_format"), ""},
		{"inside a word", "XHRB 123", bad("XHRB 123", "handelsregister.bad_format"), ""},
		{"zero", "HRB 000", bad("HRB 000", "handelsregister.all_zero"), ""},
		{"empty", "  ", missing, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, court := Handelsregister(c.raw)
			if !reflect.DeepEqual(got, c.want) || court != c.court {
				t.Errorf("Handelsregister(%q) = %+v, %q; want %+v, %q", c.raw, got, court, c.want, c.court)
			}
			if got.Usable() {
				if again, _ := Handelsregister(got.Value); again.Value != got.Value || again.Status != contact.StatusValid {
					t.Errorf("Handelsregister(%q) again = %+v", got.Value, again)
				}
			}
		})
	}
}
