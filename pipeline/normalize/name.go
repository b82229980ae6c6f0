package normalize

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/steward-crm/steward/contact"
	"github.com/steward-crm/steward/fold"
)

// NameResult is a normalized person name. The keys are set only for usable parts.
type NameResult struct {
	Civility contact.Field
	Given    contact.Field
	Family   contact.Field
	// GivenKey and FamilyKey are fold.Key of the display values without one-letter words
	// ("Jean P." → "jean") unless the name is only initials.
	GivenKey  string
	FamilyKey string
	// FamilyPhonetic is Phonetic(FamilyKey).
	FamilyPhonetic string
}

// PersonName normalizes a person's name from the record's civility, given, family and
// full name fields.
//
// A civility is read from Tables.Civilities, also when it opens the given or full name
// ("Dr. John Smith": issue "civility.from_name"). When given and family are both empty the
// full name is split ("Martin, Élodie"; "MARTIN Élodie" and "Élodie MARTIN", the
// upper-case part being the family name; otherwise the last word with its particles is the
// family name: "Ludwig van Beethoven"). When only one is empty, it is what the full name
// holds beyond the other. A birth name after the family name ("DURAND née MARTIN",
// "Schmidt geb. Weber") is removed ("name.birth_name_removed").
//
// Casing is changed only when a part is written in one case ("name.all_caps",
// "name.all_lower"): each word and each part of a hyphenated word is capitalized,
// particles (Tables.Particles) stay lower case inside a family name but not as its first
// word, O'Brien, McDonald. After "Mac" the next letter is capitalized only when it is one
// of d, g, l, m, n, p, f, b, t and at least three letters follow (MacDonald, MacLeod,
// MacMillan): "Mack", "Macy", "Machado", "Macias", "Mackenzie", "Macron" and "Macquart"
// keep a lower-case letter, because after c, h, k, q, r or a vowel the Gaelic reading is
// the exception (MacArthur and MacKenzie are lost to Macarthur and Mackenzie, a spelling
// both families use). Mixed-case input is kept as written: it is more often right than a
// rule.
func (n *Normalizer) PersonName(civility, given, family, full string) NameResult {
	var res NameResult
	g, f, fu := cleanName(given), cleanName(family), cleanName(full)
	res.Civility = n.civility(civility)
	// The first title found wins; the others are removed all the same.
	var fromName string
	for _, p := range []*string{&g, &f, &fu} {
		var t string
		if t, *p = n.stripTitles(*p); fromName == "" {
			fromName = t
		}
	}
	// "DURAND née MARTIN", "Schmidt geb. Weber": the name a person goes by, then her
	// birth name, which other sources do not write: the family name is the first.
	var birthCut bool
	for _, p := range []*string{&f, &fu} {
		var cut bool
		if *p, cut = cutBirthName(*p); cut {
			birthCut = true
		}
	}
	var givenFrom, familyFrom string
	switch {
	case fu == "":
	case g == "" && f == "":
		g, f = n.splitFull(fu)
		givenFrom, familyFrom = "name.split_from_full", "name.split_from_full"
	case g == "":
		if g = remainder(fu, f); g != "" {
			givenFrom = "name.from_full"
		}
	case f == "":
		if f = remainder(fu, g); f != "" {
			familyFrom = "name.from_full"
		}
	}
	if givenFrom != "" || familyFrom != "" {
		// A part cut from the full name may open with a title the full name held inside
		// ("PA DA Dr H" → given "Dr H"): strip it as from any given name.
		// Cleaned first, as given parts are: a quote or comma left by the cut must not
		// hide the title ("0,\" Dr 0").
		for _, p := range []*string{&g, &f} {
			var t string
			if t, *p = n.stripTitles(cleanName(*p)); fromName == "" {
				fromName = t
			}
		}
	}
	var tg, tf string
	res.Given, res.GivenKey, tg = n.namePart(given, g, false, givenFrom)
	res.Family, res.FamilyKey, tf = n.namePart(family, f, true, familyFrom)
	for _, t := range []string{tg, tf} {
		if fromName == "" {
			fromName = t
		}
	}
	switch {
	case fromName == "":
	case res.Civility.Status == contact.StatusMissing:
		res.Civility = contact.Field{Value: fromName, Status: contact.StatusCorrected, Issues: []string{"civility.from_name"}}
	case res.Civility.Usable() && res.Civility.Value != fromName:
		res.Civility.Issues = appendIssue(res.Civility.Issues, "civility.conflict")
	}
	if res.Given.Usable() && res.Family.Usable() && fu == "" {
		// "MARTIN" / "Élodie": the upper-case part is usually the family name.
		if isCapsWord(g) && nameCase(f) == caseMixed {
			res.Given.Issues = appendIssue(res.Given.Issues, "name.possibly_swapped")
		}
	}
	if birthCut && res.Family.Usable() {
		res.Family.Status = contact.StatusCorrected
		res.Family.Issues = appendIssue(res.Family.Issues, "name.birth_name_removed")
	}
	res.FamilyPhonetic = Phonetic(res.FamilyKey)
	return res
}

// birthNameWords introduce a birth name after the family name ("née", "geb.").
var birthNameWords = map[string]bool{"nee": true, "ne": true, "geb": true, "geborene": true, "geborener": true}

// cutBirthName returns s without the birth name its family name is followed by
// ("Sophie DURAND née MARTIN" → "Sophie DURAND"), and whether there was one. The marker
// counts as a word of its own between two others ("Müller (née Schmidt)" is a
// parenthetical, removed as such), and "né" (folded "ne") only with its accent.
func cutBirthName(s string) (string, bool) {
	toks := strings.Fields(s)
	for i := 1; i < len(toks)-1; i++ {
		w := strings.ToLower(toks[i])
		if k := fold.Key(w); birthNameWords[k] && (k != "ne" || w == "né") && isWord(w) {
			return strings.Join(toks[:i], " "), true
		}
	}
	return s, false
}

// Canonical returns the canonical given names that a folded given name may be short for
// ("bob" → ["robert"]), from Tables.Nicknames; nil when it is none. The slice belongs to
// the tables: do not modify it.
func (n *Normalizer) Canonical(givenKey string) []string {
	return n.t.Nicknames[givenKey]
}

// civility normalizes the civility field.
func (n *Normalizer) civility(raw string) contact.Field {
	s := clean(raw)
	if s == "" {
		return contact.Missing()
	}
	if c, ok := n.t.Civilities[fold.Key(s)]; ok {
		return fieldOf(raw, c, nil)
	}
	// A salutation and a title in one cell, as a German shop's Anrede holds them ("Herr
	// Dr.", "Frau Prof. Dr."): the first one is the civility. A couple's "M. et Mme" is
	// none.
	toks := strings.Fields(s)
	for _, tok := range toks {
		if _, ok := n.t.Civilities[fold.Key(tok)]; !ok || len(toks) < 2 {
			return invalid(raw, "civility.unknown")
		}
	}
	return contact.Field{Value: n.t.Civilities[fold.Key(toks[0])], Status: contact.StatusCorrected}
}

// stripTitles removes the civilities and titles that open s ("Prof. Dr. Hans Müller") and
// returns the first one, canonical. A lone letter counts only with its dot ("M."), and a
// title is never the whole of s. What follows a title is cleaned as a name is, so that a
// quote between two titles does not hide the second ("Dr \" Dr 0").
func (n *Normalizer) stripTitles(s string) (title, rest string) {
	rest = s
	for {
		tok, after, _ := strings.Cut(rest, " ")
		if after == "" {
			return title, rest
		}
		key := fold.Key(tok)
		if utf8.RuneCountInString(tok) < 2 || (utf8.RuneCountInString(key) < 2 && !isInitialDot(tok)) {
			// One letter is a title only as itself with its dot ("M."), not hidden in
			// symbols ("%m#", which a second pass would otherwise strip).
			return title, rest
		}
		c, ok := n.t.Civilities[key]
		if !ok {
			// A couple's titles ("M. et Mme Martin", "Mr and Mrs John Smith"): the joining
			// word and the second title go too (they became the given name "et Mme").
			if join, next, _ := strings.Cut(after, " "); title != "" && coupleWords[strings.ToLower(tok)] && next != "" {
				if _, ok := n.t.Civilities[fold.Key(join)]; ok {
					rest = cleanName(next)
					continue
				}
			}
			return title, rest
		}
		if title == "" {
			title = c
		}
		rest = cleanName(after)
	}
}

// coupleWords join two titles ("M. et Mme").
var coupleWords = map[string]bool{"et": true, "and": true, "&": true, "und": true, "en": true, "y": true, "e": true}

// nameSuffixes follow a family name ("John Smith Jr.", "Henry Ford II").
var nameSuffixes = map[string]bool{"jr": true, "sr": true, "ii": true, "iii": true, "iv": true}

// splitFull splits a full name into given and family names.
func (n *Normalizer) splitFull(s string) (given, family string) {
	if before, after, ok := strings.Cut(s, ","); ok {
		return strings.TrimSpace(after), strings.TrimSpace(before)
	}
	toks := strings.Fields(s)
	// A generational suffix belongs to the family name ("John Smith Jr.": it was the
	// family name alone).
	if k := len(toks); k > 2 && nameSuffixes[strings.ToLower(strings.TrimSuffix(toks[k-1], "."))] {
		g, f := n.splitFull(strings.Join(toks[:k-1], " "))
		return g, f + " " + toks[k-1]
	}
	// Trailing initials ("Élodie Weiningkamp C.") belong to the given name: split what
	// precedes them.
	var inits []string
	for len(toks) > 2 && isInitial(toks[len(toks)-1]) {
		inits = append([]string{toks[len(toks)-1]}, inits...)
		toks = toks[:len(toks)-1]
	}
	if len(inits) > 0 {
		g, f := n.splitFull(strings.Join(toks, " "))
		return strings.TrimSpace(g + " " + strings.Join(inits, " ")), f
	}
	if len(toks) < 2 {
		return "", s
	}
	lead := 0
	for lead < len(toks) && isCapsWord(toks[lead]) {
		lead++
	}
	trail := len(toks)
	for trail > 0 && isCapsWord(toks[trail-1]) {
		trail--
	}
	switch {
	case lead > 0 && lead < len(toks):
		return strings.Join(toks[lead:], " "), strings.Join(toks[:lead], " ")
	case trail < len(toks) && trail > 0:
		return strings.Join(toks[:trail], " "), strings.Join(toks[trail:], " ")
	}
	// The particles before the last word go with it, to the first word: "de Gaulle" and
	// "Le Pen" are family names alone (they were given "De", family "Gaulle").
	i := len(toks) - 1
	for i > 0 && n.t.Particles[strings.ToLower(toks[i-1])] {
		i--
	}
	return strings.Join(toks[:i], " "), strings.Join(toks[i:], " ")
}

// isInitialDot reports whether a token is one letter and its dot ("M.").
func isInitialDot(tok string) bool {
	r, size := utf8.DecodeRuneInString(tok)
	return unicode.IsLetter(r) && tok[size:] == "."
}

// isInitial reports whether a name token is one letter, with or without its dot.
func isInitial(tok string) bool {
	r, size := utf8.DecodeRuneInString(tok)
	rest := tok[size:]
	return unicode.IsLetter(r) && (rest == "" || rest == ".")
}

// withoutInitials removes the one-letter words ("P", "P.") from a display name unless
// nothing else is left: a middle initial is written by some sources and not others, and
// must not make two keys differ ("Jean P." and "Jean" have the key "jean"; "O'Brien" and
// "d'Artagnan" keep their letters).
func withoutInitials(s string) string {
	toks := strings.Fields(s)
	kept := toks[:0:0]
	for _, t := range toks {
		if !isInitial(t) {
			kept = append(kept, t)
		}
	}
	if len(kept) == 0 || len(kept) == len(toks) {
		return s
	}
	return strings.Join(kept, " ")
}

// remainder returns what full holds beyond the words of part, when full holds all of them.
// Words are compared folded, a word of full standing for as many folded words as it holds:
// "Jean-Pierre" is found in "Jean-Pierre Martin" and in "Jean Pierre Martin".
func remainder(full, part string) string {
	pk := strings.Fields(fold.Key(part))
	var rest []string
	for _, tok := range strings.Fields(full) {
		if tk := strings.Fields(fold.Key(tok)); len(tk) > 0 && len(pk) >= len(tk) && slices.Equal(pk[:len(tk)], tk) {
			pk = pk[len(tk):]
			continue
		}
		rest = append(rest, tok)
	}
	if len(pk) > 0 {
		return ""
	}
	return strings.Join(rest, " ")
}

// namePart validates and cases one part and returns it with its folded key ("" unless
// usable) and the title a parenthetical hid ("Dr(x) Smith"); raw is the field as sent, s
// the part to normalize (which may come from another field).
func (n *Normalizer) namePart(raw, s string, family bool, from string) (f contact.Field, key, title string) {
	if s = cleanName(s); s == "" {
		return contact.Missing(), "", ""
	}
	var issues []string
	if from != "" {
		issues = append(issues, from)
	}
	orig := s
	for {
		i := strings.IndexByte(s, '(')
		j := strings.IndexByte(s[i+1:], ')')
		if i < 0 || j < 0 {
			break
		}
		s = cleanName(s[:i] + " " + s[i+1+j+1:])
		issues = appendIssue(issues, "name.parenthetical_removed")
	}
	if s != orig {
		// A title the parenthetical was glued to ("Dr(x) Smith") opens the part now.
		title, s = n.stripTitles(s)
	}
	if s == "" {
		return invalid(orig, "name.no_letters"), "", title // "(?)": only a parenthetical
	}
	key = fold.Key(s)
	if n.isPlaceholderKey(key) {
		return invalid(s, "name.placeholder"), "", title
	}
	if code := checkName(s); code != "" {
		return invalid(s, code), "", title
	}
	recased := false
	switch nameCase(s) {
	case caseUpper:
		if hasTwoLetters(s) && !dottedInitials(s) {
			s, recased = n.recase(s, family), true
			issues = append(issues, "name.all_caps")
		}
	case caseLower:
		s, recased = n.recase(s, family), true
		issues = append(issues, "name.all_lower")
	}
	if recased {
		key = fold.Key(s) // the same but for rare letters whose cases fold apart
	}
	if utf8.RuneCountInString(strings.Trim(s, ".")) == 1 {
		issues = append(issues, "name.initial_only")
	}
	if k := withoutInitials(s); k != s {
		key = fold.Key(k)
	}
	return fieldOf(raw, s, issues), key, title
}

// checkName returns the issue code of a name part that cannot be used, or "".
func checkName(s string) string {
	if utf8.RuneCountInString(s) > 80 {
		return "name.too_long"
	}
	letters := 0
	for _, r := range s {
		switch {
		case unicode.IsLetter(r):
			letters++
		case unicode.IsMark(r), r == ' ', r == '-', r == '\'', r == '.':
		case unicode.IsDigit(r):
			return "name.has_digits"
		default:
			return "name.invalid_char"
		}
	}
	if letters == 0 {
		return "name.no_letters"
	}
	return ""
}

// isCapsWord reports whether s is written in capitals: at least two letters, none lower
// case ("MARTIN", not the initial "M").
func isCapsWord(s string) bool {
	return nameCase(s) == caseUpper && hasTwoLetters(s) && !dottedInitials(s)
}

// dottedInitials reports whether s is initials, each letter with its dot ("J.-P.",
// "J.P.", "J. R. R."): not a family name written in capitals ("J.-P. Sartre" gave family
// "J.-P."), nor a name written in capitals ("J. R. R." was name.all_caps).
func dottedInitials(s string) bool {
	prevLetter := false
	for _, r := range s {
		switch {
		case unicode.IsLetter(r):
			if prevLetter {
				return false
			}
			prevLetter = true
		case r == '.':
			prevLetter = false
		case r == '-', r == ' ':
			if prevLetter {
				return false
			}
		default:
			return false
		}
	}
	return !prevLetter && s != ""
}

func hasTwoLetters(s string) bool {
	k := 0
	for _, r := range s {
		if unicode.IsLetter(r) {
			if k++; k == 2 {
				return true
			}
		}
	}
	return false
}
