package company

import (
	"slices"
	"strings"
	"testing"

	"github.com/steward-crm/steward/contact"
)

// The fuzz targets check that no input panics, that validating a field's Value again
// gives the same Value (valid when it was usable, invalid with the same issues when it
// was not), and the invariants between identifiers: a valid SIRET implies a valid SIREN
// and VAT number. Their seeds run as unit tests with `go test`; run one with
// `go test -run=^$ -fuzz=FuzzSIRET -fuzztime=10s ./pipeline/company/`.

// checkAgain validates f.Value again with fn and checks idempotence.
func checkAgain(t *testing.T, fn func(string) contact.Field, raw string, f contact.Field) {
	t.Helper()
	again := fn(f.Value)
	switch f.Status {
	case contact.StatusValid, contact.StatusCorrected:
		if again.Value != f.Value || again.Status != contact.StatusValid || !slices.Equal(again.Issues, f.Issues) {
			t.Fatalf("(%q) = %+v; again: %+v", raw, f, again)
		}
		if !isCanonical(f.Value) {
			t.Fatalf("(%q) = %+v: not canonical", raw, f)
		}
	case contact.StatusInvalid:
		if again.Value != f.Value || again.Status != contact.StatusInvalid || !slices.Equal(again.Issues, f.Issues) || len(f.Issues) == 0 {
			t.Fatalf("(%q) = %+v; again: %+v", raw, f, again)
		}
	case contact.StatusMissing:
		if f.Value != "" || again.Status != contact.StatusMissing {
			t.Fatalf("(%q) = %+v; again: %+v", raw, f, again)
		}
	default:
		t.Fatalf("(%q) = %+v: unknown status", raw, f)
	}
}

func FuzzSIREN(f *testing.F) {
	for _, s := range append(publishedSIREN, "732 829 320", "７３２８２９３２０", "000000000", "73282932O", "", "-", "\u200b732829320",
		"732829321", "7328293200", "\xff732829320", "732\u00a0829\u202f320") {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		s := SIREN(raw)
		checkAgain(t, SIREN, raw, s)
		if s.Usable() {
			if len(s.Value) != 9 || !VAT(FrenchVAT(s.Value)).Usable() {
				t.Fatalf("SIREN(%q) = %+v: its VAT %q does not validate", raw, s, FrenchVAT(s.Value))
			}
		}
	})
}

func FuzzSIRET(f *testing.F) {
	for _, s := range append(publishedSIRET, "732 829 320 00074", "35600000049838", "10000000000008", "00000000000000",
		"00000000000018", "73282932000004", "", "356 000 000 0907 5", "7328293200007A") {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		s := SIRET(raw)
		checkAgain(t, SIRET, raw, s)
		siren, vat, ok := Implied(raw)
		if ok != s.Usable() {
			t.Fatalf("Implied(%q) ok = %v, SIRET %+v", raw, ok, s)
		}
		if !ok {
			return
		}
		if f := SIREN(siren); f.Status != contact.StatusValid || f.Value != s.Value[:9] {
			t.Fatalf("SIRET(%q) = %+v implies SIREN %q: %+v", raw, s, siren, f)
		}
		if f := VAT(vat); f.Status != contact.StatusValid || vat != FrenchVAT(siren) {
			t.Fatalf("SIRET(%q) = %+v implies VAT %q: %+v", raw, s, vat, f)
		}
	})
}

func FuzzVAT(f *testing.F) {
	for _, s := range publishedVAT {
		f.Add(s, s[:2])
	}
	for _, s := range []string{"Fr 40 303 265 045", "FR K 7399859412", "FR53000004605", "GR 23456783", "BE (0)468.561.072",
		"NL4495445B01", "40303265045", "B64717838", "8D79739I", "GBGD001", "XI 980 7806 84", "CHE-123.456.788", "", "F", "DE",
		"IE8?79739J", "ES-x-2482300w", "NL000000000B01", "FR00000000000", "EL 94051189", "RO1"} {
		f.Add(s, "FR")
		f.Add(s, "GR")
	}
	f.Fuzz(func(t *testing.T, raw, country string) {
		v := VAT(raw)
		checkAgain(t, VAT, raw, v)
		if v.Usable() {
			if _, ok := vatRules[v.Value[:2]]; !ok {
				t.Fatalf("VAT(%q) = %+v: unknown prefix", raw, v)
			}
			if body := v.Value[2:]; v.Value[:2] == "FR" && isDigits(body) && !strings.HasPrefix(body[2:], "000") && FrenchVAT(body[2:]) != v.Value {
				t.Fatalf("VAT(%q) = %+v, but FrenchVAT gives %q", raw, v, FrenchVAT(body[2:]))
			}
		}
		w := VATFor(raw, country)
		if w.Usable() {
			again := VATFor(w.Value, country)
			want := slices.DeleteFunc(slices.Clone(w.Issues), func(s string) bool { return s == "vat.country_added" })
			if again.Value != w.Value || again.Status != contact.StatusValid || !slices.Equal(again.Issues, nilIfEmpty(want)) {
				t.Fatalf("VATFor(%q, %q) = %+v; again: %+v", raw, country, w, again)
			}
		} else if again := VATFor(w.Value, country); again.Status != w.Status || again.Value != w.Value {
			t.Fatalf("VATFor(%q, %q) = %+v; again: %+v", raw, country, w, again)
		}
	})
}

func FuzzLEI(f *testing.F) {
	for _, s := range append(publishedLEI, "5493 001K JTII GC8Y 1R12", "5493001kjtiigc8y1r12", "5493001KJTIIGC8Y1RAB",
		"00000000000000000000", "", "5493001KJTIIGC8Y1RÉ2", "5493001KJTIIGC8Y1R1") {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		l := LEI(raw)
		checkAgain(t, LEI, raw, l)
		if l.Usable() && (len(l.Value) != 20 || mod97(l.Value) != 1) {
			t.Fatalf("LEI(%q) = %+v", raw, l)
		}
	})
}

// FuzzRegisters covers the identifiers without check digits: Companies House numbers,
// Handelsregister numbers and D-U-N-S numbers.
func FuzzRegisters(f *testing.F) {
	for _, s := range []string{"00445790", "sc 12345", "R123", "SC000000", "XX123456", "Amtsgericht München HRB 123456",
		"HRB 12345 B", "HRB 123456, AG München", "hrb 0123", "GNR 1", "HRB 000", "15-048-3782", "000000000", "", "(", "HR B 1 KI)"} {
		f.Add(s)
	}
	hr := func(raw string) contact.Field { f, _ := Handelsregister(raw); return f }
	f.Fuzz(func(t *testing.T, raw string) {
		checkAgain(t, CompaniesHouse, raw, CompaniesHouse(raw))
		checkAgain(t, DUNS, raw, DUNS(raw))
		h, court := Handelsregister(raw)
		if h.Usable() {
			if again, _ := Handelsregister(h.Value); again.Value != h.Value || again.Status != contact.StatusValid {
				t.Fatalf("Handelsregister(%q) = %+v; again: %+v", raw, h, again)
			}
		} else {
			checkAgain(t, hr, raw, h)
			if court != "" {
				t.Fatalf("Handelsregister(%q) = %+v with court %q", raw, h, court)
			}
		}
	})
}
