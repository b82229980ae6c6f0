package normalize

import (
	"errors"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/nyaruka/phonenumbers"
	"github.com/steward-crm/steward/contact"
	"golang.org/x/text/unicode/norm"
)

// Phone normalizes one raw phone field, which may hold several numbers
// ("01 23 45 67 89 / 06 12 34 56 78", separated by ; , | / "ou" "or"...). Each number is
// read in region (alpha-2, or a country name; empty or unknown means the rules' default
// region) unless it carries its own country code.
//
// A usable number has Value in E.164, Type, Region and Extension ("ext. 12", "poste 12",
// "x12"); it is valid when the input was already E.164, corrected otherwise. A number the
// phone metadata does not accept is invalid with an issue code saying why
// ("phone.not_valid_but_possible", "phone.too_short", "phone.repeated_digits",
// "phone.placeholder"...) and Value holding the cleaned input: junk is never guessed.
// An empty field gives no result.
func (n *Normalizer) Phone(raw, region string) []contact.Phone {
	return n.appendPhones(nil, raw, n.phoneRegion(region))
}

// appendPhones appends the numbers of raw to out; region is a resolved phone region.
func (n *Normalizer) appendPhones(out []contact.Phone, raw, region string) []contact.Phone {
	for _, p := range splitPhones(raw) {
		ph, _ := n.phoneOne(p, region)
		out = append(out, ph)
	}
	return out
}

// phoneRegion resolves a region hint to a region the phone metadata knows.
func (n *Normalizer) phoneRegion(hint string) string {
	if cc := n.countryCode(strings.ToUpper(strings.TrimSpace(hint))); cc != "" && phonenumbers.GetSupportedRegions()[cc] {
		return cc
	}
	return n.defaultRegion
}

// phoneOne normalizes one number; the second result is its E.164 form whenever the phone
// library could parse it, valid or not (the differential test compares it).
func (n *Normalizer) phoneOne(raw, region string) (contact.Phone, string) {
	s := clean(raw)
	num, ext := splitExtension(stripLabel(s))
	num = stripLabel(num)
	bad := func(code string) contact.Phone {
		return contact.Phone{Field: invalid(raw, code)}
	}
	if n.isPlaceholder(num) {
		return bad("phone.placeholder"), ""
	}
	switch none, same := digitProfile(num); {
	case none:
		return bad("phone.not_a_number"), ""
	case same:
		return bad("phone.repeated_digits"), ""
	}
	// A plain number takes the fast path, which gives phonenumbers' answers without its
	// regexps; phonenumbers parses the others.
	parseIn := func(in, region string) (phoneInfo, error) {
		if !n.noFastPhone {
			if pi, ok := fastPhone(in, region); ok {
				return pi, nil
			}
		}
		return slowPhone(in, region)
	}
	parse := func(in string) (phoneInfo, error) { return parseIn(in, region) }
	// A leading "00" is read first as the region dials it: its own international prefix
	// may begin so and hold more ("0043 1 212 555 0123" in Brazil: carrier 43, then +1;
	// "0011 44 ..." in Australia), where "00" made "+" read +43, a valid number of
	// another country. Only when that reading is no valid number is "00" taken for "+"
	// ("0033 6 ..." written in the US, whose prefix is 011).
	var pi phoneInfo
	var err error
	if in := internationalPrefix(num); in != num {
		if pi, err = parse(num); err != nil || pi.typ == phonenumbers.UNKNOWN {
			pi, err = parse(in)
		}
	} else {
		pi, err = parse(num)
	}
	// "+34 (0)912 345 678": the trunk 0 in parentheses after the country code is the
	// habit of plans that have one ("+44 (0)20 ..."), carried over to plans that have
	// none (Spain, Portugal, Greece, the NANP), where the library keeps the 0 and finds
	// the number too long. A number not valid so is read without it; Italy's, whose 0
	// belongs to the number, reads valid with it first.
	if err != nil || pi.typ == phonenumbers.UNKNOWN {
		if without, ok := dropTrunkZero(internationalPrefix(num)); ok {
			if other, oerr := parse(without); oerr == nil && other.typ != phonenumbers.UNKNOWN {
				pi, err = other, nil
			}
		}
	}
	// France's overseas departments dial within France's national plan: "0262 21 12 34"
	// written in Paris is Réunion's +262 262 21 12 34, "06 12 34 56 78" written in
	// Réunion is +33 6 12 34 56 78. A national number that is not valid in its region of
	// that plan is read in the plan's other regions.
	if (err != nil || pi.typ == phonenumbers.UNKNOWN) && frenchPlan[region] && frenchNational(num) {
		for _, r := range frenchPlanCodes {
			if r == region {
				continue
			}
			if other, oerr := parseIn(num, r); oerr == nil && other.typ != phonenumbers.UNKNOWN && !allSame(other.nsn) {
				pi, err = other, nil
				break
			}
		}
	}
	if err != nil {
		return bad(parseIssue(err)), ""
	}
	if allSame(pi.nsn) {
		return bad("phone.repeated_digits"), pi.e164
	}
	if pi.typ == phonenumbers.UNKNOWN {
		return bad(possibleIssue(pi.possible)), pi.e164
	}
	if ext == "" {
		ext = pi.ext
	}
	var issues []string
	if sequences[pi.nsn] {
		issues = append(issues, "phone.suspicious_sequence")
	}
	st := contact.StatusCorrected
	if s == pi.e164 {
		st = contact.StatusValid
	}
	return contact.Phone{
		Field:     contact.Field{Value: pi.e164, Status: st, Issues: issues},
		Type:      typeName(pi.typ),
		Region:    pi.region,
		Extension: ext,
	}, pi.e164
}

// frenchPlan holds the regions that share France's national numbering plan (ten digits
// from a leading 0: metropolitan France and the overseas departments and collectivities
// of the Atlantic and the Indian Ocean); frenchPlanCodes one region of each of their
// country calling codes (RE's +262 holds YT, GP's +590 BL and MF), France's first:
// not PM, whose national numbers have six digits after the trunk 0.
var (
	frenchPlan      = map[string]bool{"FR": true, "RE": true, "YT": true, "GP": true, "BL": true, "MF": true, "GF": true, "MQ": true, "PM": true}
	frenchPlanCodes = []string{"FR", "RE", "GP", "GF", "MQ"}
)

// frenchNational reports whether s is written as a national number of France's plan:
// ten digits, the first a single 0 (the trunk prefix), no "+" before them. A shorter one
// read in Saint-Pierre's six-digit plan, which takes a trunk 0 too, became a valid number
// there ("04 12 34 5", a truncated metropolitan one).
func frenchNational(s string) bool {
	d := digits(s)
	return len(d) == 10 && d[0] == '0' && d[1] != '0' && !strings.Contains(s[:strings.IndexByte(s, '0')], "+")
}

// slowPhone parses in with phonenumbers: the path for every number fastPhone leaves.
// It fills region only for a valid number and possible only for an invalid one, as
// phoneOne reads them.
func slowPhone(in, region string) (phoneInfo, error) {
	pn, err := phonenumbers.Parse(in, region)
	if err != nil {
		return phoneInfo{}, err
	}
	pi := phoneInfo{
		e164: phonenumbers.Format(pn, phonenumbers.E164),
		nsn:  phonenumbers.GetNationalSignificantNumber(pn),
		typ:  phonenumbers.UNKNOWN,
		ext:  pn.GetExtension(),
	}
	if allSame(pi.nsn) {
		return pi, nil // phoneOne stops there
	}
	// GetNumberType does IsValidNumber's work and more: UNKNOWN means not valid, so one
	// call gives both answers.
	if pi.typ = phonenumbers.GetNumberType(pn); pi.typ == phonenumbers.UNKNOWN {
		pi.possible = phonenumbers.IsPossibleNumberWithReason(pn)
	} else {
		pi.region = phonenumbers.GetRegionCodeForNumber(pn)
	}
	return pi, nil
}

// digitProfile reports whether s has no digit, and whether its digits are all the same
// digit (two at least), counting digits as phonenumbers.NormalizeDigitsOnly does; ASCII
// input is read without building the digit string.
func digitProfile(s string) (none, same bool) {
	var first byte
	n := 0
	same = true
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= utf8.RuneSelf:
			d := phonenumbers.NormalizeDigitsOnly(s)
			return d == "", allSame(d)
		case c < '0' || c > '9':
		case n == 0:
			first, n = c, 1
		default:
			same = same && c == first
			n++
		}
	}
	return n == 0, same && n >= 2
}

// internationalPrefix turns a leading "00" into "+", so that "0033 6 ..." reads as French
// whatever the default region's own international prefix is ("011" in the US).
func internationalPrefix(s string) string {
	i := strings.IndexFunc(s, func(r rune) bool { return r == '+' || ('0' <= r && r <= '9') })
	if i < 0 {
		return s
	}
	rest := s[i:]
	if strings.HasPrefix(rest, "+00") {
		rest = rest[1:]
	}
	if len(rest) > 2 && rest[0] == '0' && rest[1] == '0' && rest[2] >= '1' && rest[2] <= '9' {
		return s[:i] + "+" + rest[2:]
	}
	return s[:i] + rest
}

// dropTrunkZero removes the first "(0)" of s when a "+" (a country code) comes before
// it; ok is false when there is none.
func dropTrunkZero(s string) (string, bool) {
	i := strings.Index(s, "(0)")
	if i < 0 || !strings.Contains(s[:i], "+") {
		return s, false
	}
	return s[:i] + " " + s[i+len("(0)"):], true
}

func parseIssue(err error) string {
	switch {
	case errors.Is(err, phonenumbers.ErrInvalidCountryCode):
		return "phone.invalid_country_code"
	case errors.Is(err, phonenumbers.ErrTooShortNSN), errors.Is(err, phonenumbers.ErrTooShortAfterIDD):
		return "phone.too_short"
	case errors.Is(err, phonenumbers.ErrNumTooLong):
		return "phone.too_long"
	case errors.Is(err, phonenumbers.ErrNotANumber):
		return "phone.not_a_number"
	}
	return "phone.unparseable"
}

func possibleIssue(v phonenumbers.ValidationResult) string {
	switch v {
	case phonenumbers.IS_POSSIBLE, phonenumbers.IS_POSSIBLE_LOCAL_ONLY:
		return "phone.not_valid_but_possible"
	case phonenumbers.TOO_SHORT:
		return "phone.too_short"
	case phonenumbers.TOO_LONG:
		return "phone.too_long"
	case phonenumbers.INVALID_COUNTRY_CODE:
		return "phone.invalid_country_code"
	}
	return "phone.invalid_length"
}

// sequences are national numbers that are valid but almost always typed to fill a form.
var sequences = map[string]bool{"123456789": true, "1234567890": true, "987654321": true, "9876543210": true}

var typeNames = map[phonenumbers.PhoneNumberType]string{
	phonenumbers.MOBILE: "mobile", phonenumbers.FIXED_LINE: "fixed_line",
	phonenumbers.FIXED_LINE_OR_MOBILE: "fixed_or_mobile", phonenumbers.VOIP: "voip",
	phonenumbers.TOLL_FREE: "toll_free", phonenumbers.PREMIUM_RATE: "premium",
	phonenumbers.SHARED_COST: "shared_cost", phonenumbers.PERSONAL_NUMBER: "personal",
	phonenumbers.PAGER: "pager", phonenumbers.UAN: "uan", phonenumbers.VOICEMAIL: "voicemail",
}

func typeName(t phonenumbers.PhoneNumberType) string {
	if s, ok := typeNames[t]; ok {
		return s
	}
	return "unknown"
}

// joinExtensions turns a separator before a spelled-out extension ("01 42 68 53 00,
// poste 12"; "…; ext. 12") into a space, so that the extension stays with its number
// instead of being split off as a second, invalid phone. Only the keywords of three
// letters or more: ", x 12" or ", p 3" may well be something else.
func joinExtensions(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] != ',' && s[i] != ';' {
			continue
		}
		rest := strings.TrimLeft(s[i+1:], " ")
		lower := strings.ToLower(rest)
		for _, kw := range extKeywords {
			if len(kw) < 3 || !strings.HasPrefix(lower, kw) {
				continue
			}
			tail := strings.TrimLeft(rest[len(kw):], " .:=-")
			j := 0
			for j < len(tail) && tail[j] >= '0' && tail[j] <= '9' {
				j++
			}
			if j > 0 && j <= 7 && (j == len(tail) || !unicode.IsLetter(rune(tail[j]))) {
				s = s[:i] + " " + s[i+1:]
			}
			break
		}
	}
	return s
}

// extKeywords introduce an extension, longest first so that "extension" wins over "ext".
var extKeywords = []string{"extension", "durchwahl", "extn", "poste", "ext", "app", "dw", "x", "#", "p"}

// splitExtension separates a trailing extension ("ext. 12", "poste 12", "x12", "#12")
// from the number. The number part must keep at least 6 digits, so "x12" alone is not
// read as an extension.
func splitExtension(s string) (num, ext string) {
	end := len(s)
	for end > 0 && (s[end-1] == ' ' || s[end-1] == ')') {
		end--
	}
	start := end
	for start > 0 && s[start-1] >= '0' && s[start-1] <= '9' {
		start--
	}
	if start == end || end-start > 7 {
		return s, ""
	}
	p := strings.TrimRight(s[:start], " .:=-")
	lp := strings.ToLower(p)
	for _, kw := range extKeywords {
		if !strings.HasSuffix(lp, kw) {
			continue
		}
		before := p[:len(p)-len(kw)]
		if r, _ := utf8.DecodeLastRuneInString(before); unicode.IsLetter(r) {
			continue // "fax 12": the keyword is the end of a word
		}
		before = strings.TrimRight(before, " ,;-/(")
		if len(phonenumbers.NormalizeDigitsOnly(before)) < 6 {
			continue
		}
		return before, s[start:end]
	}
	return s, ""
}

// stripLabel removes what labels a number rather than dials it: a trailing group in
// parentheses without digits ("(home)", "(bureau)") and trailing words of letters
// ("06 12 34 56 78 mobile"). The phone library would read the letters as a vanity number
// and find the number too long.
func stripLabel(s string) string {
	for {
		t := strings.TrimRight(s, " ,;:-")
		switch {
		case strings.HasSuffix(t, ")"):
			open := strings.LastIndexByte(t, '(')
			if open < 0 || strings.ContainsAny(t[open:], "0123456789") {
				return s
			}
			t = t[:open]
		default:
			sp := strings.LastIndexByte(t, ' ')
			if sp < 0 || !isWord(t[sp+1:]) {
				return s
			}
			t = t[:sp]
		}
		if !strings.ContainsAny(t, "0123456789") {
			return s
		}
		s = t
	}
}

// isWord reports whether w is made of letters (and dots) only.
func isWord(w string) bool {
	if w == "" {
		return false
	}
	for _, r := range w {
		if !unicode.IsLetter(r) && r != '.' {
			return false
		}
	}
	return true
}

// extMarkers are the dialling forms of an extension: RFC 3966 ";ext=" and the ",," pause.
var extMarkers = strings.NewReplacer(";ext=", " ext ", ",,", " ext ")

// splitPhones cuts a field holding several numbers into one string per number.
func splitPhones(raw string) []string {
	if simplePhone(raw) { // the common case: one number, nothing to split
		return []string{clean(raw)}
	}
	// NFC first: U+037E (Greek question mark) is a ';' once normalized.
	s := strings.TrimSpace(norm.NFC.String(strings.ToValidUTF8(raw, "")))
	if strings.Contains(s, ";ext=") || strings.Contains(s, ",,") {
		s = extMarkers.Replace(s)
	}
	s = joinExtensions(s)
	var out []string
	for _, part := range strings.FieldsFunc(s, func(r rune) bool {
		return r == ';' || r == ',' || r == '|' || r == '\n' || r == '\r'
	}) {
		part = clean(part)
		for len(part) >= 4 && strings.EqualFold(part[:4], "tel:") {
			part = strings.TrimSpace(part[4:]) // RFC 3966 URI
		}
		for _, piece := range splitWords(part) {
			for _, p := range splitWhole(piece, "/") {
				out = append(out, splitWhole(p, " - ")...)
			}
		}
	}
	// Drop blank pieces, and pieces without digits ("Tel", "mobile") when others have some.
	var kept, other []string
	for _, p := range out {
		switch {
		case clean(p) == "":
		case strings.IndexFunc(p, unicode.IsDigit) >= 0:
			kept = append(kept, p)
		default:
			other = append(other, p)
		}
	}
	if len(kept) == 0 && len(other) > 0 {
		return other[:1]
	}
	return kept
}

// simplePhone reports whether raw is one number written with ASCII digits, spaces and
// + - . ( ) only (no separator, word or slash): splitPhones' answer is then raw cleaned.
func simplePhone(raw string) bool {
	digit := false
	for i := 0; i < len(raw); i++ {
		switch c := raw[i]; {
		case c >= '0' && c <= '9':
			digit = true
		case c == '-' && i > 0 && raw[i-1] == ' ':
			return false // " - " may join two numbers: splitWhole decides
		case c == ' ' || c == '+' || c == '-' || c == '.' || c == '(' || c == ')':
		default:
			return false
		}
	}
	return digit
}

var phoneSeparatorWords = map[string]bool{"ou": true, "or": true, "oder": true, "et": true, "and": true, "und": true, "sinon": true}

// splitWords cuts s, a cleaned string, at separator words standing alone ("... ou ...").
func splitWords(s string) []string {
	if !hasLetterOrNonASCII(s) { // no word at all: s is its only piece
		if s == "" {
			return nil
		}
		return []string{s}
	}
	fields := strings.Fields(s)
	var out []string
	start := 0
	for i, f := range fields {
		if phoneSeparatorWords[strings.ToLower(f)] && i > start && i < len(fields)-1 {
			out = append(out, strings.Join(fields[start:i], " "))
			start = i + 1
		}
	}
	if start < len(fields) {
		out = append(out, strings.Join(fields[start:], " "))
	}
	return out
}

// hasLetterOrNonASCII reports whether s holds an ASCII letter or a non-ASCII byte.
func hasLetterOrNonASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i] | 0x20; c >= 'a' && c <= 'z' || s[i] >= utf8.RuneSelf {
			return true
		}
	}
	return false
}

// splitWhole cuts s at sep only when every side is a whole number (7 digits or more):
// "030/1234567" is one German number, "0123456789 / 0612345678" two; with " - ",
// "089 636 48018 - 0171 2345678" is two, "030 - 1234567" and "+49 30 123456 - 0" (the
// switchboard's extension) one.
func splitWhole(s, sep string) []string {
	if !strings.Contains(s, sep) {
		return []string{s}
	}
	parts := strings.Split(s, sep)
	if len(parts) == 2 && sep == "/" {
		// "06 12 34 56 78 / 79": a second line whose number differs in its last two
		// digits, written as those digits (a French habit for a fax beside the phone).
		body, last := strings.TrimSpace(parts[0]), strings.TrimSpace(parts[1])
		if n := len(body); len(phonenumbers.NormalizeDigitsOnly(body)) >= 9 && len(last) == 2 && isDigitByte(last[0]) && isDigitByte(last[1]) &&
			n > 3 && isDigitByte(body[n-1]) && isDigitByte(body[n-2]) && !isDigitByte(body[n-3]) {
			return []string{body, body[:n-2] + last}
		}
	}
	for _, p := range parts {
		if len(phonenumbers.NormalizeDigitsOnly(p)) < 7 {
			return []string{s}
		}
	}
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return parts
}
