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
	'đ': "d", 'Đ': "d", 'ł': "l", 'Ł': "l", 'þ': "th", 'ı': "i", '’': "'",
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
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if rep, ok := special[r]; ok {
				if space && b.Len() > 0 && !compact {
					b.WriteByte(' ')
				}
				space = false
				b.WriteString(rep)
				continue
			}
			if space && b.Len() > 0 && !compact {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(unicode.ToLower(r))
		default:
			space = true
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
	return utf8.ValidString(s)
}
