package normalize

import (
	"strings"

	"github.com/steward-crm/steward/contact"
	"github.com/steward-crm/steward/fold"
)

// numberLast lists countries where the house number usually follows the street name; the
// number is looked for at the end first there, at the start everywhere.
var numberLast = map[string]bool{
	"DE": true, "AT": true, "CH": true, "NL": true, "BE": true, "IT": true, "ES": true,
	"PT": true, "DK": true, "NO": true, "SE": true, "FI": true, "PL": true, "CZ": true,
}

// street finds the street line among the cleaned lines and returns Street, Number and the
// display lines. The street line is the first segment that is neither a box nor a
// complement and has a house number, else the first such segment: a building's name
// comes before its street in a French address ("Tour Montparnasse", then "33 avenue du
// Maine"), a company's name in a B2B export. A house number alone on its segment (an
// export's "Hausnummer" column mapped to a second line) joins the street segment before
// it, or after it, when that one has none.
func (n *Normalizer) street(lines []string, cc string) (contact.Field, string, []string) {
	type segment struct {
		text string
		cand bool // may be the street line
	}
	box := ""
	var segs []segment
	for _, l := range lines {
		for _, seg := range n.splitComplement(l) {
			// Upper case first: it can turn a mark into a letter (U+0345 → Ι).
			if seg = upper(seg); seg == "" {
				continue
			}
			b, cand := n.classify(seg, cc)
			switch {
			case b != "":
				segs = append(segs, segment{text: b})
				if box == "" {
					box = b
				}
			case cand:
				// "CALLE MAYOR 10, 2º IZQ.": the floor and door after the number are a
				// segment of their own.
				head, tail := n.cutAfterNumber(seg, cc)
				segs = append(segs, segment{text: head, cand: true})
				if tail != "" {
					segs = append(segs, segment{text: tail})
				}
			default:
				segs = append(segs, segment{text: seg})
			}
		}
	}
	type parsed struct {
		street       contact.Field
		number, line string
	}
	parses := make(map[int]parsed, 1)
	parse := func(i int) parsed {
		p, ok := parses[i]
		if !ok {
			p.street, p.number, p.line = n.parseStreet(segs[i].text, cc)
			parses[i] = p
		}
		return p
	}
	for i := 0; i < len(segs); i++ {
		if segs[i].cand || !n.bareNumber(segs[i].text, cc) {
			continue
		}
		for _, j := range []int{i - 1, i + 1} {
			if j < 0 || j >= len(segs) || !segs[j].cand || parse(j).number != "" {
				continue
			}
			// Written as the country writes it, whichever column came first; kept only
			// where the line rewritten reads back as a street and its number (a second
			// pass reads that line, and "0 A" is a number and its suffix).
			joined := []string{segs[i].text + " " + segs[j].text, segs[j].text + " " + segs[i].text}
			if numberLast[cc] {
				joined[0], joined[1] = joined[1], joined[0]
			}
			ok := false
			for _, l := range joined {
				if _, num, line := n.parseStreet(l, cc); num != "" {
					if b, cand := n.classify(line, cc); b != "" || !cand {
						continue // "POSTFACH 0": a box now
					}
					segs[j].text, ok = l, true
					break
				}
			}
			if !ok {
				continue
			}
			segs = append(segs[:i], segs[i+1:]...)
			clear(parses) // indexes moved
			i--
			break
		}
	}
	chosen := -1
	for i := range segs {
		if !segs[i].cand {
			continue
		}
		if b, cand := n.classify(parse(i).line, cc); b != "" || !cand {
			// Rewritten, it would not be a street line ("0 à 0 n" is "0-0 N", a number
			// and its suffix): a second pass would not take it.
			segs[i].cand = false
			continue
		}
		if chosen < 0 {
			chosen = i
		}
		if parse(i).number != "" {
			chosen = i
			break
		}
	}
	street, number := contact.Missing(), ""
	out := make([]string, 0, len(segs))
	for i, seg := range segs {
		if i == chosen {
			p := parse(i)
			street, number = p.street, p.number
			out = append(out, p.line)
			continue
		}
		out = append(out, seg.text)
	}
	// A rural French address names its place, not a street: "Lieu-dit Castelmore" is
	// where the house is, as the street is elsewhere (a complement word, it left the
	// address without a street for matching, where another source's "Castelmore" was
	// one; "LD Castelmore" reads as a street line without a number).
	var places []segment
	switch {
	case chosen >= 0 && number == "":
		places = segs[chosen : chosen+1]
	case chosen < 0 && box == "":
		places = segs
	}
	for _, seg := range places {
		if place := lieuDit(seg.text, cc); place != "" {
			street = contact.Field{Value: place, Status: contact.StatusValid, Issues: []string{"street.lieu_dit"}}
			break
		}
	}
	if box != "" {
		if chosen < 0 {
			street = contact.Field{Value: box, Status: contact.StatusValid}
		}
		street.Issues = appendIssue(street.Issues, "address.po_box")
	}
	if len(out) == 0 {
		out = nil
	}
	return street, number, out
}

// classify returns the canonical box of a segment (upper case) that is a post-office box,
// else whether it may be the street line: not a complement, with a letter, not a house
// number alone.
func (n *Normalizer) classify(seg, cc string) (box string, cand bool) {
	k := ""
	if seg[0] < '0' || seg[0] > '9' {
		// Box labels and complement words start with a letter: most street lines start
		// with their number and need no key.
		k = fold.Key(seg)
	}
	if b := n.poBox(k); b != "" {
		return b, false
	}
	return "", !n.isComplement(k) && hasLetter(seg) && !n.bareNumber(seg, cc)
}

// bareNumber reports whether seg is a house number alone ("12", "92A", "12 BIS"), its
// commas read as parseStreet reads them.
func (n *Normalizer) bareNumber(seg, cc string) bool {
	toks := strings.Fields(strings.ReplaceAll(seg, ",", " "))
	if len(toks) == 0 || len(toks) > 2 {
		return false
	}
	_, suf, ok := n.splitNumber(toks[0], cc)
	if ok && len(toks) == 2 {
		_, ok = n.suffixWord(toks[1], cc)
		ok = ok && suf == ""
	}
	return ok
}

// parseStreet splits a street line into its street (type expanded, upper case) and house
// number, and returns the line rewritten.
func (n *Normalizer) parseStreet(seg, cc string) (contact.Field, string, string) {
	toks := strings.Fields(strings.ReplaceAll(seg, ",", " "))
	// A North American unit at the end of the street line ("100 Main St Apt 4", "Suite
	// 200", "#4") is no part of the street: it stayed in it, and the street type before it
	// was not expanded ("MAIN ST APT 4" against "MAIN STREET"). It stays on the line.
	unit := ""
	if k := len(toks); (cc == "US" || cc == "CA") && k >= 3 {
		switch {
		case len(toks[k-1]) > 1 && toks[k-1][0] == '#':
			unit, toks = toks[k-1], toks[:k-1]
		case k >= 4 && unitWords[fold.Key(strings.TrimSuffix(toks[k-2], "."))] && hasDigit(toks[k-1]):
			unit, toks = toks[k-2]+" "+toks[k-1], toks[:k-2]
		}
	}
	number, name, last := "", toks, false
	if numberLast[cc] {
		number, name = n.trailingNumber(toks)
		last = number != ""
	}
	if number == "" {
		number, name = n.leadingNumber(toks, cc)
	}
	if !hasLetter(strings.Join(name, "")) {
		number, name, last = "", toks, false
	}
	before := upper(strings.Join(name, " "))
	expanded := n.expandTypes(name, cc)
	value := upper(strings.Join(expanded, " "))
	var issues []string
	if value != before {
		issues = append(issues, "street.type_expanded")
	}
	if number == "" {
		issues = append(issues, "street.number_missing")
	}
	st := contact.StatusValid
	if value != before {
		st = contact.StatusCorrected
	}
	line := value
	switch {
	case number != "" && last:
		line = value + " " + number
	case number != "":
		line = number + " " + value
	}
	if unit != "" {
		line += " " + upper(unit)
	}
	return contact.Field{Value: value, Status: st, Issues: issues}, number, line
}

// unitWords open a unit after a North American street ("Apt 4", "Suite 200").
var unitWords = map[string]bool{"apt": true, "apartment": true, "suite": true, "ste": true, "unit": true, "rm": true, "room": true, "fl": true, "floor": true}

// leadingNumber reads "12", "12bis", "12 bis", "12B", "12-14" at the start.
func (n *Normalizer) leadingNumber(toks []string, cc string) (string, []string) {
	if len(toks) < 2 {
		return "", toks
	}
	d, suf, ok := n.splitNumber(toks[0], cc)
	if !ok {
		return "", toks
	}
	rest := toks[1:]
	// A range in words: "12 à 14 rue de la Paix", "12 et 14" (the words and the second
	// number were left in the street: "À 14 RUE DE LA PAIX").
	// The range then takes a suffix as a number does: its line is written "12-14 B ...",
	// which a second pass reads so.
	if suf == "" && len(rest) > 2 && rangeWords[fold.Key(rest[0])] {
		if d2, suf2, ok := n.splitNumber(rest[1], cc); ok && suf2 == "" {
			if rd, rs, ok := n.splitNumber(d+"-"+d2, cc); ok {
				d, suf, rest = rd, rs, rest[2:]
			}
		}
	}
	if suf == "" && len(rest) > 1 && !n.opensStreet(rest[0], cc) {
		if s, ok := n.suffixWord(rest[0], cc); ok {
			suf, rest = s, rest[1:]
		}
	}
	return joinNumber(d, suf), rest
}

// opensStreet reports whether a word after the house number opens the street rather than
// being a suffix: a street type of the country ("12 r de la Paix") or a US directional
// ("350 W Main St").
func (n *Normalizer) opensStreet(w, cc string) bool {
	if _, ok := n.t.StreetTypes[cc][fold.Key(w)]; ok {
		return true
	}
	return cc == "US" && directionals[strings.ToUpper(strings.TrimSuffix(w, "."))] // "W." as suffixWord reads it
}

// rangeWords join the two numbers of a range of house numbers written in words.
var rangeWords = map[string]bool{"a": true, "au": true, "et": true}

// boxWords open a Belgian box number after the house number ("Wetstraat 16 bus 3", "rue
// Neuve 16 bte 3"): the box is not the house number.
var boxWords = map[string]bool{"bus": true, "bte": true, "boite": true, "bt": true}

// trailingNumber reads "Hauptstraße 5a", "Hauptstr. 5 a", "Hauptstr.5", and the number
// before a box ("Wetstraat 16 bus 3": 16; the box's 3 was taken, the street left "WETSTRAAT
// 16 BUS").
func (n *Normalizer) trailingNumber(toks []string) (string, []string) {
	k := len(toks)
	if k >= 4 && boxWords[fold.Key(strings.TrimSuffix(toks[k-2], "."))] && hasDigit(toks[k-1]) && hasDigit(toks[k-3]) {
		toks, k = toks[:k-2], k-2
	}
	if k >= 3 && len(toks[k-1]) == 1 && isLetterByte(toks[k-1][0]) {
		if d, suf, ok := n.splitNumber(toks[k-2], ""); ok && suf == "" {
			return joinNumber(d, strings.ToUpper(toks[k-1])), toks[:k-2]
		}
	}
	if k >= 2 {
		if d, suf, ok := n.splitNumber(toks[k-1], ""); ok {
			return joinNumber(d, suf), toks[:k-1]
		}
	}
	// Glued: "Hauptstr.5".
	t := toks[k-1]
	if i := strings.IndexAny(t, "0123456789"); i > 2 && !hasDigit(t[:i]) {
		if d, suf, ok := n.splitNumber(t[i:], ""); ok {
			return joinNumber(d, suf), append(toks[:k-1:k-1], t[:i])
		}
	}
	return "", toks
}

// splitNumber splits a house number token into digits and suffix: "12" "12bis" "12B"
// "12-14". ok is false when t is not a house number.
func (n *Normalizer) splitNumber(t, cc string) (d, suf string, ok bool) {
	i := 0
	for i < len(t) && t[i] >= '0' && t[i] <= '9' {
		i++
	}
	if i == 0 || i > 5 {
		return "", "", false
	}
	d, rest := t[:i], t[i:]
	if rest == "" {
		return d, "", true
	}
	if rest[0] == '-' {
		// A range, "12-14", possibly with its suffix glued: "12-14A" (what "12-14 A"
		// is written as, so that a second pass reads it back).
		j := 1
		for j < len(rest) && rest[j] >= '0' && rest[j] <= '9' {
			j++
		}
		if j == 1 || j > 6 {
			return "", "", false
		}
		if j == len(rest) {
			return t, "", true
		}
		if s, ok := n.suffixWord(rest[j:], cc); ok {
			return t[:i+j], s, true
		}
		return "", "", false
	}
	if s, ok := n.suffixWord(rest, cc); ok {
		return d, s, true
	}
	return "", "", false
}

// suffixWord reads a house number suffix: bis, ter, quater, or one letter.
func (n *Normalizer) suffixWord(w, cc string) (string, bool) {
	if len(w) > 12 || w != "" && w[0] >= '0' && w[0] <= '9' {
		return "", false // no suffix word is that long or starts with a digit
	}
	lw := strings.ToLower(strings.TrimSuffix(w, "."))
	if len(lw) == 1 && isLetterByte(lw[0]) {
		if s, ok := n.t.NumberSuffixes[lw]; ok && cc == "FR" {
			return s, true
		}
		return strings.ToUpper(lw), true
	}
	if s, ok := n.t.NumberSuffixes[lw]; ok {
		return s, true
	}
	return "", false
}

// joinNumber writes a number with its suffix: "12 BIS" for a word, "5A" for a letter.
func joinNumber(d, suf string) string {
	if len(suf) > 1 {
		return d + " " + suf
	}
	return d + suf
}

// deSuffixes are the spellings of "Straße" at the end of a German compound street name.
var deSuffixes = []string{"straße", "strasse", "str."}

// expandTypes replaces street-type abbreviations by the country's canonical form: the
// first word in FR, the last word (before a US directional) in US and GB, any word and
// the end of a compound ("Hauptstr.") in DE and the other countries of the table.
func (n *Normalizer) expandTypes(toks []string, cc string) []string {
	types := n.t.StreetTypes[cc]
	if len(types) == 0 || len(toks) == 0 {
		return toks
	}
	out := append([]string(nil), toks...)
	expand := func(i int) {
		if c, ok := types[fold.Key(out[i])]; ok {
			out[i] = c
		}
	}
	switch cc {
	case "FR":
		expand(0)
		// The words of the name after its type (and a first word that is no type): "RUE
		// DU FBG ST DENIS" is the RUE DU FAUBOURG SAINT-DENIS another source writes in
		// full (the street compared apart), "GDE RUE" the GRANDE RUE.
		words := n.t.StreetWords[cc]
		for i := range out {
			if c, ok := words[fold.Key(out[i])]; ok && (i > 0 || types[fold.Key(out[0])] == "") {
				out[i] = c
			}
		}
	case "US", "GB":
		i := len(out) - 1
		if cc == "US" && i > 0 && directionals[strings.ToUpper(out[i])] {
			i--
		}
		if i > 0 {
			expand(i)
		}
	default:
		for i := range out {
			expand(i)
			lw := strings.ToLower(out[i])
			for _, s := range deSuffixes {
				if len(lw) > len(s)+2 && strings.HasSuffix(lw, s) {
					if c, ok := types[fold.Key(s)]; ok {
						out[i] = lw[:len(lw)-len(s)] + c
					}
					break
				}
			}
			if lw = strings.ToLower(out[i]); len(lw) > 5 && strings.HasSuffix(lw, "str") {
				if c, ok := types["str"]; ok {
					out[i] = lw[:len(lw)-3] + c
				}
			}
		}
	}
	return out
}

var directionals = map[string]bool{"N": true, "S": true, "E": true, "W": true, "NE": true, "NW": true, "SE": true, "SW": true}

// poBox returns the canonical form of a post-office box segment ("BP 123") from its
// folded key, or "".
func (n *Normalizer) poBox(k string) string {
	// Most segments are streets: a box label starts with b, c, t, p or a letter of the
	// table's labels; check the first byte before scanning the table.
	if k == "" || !n.poBoxStart[k[0]] {
		return ""
	}
	best := ""
	for label := range n.t.POBoxWords {
		if len(label) > len(best) && strings.HasPrefix(k, label) && len(k) > len(label) {
			if c := k[len(label)]; c == ' ' || (c >= '0' && c <= '9') {
				best = label
			}
		}
	}
	if best == "" || !hasDigit(k[len(best):]) {
		return ""
	}
	return n.t.POBoxWords[best] + " " + strings.ToUpper(strings.TrimSpace(k[len(best):]))
}

// isComplement reports whether the folded key of a segment starts an address complement
// (flat, building, c/o), its number glued or not: where the number comes last, "Wohnung3"
// would otherwise be taken for a street and written "WOHNUNG 3", a complement.
func (n *Normalizer) isComplement(k string) bool {
	first, rest, _ := strings.Cut(k, " ")
	if i := strings.IndexAny(first, "0123456789"); i > 0 {
		first = first[:i]
	}
	if n.t.ComplementWords[first] {
		return true
	}
	second, _, _ := strings.Cut(rest, " ")
	return n.t.ComplementWords[first+" "+second]
}

// splitComplement splits "Flat 3, 12 High St" into its complements and its street.
func (n *Normalizer) splitComplement(l string) []string {
	var out []string
	for {
		first, rest, ok := strings.Cut(l, ",")
		first, rest = strings.Trim(first, ", "), strings.Trim(rest, ", ")
		if !ok || rest == "" || !n.isComplement(fold.Key(first)) {
			return append(out, l)
		}
		out, l = append(out, first), rest
	}
}

func isLetterByte(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// lieuDit returns the place a French "lieu-dit" segment names ("LIEU-DIT CASTELMORE",
// "LIEU DIT LE BOURG"; in France also "LD CASTELMORE", La Poste's abbreviation) in upper
// case, or "".
func lieuDit(seg, cc string) string {
	prefixes := []string{"LIEU-DIT ", "LIEU DIT ", "LIEUDIT ", "LIEU-DIT:", "LIEUDIT:"}
	if cc == "FR" || cc == "" {
		prefixes = append(prefixes, "LD ", "L.D. ") // elsewhere no lieu-dit
	}
	for _, p := range prefixes {
		if rest, ok := strings.CutPrefix(seg, p); ok {
			rest = strings.TrimLeft(strings.TrimSpace(rest), ":,- ")
			if hasLetter(rest) {
				return rest
			}
		}
	}
	return ""
}

// cutAfterNumber splits a street line of a country that writes the house number after
// the street at a comma or a " / " that follows the number ("CALLE MAYOR 10, 2º IZQ.",
// "FRIEDRICHSTRASSE 123 / HINTERHAUS": a floor, a door, a back building), when the
// line has no number as a whole and its head has one; tail is "" otherwise.
func (n *Normalizer) cutAfterNumber(seg, cc string) (head, tail string) {
	if !numberLast[cc] {
		return seg, ""
	}
	i := strings.Index(seg, ",")
	if j := strings.Index(seg, " / "); j >= 0 && (i < 0 || j < i) {
		i = j
	}
	if i <= 0 {
		return seg, ""
	}
	head, tail = strings.TrimSpace(seg[:i]), strings.Trim(seg[i:], ",/ ")
	if tail == "" || !hasDigit(head) {
		return seg, ""
	}
	if _, num, _ := n.parseStreet(seg, cc); num != "" {
		return seg, ""
	}
	if _, num, _ := n.parseStreet(head, cc); num == "" {
		return seg, ""
	}
	return head, tail
}
