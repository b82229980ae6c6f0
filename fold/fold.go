// Package fold turns text into comparison keys: lower case, accents removed, ligatures and
// a few special letters spelt out (ß → ss, æ → ae, ø → o), punctuation to spaces, spaces
// collapsed. Keys are plain ASCII whenever the input is Latin script, which is what
// smetrics' byte-oriented comparators need.
//
// It imports only the standard library and golang.org/x/text.
package fold

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

var special = map[rune]string{
	'ß': "ss", 'æ': "ae", 'Æ': "ae", 'œ': "oe", 'Œ': "oe", 'ø': "o", 'Ø': "o",
	'đ': "d", 'Đ': "d", 'ł': "l", 'Ł': "l", 'þ': "th", 'Þ': "th", 'ı': "i", '’': "'",
}

// latinEnd bounds the precomputed table: Latin-1 Supplement and Latin Extended-A, where
// nearly every accented letter of European names lives.
const latinEnd = 0x180

// latin holds the folded form of every rune below latinEnd ("" for separators).
var latin = buildLatin()

func buildLatin() [latinEnd]string {
	var t [latinEnd]string
	for r := rune(0); r < latinEnd; r++ {
		t[r] = foldRune(r)
	}
	return t
}

// foldRune folds one rune the slow way: decomposition without combining marks, special
// letters spelt out, lower-cased; "" for anything that is not a letter or digit.
func foldRune(r rune) string {
	var b strings.Builder
	for _, d := range norm.NFD.String(string(r)) {
		switch {
		case unicode.Is(unicode.Mn, d):
		case special[d] != "":
			b.WriteString(special[d])
		case special[unicode.ToLower(d)] != "":
			b.WriteString(special[unicode.ToLower(d)])
		case unicode.IsLetter(d) || unicode.IsDigit(d):
			b.WriteRune(unicode.ToLower(d))
		}
	}
	return b.String()
}

// Key folds s: lower case, no accents, every run of characters other than letters and
// digits becomes one space, no leading or trailing space. Apostrophes and hyphens count as
// separators ("O'Brien" → "o brien").
func Key(s string) string { return fold(s, false) }

// Compact is Key without any space ("O'Brien" → "obrien", "Jean-Pierre" → "jeanpierre").
func Compact(s string) string { return fold(s, true) }

func fold(s string, compact bool) string {
	if isPlainLower(s) && (!compact || !strings.Contains(s, " ")) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	space := false
	emit := func(piece string) {
		if piece == "" {
			space = true
			return
		}
		if space && b.Len() > 0 && !compact {
			b.WriteByte(' ')
		}
		space = false
		b.WriteString(piece)
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			i++
			switch {
			case c >= 'A' && c <= 'Z':
				c += 'a' - 'A'
			case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
			default:
				space = true
				continue
			}
			if space && b.Len() > 0 && !compact {
				b.WriteByte(' ')
			}
			space = false
			b.WriteByte(c)
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		i += n
		switch {
		case r < latinEnd:
			emit(latin[r])
		case unicode.Is(unicode.Mn, r):
			// A combining mark after a base letter (decomposed input): drop it.
		default:
			emit(foldRune(r))
		}
	}
	return b.String()
}

// isPlainLower reports whether s is already a folded key (lower-case ASCII letters and
// digits separated by single spaces), the common case on hot paths.
func isPlainLower(s string) bool {
	if s == "" {
		return true
	}
	if s[0] == ' ' || s[len(s)-1] == ' ' {
		return false
	}
	prevSpace := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
			prevSpace = false
		case c == ' ' && !prevSpace:
			prevSpace = true
		default:
			return false
		}
	}
	return true
}

// IsDigits reports whether s is non-empty and all ASCII digits.
func IsDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
