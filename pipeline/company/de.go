package company

import (
	"regexp"
	"slices"
	"strings"
	"unicode"

	"github.com/steward-crm/steward/contact"
)

// hrNumber finds a register and its number: HRA (partnerships), HRB (corporations), GnR
// (cooperatives), GsR (civil-law partnerships, since 2024), PR (professional
// partnerships), VR (associations); an optional "Nr."; up to 6 digits; an optional
// 1–2 letter court suffix in capitals ("HRB 12345 B" in Berlin, "HRB 1234 KI" in Kiel).
var hrNumber = regexp.MustCompile(`(?:^|[^\p{L}\d])((?i:HR\s*A|HR\s*B|GnR|GsR|PR|VR))\s*(?:(?i:Nr|No)\.?\s*)?(\d{1,6})(?:\s+([A-Z]{1,2}))?(?:$|[^\p{L}\d])`)

// hrRegisters maps a folded register name to its canonical spelling.
var hrRegisters = map[string]string{"HRA": "HRA", "HRB": "HRB", "GNR": "GnR", "GSR": "GsR", "PR": "PR", "VR": "VR"}

// hrNoise are words around a court name that are not part of it ("Amtsgericht München",
// "Handelsregister des Amtsgerichts Köln", "Registergericht: AG Hamburg").
var hrNoise = map[string]bool{
	"amtsgericht": true, "amtsgerichts": true, "ag": true, "registergericht": true,
	"handelsregister": true, "registernummer": true, "register": true, "sitz": true,
	"eingetragen": true, "im": true, "beim": true, "des": true, "am": true, "in": true,
	"genossenschaftsregister": true, "vereinsregister": true, "partnerschaftsregister": true,
	"gesellschaftsregister": true,
}

// Handelsregister validates a German commercial register number and splits off its
// court: "Amtsgericht München HRB 123456" gives the Value "HRB 123456" and the court
// "München". The register is one of HRA, HRB, GnR, GsR, PR and VR; the number has up to
// 6 digits (leading zeros dropped) and may carry a court suffix ("HRB 12345 B"). The
// status is valid when the register and number were already written canonically,
// corrected otherwise ("hrb123456"); the court is returned as written, without
// "Amtsgericht" and the like, and is not checked against the list of courts. A number
// is only unique together with its court. Issues of an invalid number:
// "handelsregister.bad_format" (no register and number found),
// "handelsregister.all_zero".
func Handelsregister(raw string) (f contact.Field, court string) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return contact.Missing(), ""
	}
	m := hrNumber.FindStringSubmatchIndex(s)
	if m == nil {
		return invalid(raw, "handelsregister.bad_format"), ""
	}
	reg := hrRegisters[strings.ToUpper(strings.Join(strings.Fields(s[m[2]:m[3]]), ""))]
	num := strings.TrimLeft(s[m[4]:m[5]], "0")
	if num == "" {
		return invalid(raw, "handelsregister.all_zero"), ""
	}
	value, end := reg+" "+num, m[5]
	if m[6] >= 0 && s[m[6]:m[7]] != "AG" {
		value, end = value+" "+s[m[6]:m[7]], m[7]
	}
	// A segment naming a court ("Amtsgericht Stuttgart") wins, before the number or
	// after it; else the nearest segment before it, then after it ("München HRB 1234").
	before, after := s[:m[2]], s[end:]
	court = hrCourt(before, true, true)
	if court == "" {
		court = hrCourt(after, false, true)
	}
	if court == "" {
		court = hrCourt(before, true, false)
	}
	if court == "" {
		court = hrCourt(after, false, false)
	}
	f = contact.Field{Value: value, Status: contact.StatusCorrected}
	if s[m[2]:end] == value {
		f.Status = contact.StatusValid
	}
	return f, court
}

// hrCourt extracts a court name from the text before (last) or after a register number:
// the comma- or semicolon-separated segment nearest to the number that holds more than
// noise words, so that "Sitz: Berlin, Amtsgericht Charlottenburg HRB 12345 B, USt-IdNr.
// DE…" gives "Charlottenburg". named: only a segment that names a court, its first
// words noise with a court among them ("Amtsgericht", "AG", "Registergericht": not
// "Siemens AG").
func hrCourt(s string, last, named bool) string {
	segs := strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' })
	if last {
		slices.Reverse(segs)
	}
	for _, seg := range segs {
		if named && !hrNamesCourt(seg) {
			continue
		}
		if c := hrCourtSegment(seg); c != "" {
			return c
		}
	}
	return ""
}

// hrCourtWords name a register court.
var hrCourtWords = map[string]bool{"amtsgericht": true, "amtsgerichts": true, "ag": true, "registergericht": true}

// hrNamesCourt reports whether a segment begins with noise words, a court word among
// them ("Handelsregister des Amtsgerichts Köln").
func hrNamesCourt(seg string) bool {
	for _, t := range strings.FieldsFunc(seg, func(r rune) bool { return unicode.IsSpace(r) || r == ':' }) {
		t = strings.ToLower(strings.Trim(t, ".()-–"))
		switch {
		case t == "":
		case hrCourtWords[t]:
			return true
		case !hrNoise[t]:
			return false
		}
	}
	return false
}

// hrCourtSegment strips the noise words at both ends of one segment.
func hrCourtSegment(s string) string {
	toks := strings.FieldsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || r == ':' })
	noise := func(t string) bool {
		t = strings.Trim(t, ".()-–")
		return t == "" || hrNoise[strings.ToLower(t)]
	}
	for len(toks) > 0 && noise(toks[0]) {
		toks = toks[1:]
	}
	for len(toks) > 0 && noise(toks[len(toks)-1]) {
		toks = toks[:len(toks)-1]
	}
	c := strings.Trim(strings.Join(toks, " "), "-–")
	if strings.Count(c, "(") != strings.Count(c, ")") {
		c = strings.Trim(c, "()")
	}
	return c
}
