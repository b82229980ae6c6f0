package normalize

import (
	"strings"

	"github.com/steward-crm/steward/contact"
	"github.com/steward-crm/steward/fold"
)

// Postcode normalizes a postcode for a country (an alpha-2 code or a name, as Country
// reads it): FR, DE, ES, IT 5 digits, US ZIP or ZIP+4 ("12345-6789"), GB outward and
// inward codes ("SW1A 1AA"), CA "A1A 1A1", NL "1234 AB", PT "1234-567", IE Eircode, and
// 4 digits in BE, CH, AT, LU, DK and NO. Spacing and case are cosmetic; a country prefix
// ("F-75009": "postcode.country_prefix_removed") is removed and a leading zero lost by a spreadsheet restored
// ("postcode.leading_zero_restored") with status corrected. A CEDEX mention is dropped
// ("postcode.cedex_moved"): it belongs on the city line, where the address normalizer
// puts it. A value that does not fit the country's format is invalid with
// "postcode.invalid_format". For other countries, and when the country is unknown, the
// value is only cleaned and upper-cased.
func (n *Normalizer) Postcode(raw, country string) contact.Field {
	f, _ := n.postcode(raw, n.countryCode(country))
	return f
}

// postcode normalizes a postcode for alpha-2 country cc and returns the CEDEX part it held
// ("CEDEX 09"), upper case.
func (n *Normalizer) postcode(raw, cc string) (contact.Field, string) {
	s := upper(clean(raw))
	if s == "" {
		return contact.Missing(), ""
	}
	if n.isPlaceholder(s) {
		return invalid(raw, "postcode.placeholder"), ""
	}
	var issues []string
	var cedex string
	if i := strings.Index(s, "CEDEX"); i >= 0 {
		// The city line trims its punctuation: so does the part moved there ("CEDEX;").
		cedex = strings.Trim(strings.Join(strings.Fields(s[i:]), " "), cityTrim)
		s = strings.TrimSpace(s[:i])
		issues = append(issues, "postcode.cedex_moved")
	}
	if t := stripCountryPrefix(s, cc); t != s {
		s = t
		issues = append(issues, "postcode.country_prefix_removed")
	}
	v, ok, padded := formatPostcode(s, cc)
	if !ok {
		f := invalid(raw, "postcode.invalid_format")
		f.Issues = append(issues, f.Issues...)
		return f, cedex
	}
	if padded {
		issues = append(issues, "postcode.leading_zero_restored")
	}
	st := contact.StatusValid
	if v != upper(clean(raw)) {
		st = contact.StatusCorrected
	}
	return contact.Field{Value: v, Status: st, Issues: issues}, cedex
}

// stripCountryPrefix removes "F-", "FR-", "D-", "L-", "CH-"... before a postcode.
func stripCountryPrefix(s, cc string) string {
	i := strings.IndexByte(s, '-')
	if i < 1 || i > 3 {
		return s
	}
	switch p := s[:i]; {
	case p == cc, len(p) == 1 && cc != "" && p[0] == cc[0], p == "D" && cc == "DE", p == "A" && cc == "AT":
		return strings.TrimSpace(s[i+1:])
	}
	return s
}

// formatPostcode formats s for cc; padded reports a restored leading zero.
func formatPostcode(s, cc string) (v string, ok, padded bool) {
	compact := strings.ReplaceAll(s, " ", "")
	switch cc {
	case "FR", "DE", "ES", "IT":
		d, padded := pad(compact, 5, cc == "FR" || cc == "DE")
		ok := fold.IsDigits(d) && len(d) == 5
		switch {
		case !ok:
		case cc == "FR", cc == "DE":
			ok = d[:2] != "00"
		case cc == "ES":
			ok = d[:2] >= "01" && d[:2] <= "52" // the province
		}
		return d, ok, padded
	case "US":
		d := strings.ReplaceAll(compact, "-", "")
		if len(d) == 4 || len(d) == 8 {
			d, padded = "0"+d, true
		}
		switch {
		case !fold.IsDigits(d):
			return s, false, false
		case len(d) == 5:
			return d, true, padded
		case len(d) == 9:
			return d[:5] + "-" + d[5:], true, padded
		}
		return s, false, false
	case "GB":
		return ukPostcode(compact)
	case "CA":
		// Canada Post never uses D, F, I, O, Q, U, nor W and Z first.
		ok := len(compact) == 6 && isAlnumPattern(compact, "A9A9A9") && !strings.ContainsAny(compact, "DFIOQU") &&
			compact[0] != 'W' && compact[0] != 'Z'
		return compact[:min(3, len(compact))] + " " + compact[min(3, len(compact)):], ok, false
	case "NL":
		ok := len(compact) == 6 && isAlnumPattern(compact, "9999AA") && compact[0] != '0'
		return compact[:min(4, len(compact))] + " " + compact[min(4, len(compact)):], ok, false
	case "PT":
		d := strings.ReplaceAll(compact, "-", "")
		return d[:min(4, len(d))] + "-" + d[min(4, len(d)):], len(d) == 7 && fold.IsDigits(d), false
	case "IE":
		// Routing key A99 (or D6W), unique identifier of 4 characters of a reduced set.
		ok := len(compact) == 7 && (isAlnumPattern(compact[:3], "A99") || compact[:3] == "D6W") &&
			strings.Trim(compact[3:], "0123456789ACDEFHKNPRTVWXY") == ""
		return compact[:min(3, len(compact))] + " " + compact[min(3, len(compact)):], ok, false
	case "BE", "CH", "AT", "LU", "DK", "NO":
		// Oslo's codes start with 0 (0150), as do a few Danish ones (0800).
		return compact, len(compact) == 4 && fold.IsDigits(compact) && (compact[0] != '0' || cc == "NO" || cc == "DK"), false
	}
	return strings.Join(strings.Fields(s), " "), true, false
}

// checksPostcodes reports whether the format of cc's postcodes is known (an empty code
// then fails it): only then can a postcode be told from a house number in a line.
func checksPostcodes(cc string) bool {
	_, ok, _ := formatPostcode("", cc)
	return !ok
}

// pad restores one leading zero a spreadsheet dropped from an all-digit code.
func pad(d string, n int, allowed bool) (string, bool) {
	if allowed && len(d) == n-1 && fold.IsDigits(d) {
		return "0" + d, true
	}
	return d, false
}

// ukPostcode formats a UK postcode: outward (A9, A99, AA9, AA99, A9A, AA9A) and inward
// (9AA) parts separated by one space.
func ukPostcode(c string) (string, bool, bool) {
	if c == "GIR0AA" {
		return "GIR 0AA", true, false
	}
	if len(c) < 5 || len(c) > 7 {
		return c, false, false
	}
	out, in := c[:len(c)-3], c[len(c)-3:]
	if !isAlnumPattern(in, "9AA") || strings.ContainsAny(in[1:], "CIKMOV") {
		return c, false, false
	}
	for _, p := range []string{"A9", "A99", "AA9", "AA99", "A9A", "AA9A"} {
		if isAlnumPattern(out, p) {
			return out + " " + in, true, false
		}
	}
	return c, false, false
}

// isAlnumPattern matches s against a pattern of A (letter A–Z) and 9 (digit).
func isAlnumPattern(s, p string) bool {
	if len(s) != len(p) {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if p[i] == '9' && (c < '0' || c > '9') || p[i] == 'A' && (c < 'A' || c > 'Z') {
			return false
		}
	}
	return true
}
