package synth

import (
	"testing"

	"github.com/nyaruka/phonenumbers"
)

// TestPhonesValid checks every generated number against libphonenumber: valid, of the
// intended type, and parsed back to the same number from every format.
func TestPhonesValid(t *testing.T) {
	r := newRand(1, streamMain, 0)
	for _, cc := range allCountries {
		for i := range 1000 {
			m := newMobile(r, cc)
			checkPhone(t, m, true)
			h := newLandline(r, cc, drawCity(r, cc), false)
			checkPhone(t, h, false)
			if i < 300 {
				co := CompanyAt(1, cc, i)
				checkPhone(t, co.switchboard, false)
			}
		}
		for i := range cityTables[cc] {
			for range 20 {
				checkPhone(t, newLandline(r, cc, &cityTables[cc][i], false), false)
			}
		}
	}
}

func checkPhone(t *testing.T, p phone, mobile bool) {
	t.Helper()
	e164 := p.format(fmtE164)
	n, err := phonenumbers.Parse(e164, "")
	if err != nil || !phonenumbers.IsValidNumberForRegion(n, p.cc) {
		t.Fatalf("%s (%s): not a valid number of the region (%v)", e164, p.cc, err)
	}
	typ := phonenumbers.GetNumberType(n)
	switch {
	case typ == phonenumbers.FIXED_LINE_OR_MOBILE:
	case mobile && typ != phonenumbers.MOBILE, !mobile && p.cc != "US" && typ != phonenumbers.FIXED_LINE:
		t.Fatalf("%s (%s): type %v, want mobile=%v", e164, p.cc, typ, mobile)
	}
	for style := range fmtCount {
		s := p.format(style)
		region := p.cc
		if style == fmt00 {
			region = "FR" // "001 212…" is how a European system writes a US number
		}
		n, err := phonenumbers.Parse(s, region)
		if err != nil {
			t.Fatalf("%q (style %d): %v", s, style, err)
		}
		if got := phonenumbers.Format(n, phonenumbers.E164); got != e164 {
			t.Fatalf("%q (style %d) parses as %s, want %s", s, style, got, e164)
		}
	}
}

// TestPhoneFormats pins the formats of each country.
func TestPhoneFormats(t *testing.T) {
	fr := phone{cc: "FR", area: "61", sub: "2345678", mobile: true}
	us := phone{cc: "US", area: "212", sub: "4567890"}
	gb := phone{cc: "GB", area: "20", sub: "79460123"}
	de := phone{cc: "DE", area: "30", sub: "12345678"}
	for _, tc := range []struct {
		p     phone
		style int
		want  string
	}{
		{fr, fmtNational, "06 12 34 56 78"}, {fr, fmtIntl, "+33 6 12 34 56 78"},
		{fr, fmt00, "0033612345678"}, {fr, fmtDots, "06.12.34.56.78"}, {fr, fmtIntlTrunk, "+33 (0)6 12 34 56 78"},
		{us, fmtNational, "(212) 456-7890"}, {us, fmtIntl, "+1 212-456-7890"}, {us, fmtE164, "+12124567890"},
		{gb, fmtNational, "020 7946 0123"}, {gb, fmtIntl, "+44 20 7946 0123"},
		{de, fmtNational, "030 12345678"}, {de, fmtIntl, "+49 30 12345678"},
	} {
		if got := tc.p.format(tc.style); got != tc.want {
			t.Errorf("%+v style %d: %q, want %q", tc.p, tc.style, got, tc.want)
		}
	}
}

// TestRecordPhonesParse checks that almost all phone strings of a corrupted file still
// parse to valid numbers (the rest are noise and wrong digits, on purpose).
func TestRecordPhonesParse(t *testing.T) {
	recs, _ := all(t, Config{N: 5000, Corruption: 1, Seed: 4})
	valid, total := 0, 0
	for _, r := range recs {
		for _, s := range r.Phones {
			total++
			for _, region := range []string{"FR", "US", "GB", "DE"} {
				if n, err := phonenumbers.Parse(s, region); err == nil && phonenumbers.IsValidNumber(n) {
					valid++
					break
				}
			}
		}
	}
	if share := float64(valid) / float64(total); share < 0.9 {
		t.Errorf("only %.1f%% of %d phone strings parse as valid numbers", 100*share, total)
	}
}
