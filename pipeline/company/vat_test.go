package company

import (
	"testing"

	"github.com/steward-crm/steward/contact"
)

func TestVAT(t *testing.T) {
	runFieldCases(t, VAT, []fieldCase{
		// France: key = (12 + 3 × (SIREN mod 97)) mod 97.
		{"FR canonical", "FR40303265045", valid("FR40303265045")},
		{"FR grouped, mixed case", "Fr 40 303 265 045", corrected("FR40303265045")},
		{"FR lower case", "fr 71383076817", corrected("FR71383076817")},
		{"FR bad key", "FR 85 323 140 392", bad("FR 85 323 140 392", "vat.bad_key")},
		{"FR stdnum's bad example: the SIREN fails", "FR 84 323 140 391", bad("FR 84 323 140 391", "vat.bad_siren")},
		{"FR key of another SIREN", "FR40404833048", bad("FR40404833048", "vat.bad_key")},
		{"FR SIREN fails Luhn", "FR12345678901", bad("FR12345678901", "vat.bad_siren")},
		{"FR Monaco (000…)", "FR 53 0000 04605", corrected("FR53000004605")},
		{"FR Monaco bad key", "FR54000004605", bad("FR54000004605", "vat.bad_key")},
		{"FR alphanumeric key", "FR K 7399859412", corrected("FRK7399859412", "vat.unverifiable_key")},
		{"FR alphanumeric key, digit first", "FR4Z123456782", valid("FR4Z123456782", "vat.unverifiable_key")},
		{"FR alphanumeric key, bad SIREN", "FRK7399859413", bad("FRK7399859413", "vat.bad_siren")},
		{"FR key letters exclude I and O", "FRIO334175221", bad("FRIO334175221", "vat.bad_format")},
		{"FR too short", "FR4030326504", bad("FR4030326504", "vat.bad_format")},
		{"FR all zero", "FR00000000000", bad("FR00000000000", "vat.all_zero")},
		{"FR zero SIREN with its key", "FR12000000000", bad("FR12000000000", "vat.all_zero")},

		{"AT", "ATU13585627", valid("ATU13585627")},
		{"AT grouped", "ATU 142 43 102", corrected("ATU14243102")},
		{"AT bad check", "ATU13585626", bad("ATU13585626", "vat.bad_checksum")},
		{"AT without U", "AT13585627", bad("AT13585627", "vat.bad_format")},
		{"BE", "BE0428759497", valid("BE0428759497")},
		{"BE old 9 digits", "BE 444.503.092", corrected("BE0444503092")},
		{"BE (0)", "BE (0)468.561.072", corrected("BE0468561072")},
		{"BE bad check", "BE0793013186", bad("BE0793013186", "vat.bad_checksum")},
		{"BE first digit 2", "BE2428759497", bad("BE2428759497", "vat.bad_format")},
		{"BG legal entity", "BG 175 074 752", corrected("BG175074752")},
		{"BG bad check", "BG175074751", bad("BG175074751", "vat.bad_checksum")},
		{"BG natural person (format only)", "BG7523169263", valid("BG7523169263")},
		{"CY", "CY-10259033P ", corrected("CY10259033P")},
		{"CY bad letter", "CY10259033Z", bad("CY10259033Z", "vat.bad_checksum")},
		{"CY 12 prefix", "CY12259033P", bad("CY12259033P", "vat.bad_format")},
		{"CZ legal entity", "CZ 25123891", corrected("CZ25123891")},
		{"CZ bad check", "CZ25123890", bad("CZ25123890", "vat.bad_checksum")},
		{"CZ 8 digits starting 9", "CZ95123891", bad("CZ95123891", "vat.bad_format")},
		{"CZ birth number (format only)", "CZ 640229/4448", corrected("CZ6402294448")},
		{"DE", "DE136695976", valid("DE136695976")},
		{"DE commas", "DE 136,695 976", corrected("DE136695976")},
		{"DE bad check", "DE136695978", bad("DE136695978", "vat.bad_checksum")},
		{"DE leading zero", "DE011125440", bad("DE011125440", "vat.bad_format")},
		{"DE 8 digits", "DE13669597", bad("DE13669597", "vat.bad_format")},
		{"DK", "DK 13585628", corrected("DK13585628")},
		{"DK bad check", "DK13585627", bad("DK13585627", "vat.bad_checksum")},
		{"EE", "EE100594102", valid("EE100594102")},
		{"EE bad check", "EE100594103", bad("EE100594103", "vat.bad_checksum")},
		{"EL", "EL 094259216 ", corrected("EL094259216")},
		{"GR prefix corrected to EL", "GR094259216", corrected("EL094259216")},
		{"EL old 8 digits", "EL 94051189", corrected("EL094051189")},
		{"EL bad check", "EL123456781", bad("EL123456781", "vat.bad_checksum")},
		{"ES CIF", "ESB64717838", valid("ESB64717838")},
		{"ES CIF with dash", "ES B-58378431", corrected("ESB58378431")},
		{"ES CIF letter check", "ES Q-2818015-F", corrected("ESQ2818015F")},
		{"ES DNI", "ES 54362315K", corrected("ES54362315K")},
		{"ES NIE", "ES-x-2482300w", corrected("ESX2482300W")},
		{"ES K/L/M", "ESM1234567L", valid("ESM1234567L")},
		{"ES CIF bad check", "ESB64717839", bad("ESB64717839", "vat.bad_checksum")},
		{"ES DNI bad letter", "ES54362415K", bad("ES54362415K", "vat.bad_checksum")},
		{"ES unknown letter", "ESI6471783", bad("ESI6471783", "vat.bad_format")},
		{"FI", "FI 0982651-1", corrected("FI09826511")},
		{"FI bad check", "FI20774741", bad("FI20774741", "vat.bad_checksum")},
		{"HR", "HR 33392005961", corrected("HR33392005961")},
		{"HR bad check", "HR33392005962", bad("HR33392005962", "vat.bad_checksum")},
		{"HU", "HU-12892312", corrected("HU12892312")},
		{"HU bad check", "HU12892313", bad("HU12892313", "vat.bad_checksum")},
		{"IE pre-2013", "IE 6433435F", corrected("IE6433435F")},
		{"IE 2013 two letters", "IE6433435OA", valid("IE6433435OA")},
		{"IE old style", "IE8D79739I", valid("IE8D79739I")},
		{"IE lower case", "IE 8223200u", corrected("IE8223200U")},
		{"IE bad check", "IE6433435E", bad("IE6433435E", "vat.bad_checksum")},
		{"IE old style bad", "IE8D79729I", bad("IE8D79729I", "vat.bad_checksum")},
		{"IE bad format", "IE8?79739J", bad("IE8?79739J", "vat.bad_format")},
		{"IT", "IT 00743110157", corrected("IT00743110157")},
		{"IT bad check", "IT00743110158", bad("IT00743110158", "vat.bad_checksum")},
		{"IT all zero", "IT00000000000", bad("IT00000000000", "vat.all_zero")},
		{"LT legal entity", "LT119511515", valid("LT119511515")},
		{"LT temporary", "LT 100001919017", corrected("LT100001919017")},
		{"LT second-step check", "LT100004801610", valid("LT100004801610")},
		{"LT bad check", "LT100001919018", bad("LT100001919018", "vat.bad_checksum")},
		{"LT 8th digit not 1", "LT100001354", bad("LT100001354", "vat.bad_format")},
		{"LU", "LU 150 274 42", corrected("LU15027442")},
		{"LU bad check", "LU15027443", bad("LU15027443", "vat.bad_checksum")},
		{"LV legal entity", "LV 4000 3521 600", corrected("LV40003521600")},
		{"LV bad check", "LV40003521601", bad("LV40003521601", "vat.bad_checksum")},
		{"LV personal code (format only)", "LV 161175-19997", corrected("LV16117519997")},
		{"MT", "MT 1167-9112", corrected("MT11679112")},
		{"MT bad check", "MT11679113", bad("MT11679113", "vat.bad_checksum")},
		{"NL 11-proof", "NL004495445B01", valid("NL004495445B01")},
		{"NL unpadded", "NL4495445B01", corrected("NL004495445B01")},
		{"NL dotted", "NL.8143.26.584.B.01", corrected("NL814326584B01")},
		{"NL mod 97 (since 2020)", "NL002455799B11", valid("NL002455799B11")},
		{"NL bad check", "NL123456789B90", bad("NL123456789B90", "vat.bad_checksum")},
		{"NL B00", "NL009122746B00", bad("NL009122746B00", "vat.bad_format")},
		{"NL no B", "NL001241643801", bad("NL001241643801", "vat.bad_format")},
		{"PL", "PL 584-030-44-72", corrected("PL5840304472")},
		{"PL bad check", "PL8567346216", bad("PL8567346216", "vat.bad_checksum")},
		{"PT", "PT 501 964 843", corrected("PT501964843")},
		{"PT bad check", "PT501964842", bad("PT501964842", "vat.bad_checksum")},
		{"RO", "RO 185 472 90", corrected("RO18547290")},
		{"RO short", "RO573768", valid("RO573768")},
		{"RO bad check", "RO18547291", bad("RO18547291", "vat.bad_checksum")},
		{"RO personal CNP is not a VAT format", "RO1630615123457", bad("RO1630615123457", "vat.bad_format")},
		{"SE", "SE 556.383.740.901", corrected("SE556383740901")},
		{"SE bad check", "SE123456789101", bad("SE123456789101", "vat.bad_checksum")},
		{"SE without 01", "SE5563837409", bad("SE5563837409", "vat.bad_format")},
		{"SI", "SI 5022 3054", corrected("SI50223054")},
		{"SI bad check", "SI50223055", bad("SI50223055", "vat.bad_checksum")},
		{"SK", "SK 202 274 96 19", corrected("SK2022749619")},
		{"SK bad check", "SK2022749618", bad("SK2022749618", "vat.bad_checksum")},
		{"XI (format only)", "XI 980 7806 84", corrected("XI980780684")},
		{"GB (format only)", "GB980780684", valid("GB980780684")},
		{"GB government department", "GBGD001", valid("GBGD001")},
		{"GB bad format", "GB98078068", bad("GB98078068", "vat.bad_format")},

		{"unknown country", "US123456789", bad("US123456789", "vat.unknown_country")},
		{"Swiss (not EU)", "CHE-123.456.788 MWST", bad("CHE-123.456.788 MWST", "vat.unknown_country")},
		{"no prefix", "40303265045", bad("40303265045", "vat.missing_country")},
		{"one letter", "F", bad("F", "vat.missing_country")},
		{"prefix only", "DE", bad("DE", "vat.bad_format")},
		{"empty", "", missing},
		{"blank", "   ", missing},
	})
	mustUsable(t, VAT, publishedVAT)
}

func TestVATFor(t *testing.T) {
	cases := []struct {
		name, raw, country string
		want               contact.Field
	}{
		{"prefix added", "40303265045", "FR", corrected("FR40303265045", "vat.country_added")},
		{"prefix added, grouped", "136 695 976", "de", corrected("DE136695976", "vat.country_added")},
		{"Greece is EL", "094259216", "GR", corrected("EL094259216", "vat.country_added")},
		{"Spanish CIF starts with a letter", "B64717838", "ES", corrected("ESB64717838", "vat.country_added")},
		{"Irish old style", "8D79739I", "IE", corrected("IE8D79739I", "vat.country_added")},
		{"Austrian U", "U13585627", "AT", corrected("ATU13585627", "vat.country_added")},
		{"own prefix kept", "FR40303265045", "DE", valid("FR40303265045")},
		{"GR prefix kept as EL", "GR094259216", "FR", corrected("EL094259216")},
		{"added prefix, bad check", "136695978", "DE", bad("136695978", "vat.bad_checksum")},
		{"unknown country", "40303265045", "US", bad("40303265045", "vat.missing_country")},
		{"no country", "40303265045", "", bad("40303265045", "vat.missing_country")},
		{"empty", "", "FR", missing},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := VATFor(c.raw, c.country)
			if got.Value != c.want.Value || got.Status != c.want.Status || len(got.Issues) != len(c.want.Issues) ||
				len(got.Issues) > 0 && got.Issues[0] != c.want.Issues[0] {
				t.Errorf("VATFor(%q, %q) = %+v, want %+v", c.raw, c.country, got, c.want)
			}
		})
	}
}

// TestVATCountries checks that every EU member state has a rule and which check digits.
func TestVATCountries(t *testing.T) {
	eu := []string{"AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "EL", "ES", "FI", "FR", "HR", "HU", "IE", "IT",
		"LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK"}
	if len(eu) != 27 {
		t.Fatalf("%d member states listed", len(eu))
	}
	for _, cc := range eu {
		if !VATChecked(cc) {
			t.Errorf("VATChecked(%q) = false", cc)
		}
	}
	for _, cc := range []string{"XI", "GB", "GR", "US", ""} {
		if VATChecked(cc) {
			t.Errorf("VATChecked(%q) = true", cc)
		}
	}
	if len(vatRules) != 29 {
		t.Errorf("%d VAT rules, want 27 member states + XI + GB", len(vatRules))
	}
}
