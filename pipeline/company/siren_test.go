package company

import (
	"testing"
)

func TestSIREN(t *testing.T) {
	runFieldCases(t, SIREN, []fieldCase{
		{"INSEE example", "732829320", valid("732829320")},
		{"La Poste", "356000000", valid("356000000")},
		{"spaces around", "  404833048 ", valid("404833048")},
		{"grouped with spaces", "552 008 443", corrected("552008443")},
		{"no-break spaces and dots", "732\u00a0829.320", corrected("732829320")},
		{"narrow no-break spaces", "732\u202f829\u202f320", corrected("732829320")},
		{"full-width digits", "７３２８２９３２０", corrected("732829320")},
		{"dashes", "732-829-320", corrected("732829320")},
		{"one digit changed", "732829321", bad("732829321", "siren.bad_checksum")},
		{"stdnum bad example", "404833047", bad("404833047", "siren.bad_checksum")},
		{"two digits swapped", "738229320", bad("738229320", "siren.bad_checksum")},
		{"too short", "73282932", bad("73282932", "siren.bad_length")},
		{"a SIRET", "73282932000074", bad("73282932000074", "siren.bad_length")},
		{"letter", "73282932O", bad("73282932O", "siren.bad_format")},
		{"label", "SIREN 732829320", bad("SIREN 732829320", "siren.bad_format")},
		{"all zero", "000000000", bad("000000000", "siren.all_zero")},
		{"all zero grouped", "000 000 000", bad("000 000 000", "siren.all_zero")},
		{"empty", "", missing},
		{"blank", " \t", missing},
		{"only separators", "- . -", missing},
	})
	mustUsable(t, SIREN, publishedSIREN)
}

func TestSIRET(t *testing.T) {
	runFieldCases(t, SIRET, []fieldCase{
		{"INSEE example", "73282932000074", valid("73282932000074")},
		{"grouped", "732 829 320 00074", corrected("73282932000074")},
		{"dotted", "775.563.232.00104", corrected("77556323200104")},
		{"La Poste head office (Luhn)", "35600000000048", valid("35600000000048")},
		{"La Poste digit sum 35", "356 000 000 09075", corrected("35600000009075")},
		{"La Poste digit sum 50", "35600000049837", valid("35600000049837")},
		{"La Poste digit sum 51", "35600000049838", bad("35600000049838", "siret.bad_checksum")},
		{"stdnum bad example", "73282932000079", bad("73282932000079", "siret.bad_checksum")},
		{"NIC digit changed", "73282932000075", bad("73282932000075", "siret.bad_checksum")},
		// 10000000000008 passes Luhn over 14 digits but 100000000 is no SIREN.
		{"Luhn holds, SIREN does not", "10000000000008", bad("10000000000008", "siret.bad_siren")},
		{"SIREN part all zero", "00000000000000", bad("00000000000000", "siret.all_zero")},
		{"zero SIREN, non-zero NIC", "00000000000018", bad("00000000000018", "siret.bad_siren")},
		{"digit sum rule is La Poste's only", "73282932000004", bad("73282932000004", "siret.bad_checksum")},
		{"a SIREN", "732829320", bad("732829320", "siret.bad_length")},
		{"15 digits", "732829320000740", bad("732829320000740", "siret.bad_length")},
		{"letter", "7328293200007A", bad("7328293200007A", "siret.bad_format")},
		{"empty", "", missing},
	})
	mustUsable(t, SIRET, publishedSIRET)
}

func TestImplied(t *testing.T) {
	cases := []struct {
		siret, siren, vat string
		ok                bool
	}{
		{"73282932000074", "732829320", "FR44732829320", true},
		{"732 829 320 00074", "732829320", "FR44732829320", true},
		{"35600000009075", "356000000", "FR39356000000", true},
		{"44126652500019", "441266525", "FR41441266525", true},
		{"73282932000079", "", "", false},
		{"", "", "", false},
	}
	for _, c := range cases {
		siren, vat, ok := Implied(c.siret)
		if siren != c.siren || vat != c.vat || ok != c.ok {
			t.Errorf("Implied(%q) = %q, %q, %v; want %q, %q, %v", c.siret, siren, vat, ok, c.siren, c.vat, c.ok)
		}
		if ok && !VAT(vat).Usable() {
			t.Errorf("Implied(%q): VAT %q does not validate: %+v", c.siret, vat, VAT(vat))
		}
	}
}

func TestFrenchVAT(t *testing.T) {
	cases := map[string]string{
		"303265045":   "FR40303265045", // python-stdnum's example
		"334175221":   "FR23334175221",
		"404833048":   "FR83404833048",
		"552 008 443": "FR19552008443",
		"356000000":   "FR39356000000", // La Poste
		"542051180":   "FR59542051180",
		"732829320":   "FR44732829320",
		"404833047":   "", // bad checksum
		"000000000":   "",
		"":            "",
	}
	for siren, want := range cases {
		if got := FrenchVAT(siren); got != want {
			t.Errorf("FrenchVAT(%q) = %q, want %q", siren, got, want)
		}
	}
	// Keys below 10 keep their leading zero.
	if got := FrenchVAT("409414364"); got != "FR04409414364" {
		t.Errorf("FrenchVAT(409414364) = %q, want FR04409414364", got)
	}
}
