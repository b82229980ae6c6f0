package company

import (
	"regexp"
	"strings"

	"github.com/steward-crm/steward/contact"
)

// vatRule describes the VAT numbers of one country: the format of the part after the
// 2-letter prefix and, when the algorithm is known, the check-digit test of that part.
type vatRule struct {
	format *regexp.Regexp
	// check is nil when only the format is checked.
	check func(body string) bool
	// pad, when set, restores a canonical body from a short form still in use
	// (BE's 9-digit, EL's 8-digit and NL's unpadded numbers); it returns body unchanged
	// when it does not apply.
	pad func(body string) string
}

// vatRules has one rule per VAT prefix: the 27 EU member states (Greece is "EL"), plus
// "XI" (Northern Ireland, which VIES serves) and "GB", whose numbers are checked for
// format only. The check functions live in vatcheck.go.
var vatRules = map[string]vatRule{
	"AT": {format: re(`U\d{8}`), check: checkAT},
	"BE": {format: re(`[01]\d{9}`), check: checkBE, pad: padTo(9, 10)},
	"BG": {format: re(`\d{9,10}`), check: checkBG},
	"CY": {format: re(`(?:[02-9]\d|1[013-9])\d{6}[A-Z]`), check: checkCY},
	"CZ": {format: re(`[0-8]\d{7}|\d{9,10}`), check: checkCZ},
	"DE": {format: re(`[1-9]\d{8}`), check: mod11_10},
	"DK": {format: re(`[1-9]\d{7}`), check: checkDK},
	"EE": {format: re(`\d{9}`), check: checkEE},
	"EL": {format: re(`\d{9}`), check: checkEL, pad: padTo(8, 9)},
	"ES": {format: re(`\d{8}[A-Z]|[KLMXYZ]\d{7}[A-Z]|[ABCDEFGHJNPQRSUVW]\d{7}[0-9A-J]`), check: checkES},
	"FI": {format: re(`\d{8}`), check: checkFI},
	"FR": {format: re(`[0-9A-HJ-NP-Z]{2}\d{9}`)}, // checked by frenchVAT
	"HR": {format: re(`\d{11}`), check: mod11_10},
	"HU": {format: re(`\d{8}`), check: checkHU},
	"IE": {format: re(`\d{7}[A-W]{1,2}|\d[A-Z+*]\d{5}[A-W]`), check: checkIE},
	"IT": {format: re(`\d{11}`), check: checkIT},
	"LT": {format: re(`\d{7}1\d|\d{10}1\d`), check: checkLT},
	"LU": {format: re(`\d{8}`), check: checkLU},
	"LV": {format: re(`\d{11}`), check: checkLV},
	"MT": {format: re(`[1-9]\d{7}`), check: checkMT},
	"NL": {format: re(`\d{9}B(?:0[1-9]|[1-9]\d)`), check: checkNL, pad: padNL},
	"PL": {format: re(`\d{10}`), check: checkPL},
	"PT": {format: re(`[1-9]\d{8}`), check: checkPT},
	"RO": {format: re(`[1-9]\d{1,9}`), check: checkRO},
	"SE": {format: re(`\d{10}01`), check: checkSE},
	"SI": {format: re(`[1-9]\d{7}`), check: checkSI},
	"SK": {format: re(`[1-9]\d{9}`), check: checkSK},
	"XI": {format: re(`\d{9}|\d{12}|GD[0-4]\d{2}|HA[5-9]\d{2}`)},
	"GB": {format: re(`\d{9}|\d{12}|GD[0-4]\d{2}|HA[5-9]\d{2}`)},
}

// re compiles an anchored pattern.
func re(pattern string) *regexp.Regexp { return regexp.MustCompile(`^(?:` + pattern + `)$`) }

// VAT validates a VAT identification number of an EU member state, the country taken
// from its 2-letter prefix ("GR" is accepted and corrected to "EL"). The part after the
// prefix must have the country's format and, where VATChecked says so, its check digits.
// French numbers are checked with the key formula (see FrenchVAT); the newer
// alphanumeric French keys are accepted with the issue "vat.unverifiable_key", and the
// SIREN inside must be valid ("vat.bad_siren") unless it starts with 000 (Monaco).
//
// Issues of an invalid number: "vat.missing_country" (no letter prefix; see VATFor),
// "vat.unknown_country", "vat.bad_format", "vat.all_zero", "vat.bad_checksum",
// "vat.bad_key", "vat.bad_siren". A valid number may still not be registered: only
// VIES knows.
func VAT(raw string) contact.Field {
	return vat(raw, compact(raw))
}

// VATFor is VAT for a record whose country is known: when the cleaned input has no
// VAT prefix, the prefix of country (ISO 3166-1 alpha-2; "GR" gives "EL") is prepended
// and, if the result is usable, the issue "vat.country_added" tells so. An input that
// has a prefix keeps it, whatever country says.
func VATFor(raw, country string) contact.Field {
	v := compact(raw)
	if len(v) >= 2 && isVATPrefix(v[:2]) {
		return vat(raw, v)
	}
	cc := strings.ToUpper(strings.TrimSpace(country))
	if cc == "GR" {
		cc = "EL"
	}
	if _, ok := vatRules[cc]; !ok || v == "" {
		return vat(raw, v)
	}
	f := vat(raw, cc+v)
	if f.Usable() {
		f.Status = contact.StatusCorrected
		f.Issues = append(f.Issues, "vat.country_added")
	}
	return f
}

// VATChecked reports whether VAT verifies check digits for the given prefix, not only
// the format. It is false for "XI" and "GB" and for unknown prefixes. For BG, CZ and LV
// the numbers of natural persons (10, 9–10 and 11 digits starting 0–3 respectively) are
// still checked for format only, and for French alphanumeric keys the key is not
// verified.
func VATChecked(prefix string) bool {
	r, ok := vatRules[prefix]
	return ok && (r.check != nil || prefix == "FR")
}

// isVATPrefix reports whether p is a known VAT prefix, or "GR".
func isVATPrefix(p string) bool {
	_, ok := vatRules[p]
	return ok || p == "GR"
}

// vat validates the compacted form v of raw.
func vat(raw, v string) contact.Field {
	if v == "" {
		return contact.Missing()
	}
	if len(v) < 2 || !isUpper(v[0]) || !isUpper(v[1]) {
		return invalid(raw, "vat.missing_country")
	}
	cc, body := v[:2], v[2:]
	if cc == "GR" {
		cc = "EL"
	}
	rule, ok := vatRules[cc]
	if !ok {
		return invalid(raw, "vat.unknown_country")
	}
	if rule.pad != nil {
		body = rule.pad(body)
	}
	value := v // unchanged, the common case: no concatenation, no allocation
	if len(v) != len(body)+2 || v[:2] != cc {
		value = cc + body
	}
	switch {
	case !rule.format.MatchString(body):
		return invalid(raw, "vat.bad_format")
	case allZero(body) || cc == "NL" && allZero(body[:9]):
		return invalid(raw, "vat.all_zero")
	case cc == "FR":
		return frenchVAT(raw, value)
	case rule.check != nil && !rule.check(body):
		return invalid(raw, "vat.bad_checksum")
	}
	return usable(raw, value)
}

// frenchVAT checks a French VAT number in its canonical form: FR, a 2-character key and
// 9 digits, the SIREN (or a Monaco number starting with 000).
func frenchVAT(raw, value string) contact.Field {
	key, siren := value[2:4], value[4:]
	if allZero(siren) {
		return invalid(raw, "vat.all_zero")
	}
	if !strings.HasPrefix(siren, "000") && !luhn(siren) {
		return invalid(raw, "vat.bad_siren")
	}
	if !isDigits(key) {
		return usable(raw, value, "vat.unverifiable_key")
	}
	if atoi(key) != frenchKey(siren) {
		return invalid(raw, "vat.bad_key")
	}
	return usable(raw, value)
}

// padTo returns a pad function that left-pads an all-digit body of length short with a
// zero to length long.
func padTo(short, long int) func(string) string {
	return func(body string) string {
		if len(body) == short && isDigits(body) {
			return strings.Repeat("0", long-short) + body
		}
		return body
	}
}

// padNL left-pads the digits before the B of a Dutch number to 9 ("NL4495445B01").
func padNL(body string) string {
	i := strings.IndexByte(body, 'B')
	if i < 1 || i >= 9 || !isDigits(body[:i]) {
		return body
	}
	return strings.Repeat("0", 9-i) + body
}

func isUpper(c byte) bool { return c >= 'A' && c <= 'Z' }
