package normalize

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// nameCasing tells how a name is written.
type nameCasing int

const (
	caseMixed nameCasing = iota // upper and lower case, or no cased letter
	caseUpper                   // upper case only
	caseLower                   // lower case only
)

func nameCase(s string) nameCasing {
	up, low := false, false
	for _, r := range s {
		switch {
		case r == 'ß':
			// Lower case only, in capitals too (GROßMANN): it tells no case.
		case unicode.IsUpper(r):
			up = true
		case unicode.IsLower(r):
			low = true
		}
	}
	switch {
	case up && !low:
		return caseUpper
	case low && !up:
		return caseLower
	}
	return caseMixed
}

var nameReplacer = strings.NewReplacer(
	"’", "'", "‘", "'", "ʼ", "'", "`", "'", "´", "'",
	"‐", "-", "‑", "-", "–", "-", "—", "-",
	" -", "-", "- ", "-",
)

// cleanName is clean plus the typography of names: one kind of apostrophe and hyphen, no
// space around a hyphen, no punctuation or quotes at either end — but the apostrophe of
// an elided Dutch article ("'t Hooft", "'s-Gravesande"), which was cut ("t Hooft").
func cleanName(s string) string {
	s = clean(s)
	if s == "" {
		return s
	}
	for strings.ContainsAny(s, "’‘ʼ`´‐‑–—") || strings.Contains(s, " -") || strings.Contains(s, "- ") {
		s = nameReplacer.Replace(s)
	}
	for {
		t := strings.TrimRight(strings.Trim(s, ",;:\"-_*/ "), "'")
		if strings.HasPrefix(t, "'") && !elidedArticle(t) {
			t = t[1:]
		}
		if t == s {
			return s
		}
		s = t
	}
}

// elidedArticle reports whether s, which starts with an apostrophe, starts with an elided
// article: the apostrophe, one letter, then a space or a hyphen.
func elidedArticle(s string) bool {
	r, size := utf8.DecodeRuneInString(s[1:])
	rest := s[1+size:]
	return unicode.IsLetter(r) && (strings.HasPrefix(rest, " ") || strings.HasPrefix(rest, "-"))
}

// recase capitalizes a name written in one case; see PersonName for the rules.
func (n *Normalizer) recase(s string, family bool) string {
	words := strings.Split(s, " ")
	for i, w := range words {
		parts := strings.Split(w, "-")
		for j, p := range parts {
			first := i == 0 && j == 0
			hasNext := i < len(words)-1
			parts[j] = keepCapital(p, n.caseWord(strings.ToLower(p), family, first, hasNext))
		}
		words[i] = strings.Join(parts, "-")
	}
	return norm.NFC.String(strings.Join(words, " "))
}

// caseWord cases one lower-case word of a name.
func (n *Normalizer) caseWord(w string, family, first, hasNext bool) string {
	if w == "" {
		return w
	}
	if family && !first && hasNext && n.t.Particles[w] {
		return w
	}
	if i := strings.IndexByte(w, '\''); i > 0 && i < len(w)-1 {
		pre, rest := w[:i+1], w[i+1:]
		if !(family && !first && n.t.Particles[pre]) {
			pre = capFirst(pre)
		}
		return pre + capFirst(rest)
	}
	if family {
		if strings.HasPrefix(w, "mc") && utf8.RuneCountInString(w) >= 4 {
			return "Mc" + capFirst(w[2:])
		}
		if strings.HasPrefix(w, "mac") && utf8.RuneCountInString(w) >= 6 && strings.IndexByte("dglmnpfbt", w[3]) >= 0 {
			return "Mac" + capFirst(w[3:])
		}
	}
	return capFirst(w)
}

// keepCapital gives the recased word w the capital that orig, as written, starts with
// when lower-casing it and back does not give it again: the Turkish dotted İ ("İLKNUR"
// became "Ilknur").
func keepCapital(orig, w string) string {
	r0, _ := utf8.DecodeRuneInString(orig)
	r, size := utf8.DecodeRuneInString(w)
	if unicode.IsUpper(r0) && unicode.IsUpper(r) && r != r0 && unicode.ToUpper(unicode.ToLower(r0)) == r {
		return string(r0) + w[size:]
	}
	return w
}

// capFirst puts the first letter of w in title case.
func capFirst(w string) string {
	r, size := utf8.DecodeRuneInString(w)
	if r == utf8.RuneError {
		return w
	}
	return string(unicode.ToTitle(r)) + w[size:]
}
