package normalize

import (
	"slices"
	"strings"

	"github.com/steward-crm/steward/contact"
	"github.com/steward-crm/steward/fold"
)

// Address normalizes a postal address. Country is resolved as Country does (absent: the
// country stays missing and nothing is derived from the other fields, so no street type is
// expanded and the postcode is only cleaned). The street line is split into Number (with
// its suffix: "12 BIS", "5A"; after the street in DE, AT, CH, NL, BE, IT, ES...) and
// Street, whose type is expanded to one canonical form per country from
// Tables.StreetTypes ("bd" → BOULEVARD; "Str." → STRASSE in DE, "St" → STREET in US and
// GB, only as the last word there, so "St Charles Ave" keeps its saint).
//
// Street and City are upper case as postal conventions want, accents kept; CityKey is
// folded without the CEDEX part. Case is cosmetic (status valid); an expansion, a CEDEX
// moved from the postcode or a part found on another line is a correction. A post-office
// box (BP, CS, Boîte Postale, PO Box, Postfach) is recognized and flagged
// "address.po_box"; with no street line it stands as the Street. A postcode-and-city line
// among Lines is used when the postcode or city field is empty. Lines are the cleaned
// address lines, upper case, the street line rewritten "NUMBER STREET" (or "STREET
// NUMBER" where the number comes after), and the postcode-and-city line (or segment:
// "Flat 3, 75002 Paris") removed.
func (n *Normalizer) Address(a contact.Address) contact.NormAddress {
	out := contact.NormAddress{Country: n.Country(a.Country)}
	cc := ""
	if out.Country.Usable() {
		cc = out.Country.Value
	}
	lines := splitLines(a.Lines)
	pcRaw, cityRaw := a.Postcode, a.City
	var moved []string
	if noPC, noCity := clean(pcRaw) == "", strings.Trim(clean(cityRaw), cityTrim) == ""; noPC || noCity {
		if i, pc, city, rest := n.findPostcodeCity(lines, cc); i >= 0 {
			lines = slices.Concat(lines[:i], rest, lines[i+1:])
			if noPC {
				pcRaw = pc
				moved = append(moved, "postcode.from_lines")
			}
			if noCity {
				cityRaw = city
			}
		} else if pc, city, ok := n.splitPostcodeCity(strings.Trim(clean(cityRaw), cityTrim), cc); ok && noPC {
			// Read as the city will be written: a control character between the
			// postcode and the city ("08888\x01Town") is a space once cleaned, and
			// punctuation before the postcode (";;00000 Town") is trimmed; a second pass
			// would find the postcode the first one missed.
			pcRaw, cityRaw = pc, city
			moved = append(moved, "postcode.from_city")
		}
	}
	pc, cedex := n.postcode(pcRaw, cc)
	if len(moved) > 0 && pc.Usable() {
		pc.Status, pc.Issues = contact.StatusCorrected, append(moved, pc.Issues...)
	}
	out.Postcode = pc
	out.City, out.CityKey = n.city(a.City, cityRaw, cedex, cc)
	out.Region = n.region(a.Region, cityRaw, cc)
	out.Street, out.Number, out.Lines = n.street(lines, cc)
	return out
}

// city normalizes the city; raw is the city field as sent, s the city read (which may
// come from the lines), cedex the CEDEX part the postcode held.
func (n *Normalizer) city(raw, s, cedex, cc string) (contact.Field, string) {
	c := upper(strings.Trim(clean(s), cityTrim))
	if c == "" && cedex == "" {
		return contact.Missing(), ""
	}
	var issues []string
	if i := strings.Index(c, "CEDEX"); i >= 0 {
		// The city's CEDEX part when the postcode held none, or a bare "CEDEX" where the
		// city's has its number ("75009 Cedex", "Paris Cedex 9": CEDEX 9, which was lost).
		if own := strings.Trim(strings.Join(strings.Fields(c[i:]), " "), cityTrim); cedex == "" || (hasDigit(own) && !hasDigit(cedex)) {
			cedex = own
		}
		c = strings.TrimSpace(c[:i])
	} else if cedex != "" {
		issues = append(issues, "city.cedex_from_postcode")
	}
	if cc == "US" {
		// "Springfield, IL": the state has no place in NormAddress yet. A city that
		// would still end with a state after the cut is left alone, so that a second
		// pass cuts nothing more.
		if city, ok := n.cutState(c); ok {
			if _, again := n.cutState(city); !again {
				c = city
				issues = append(issues, "city.state_removed")
			}
		}
	}
	if c == "" {
		// Only punctuation and a CEDEX: no city, as punctuation alone is none (a CEDEX
		// without its city is not kept).
		return contact.Missing(), ""
	}
	key := fold.Key(c)
	if n.isPlaceholderKey(key) {
		return invalid(s, "city.placeholder"), ""
	}
	if !hasLetter(c) {
		return invalid(s, "city.no_letters"), ""
	}
	if cedex != "" {
		c = strings.TrimSpace(c + " " + cedex)
	}
	st := contact.StatusValid
	if c != upper(clean(raw)) {
		st = contact.StatusCorrected
	}
	return contact.Field{Value: c, Status: st, Issues: issues}, key
}

// splitLines cleans the address lines: one entry per line, none empty.
func splitLines(in []string) []string {
	var out []string
	for _, l := range in {
		for part := range strings.SplitSeq(l, "\n") {
			if s := strings.Trim(clean(part), ", "); s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}

// findPostcodeCity looks for a "postcode city" (or "city postcode") line, last first, and
// returns its index, what it reads and what is left of the line: nothing, or the other
// segments when one segment of it was the postcode and city ("Flat 3, 75002 Paris").
//
// A segment is also read as street writes it, since that is what a second pass reads: the
// rewrite sets a glued number apart ("Calle Mayor28001" → "CALLE MAYOR 28001",
// "Postfach10115" → "POSTFACH 10115", "75002bis rue X" → "75002 BIS RUE X") and cuts a
// line at its complement ("Flat 3, 75002 Paris" → "FLAT 3" and "75002 PARIS"). Every
// segment is written as if it were the street line. That reads more than a second pass
// would, which is harmless: a postcode found here is kept, and a second pass, which finds
// the postcode field filled, does not search again.
func (n *Normalizer) findPostcodeCity(lines []string, cc string) (int, string, string, []string) {
	if cc == "" {
		return -1, "", "", nil
	}
	for i := len(lines) - 1; i >= 0 && i >= len(lines)-2; i-- {
		if pc, city, ok := n.splitPostcodeCity(lines[i], cc); ok {
			return i, pc, city, nil
		}
		segs := n.splitComplement(lines[i])
		for j := len(segs) - 1; j >= 0; j-- {
			_, _, written := n.street(segs[j:j+1], cc)
			for _, w := range written {
				if pc, city, ok := n.splitPostcodeCity(w, cc); ok {
					return i, pc, city, slices.Delete(segs, j, j+1)
				}
			}
		}
	}
	return -1, "", "", nil
}

// splitPostcodeCity reads "75009 Paris", "Paris 75009", "London SW1A 1AA" or
// "Springfield, IL 62701" for country cc.
func (n *Normalizer) splitPostcodeCity(s, cc string) (pc, city string, ok bool) {
	toks := strings.Fields(strings.ReplaceAll(s, ",", " , "))
	if !checksPostcodes(cc) || len(toks) < 2 {
		return "", "", false
	}
	valid := func(t []string) bool {
		f, _ := n.postcode(strings.Join(t, " "), cc)
		// A restored zero would read a US house number ("1600") as a ZIP code. Two
		// tokens make a postcode only where the format has a space ("SW1A 1AA"): "10 000"
		// in a French street line is a house number and a word, whatever "10000" means.
		return f.Usable() && hasDigit(strings.Join(t, "")) && !slices.Contains(f.Issues, "postcode.leading_zero_restored") &&
			(len(t) == 1 || strings.Contains(f.Value, " "))
	}
	for k := 2; k >= 1; k-- {
		// A US ZIP code follows the city: a number opening a US line is a house number
		// ("15234 Ventura Blvd").
		if cc != "US" && len(toks) > k && valid(toks[:k]) && hasLetter(strings.Join(toks[k:], "")) {
			return strings.Join(toks[:k], " "), joinCity(toks[k:]), true
		}
		if len(toks) > k && valid(toks[len(toks)-k:]) && hasLetter(strings.Join(toks[:len(toks)-k], "")) {
			return strings.Join(toks[len(toks)-k:], " "), joinCity(toks[:len(toks)-k]), true
		}
	}
	return "", "", false
}

func joinCity(toks []string) string {
	return strings.Trim(strings.ReplaceAll(strings.Join(toks, " "), " , ", ", "), ", ")
}

func hasDigit(s string) bool { return strings.ContainsAny(s, "0123456789") }

// region returns the US state code from the region field (a code or a name of
// Tables.USStateNames), or from a city written "Springfield, IL" (which city() cuts); ""
// elsewhere or when unknown.
func (n *Normalizer) region(raw, city, cc string) string {
	if cc != "US" {
		return ""
	}
	if st := upper(strings.TrimSpace(raw)); n.t.USStates[st] {
		return st
	}
	if st, ok := n.t.USStateNames[fold.Key(raw)]; ok {
		return st
	}
	c := upper(strings.Trim(clean(city), cityTrim))
	if i := strings.LastIndexByte(c, ','); i > 0 {
		if st := strings.TrimSpace(c[i+1:]); n.t.USStates[st] {
			return st
		}
	}
	return ""
}

// cityTrim is what a city never starts or ends with.
const cityTrim = ",;-. "

// cutState removes a trailing ", ST" (a US state code) from a city.
func (n *Normalizer) cutState(c string) (string, bool) {
	i := strings.LastIndexByte(c, ',')
	if i <= 0 || !n.t.USStates[strings.TrimSpace(c[i+1:])] {
		return c, false
	}
	return strings.Trim(c[:i], cityTrim), true
}
