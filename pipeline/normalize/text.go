package normalize

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/steward-crm/steward/contact"
	"github.com/steward-crm/steward/fold"
	"golang.org/x/text/unicode/norm"
)

// clean returns s in Unicode NFC with control characters and every kind of space turned
// into one ASCII space, runs of spaces collapsed and the ends trimmed. Invalid UTF-8 bytes
// are dropped. Changes made by clean alone are cosmetic: they leave a field valid.
func clean(s string) string {
	if isCleanASCII(s) || isClean(s) {
		return s
	}
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "")
	}
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) || unicode.IsControl(r) || r == '\u200b' || r == '\ufeff' {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	// NFC last: removing a control character can bring a letter and its accent together.
	return norm.NFC.String(b.String())
}

// isClean reports whether s is valid UTF-8 in NFC with single inner ASCII spaces, no
// other space or control character and no space at either end: what clean returns.
func isClean(s string) bool {
	if s == "" || s[0] == ' ' || s[len(s)-1] == ' ' || !norm.NFC.IsNormalString(s) {
		return false
	}
	prevSpace := false
	for _, r := range s {
		switch {
		case r == utf8.RuneError:
			return false
		case r == ' ':
			if prevSpace {
				return false
			}
			prevSpace = true
			continue
		case unicode.IsSpace(r) || unicode.IsControl(r) || r == '\u200b' || r == '\ufeff':
			return false
		}
		prevSpace = false
	}
	return true
}

// isCleanASCII reports whether s is printable ASCII with single inner spaces and no space
// at either end: the common case, which clean returns as is.
func isCleanASCII(s string) bool {
	if s == "" {
		return true
	}
	if s[0] == ' ' || s[len(s)-1] == ' ' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c >= 0x7f || (c == ' ' && s[i+1] == ' ') {
			return false
		}
	}
	return true
}

// fieldOf labels a normalized value: valid when it equals the cleaned input (only
// cosmetic changes), corrected otherwise. Use it only for usable values.
func fieldOf(raw, value string, issues []string) contact.Field {
	st := contact.StatusCorrected
	if value == clean(raw) {
		st = contact.StatusValid
	}
	return contact.Field{Value: value, Status: st, Issues: issues}
}

// invalid labels an unusable input: Value is the cleaned input, as Field documents.
func invalid(raw string, issues ...string) contact.Field {
	return contact.Field{Value: clean(raw), Status: contact.StatusInvalid, Issues: issues}
}

// upper upper-cases s for postal display; ß becomes SS as in German capitals. The result
// is NFC again: a capital can compose with an accent its small letter could not ("ı́").
func upper(s string) string {
	s = strings.ToUpper(s)
	if strings.ContainsRune(s, 'ß') {
		s = strings.ReplaceAll(s, "ß", "SS")
	}
	return norm.NFC.String(s)
}

// isPlaceholder reports whether s is a stand-in for "no value" ("n/a", "none", "xxx").
func (n *Normalizer) isPlaceholder(s string) bool {
	// No placeholder holds a digit or an @, nor is long unless it is "xxxxxxxx...": this
	// spares the fold on the hot path.
	if len(s) > 24 || strings.ContainsAny(s, "0123456789@") {
		return strings.Trim(s, "xX") == "" || strings.Trim(s, "zZ") == ""
	}
	return n.isPlaceholderKey(fold.Key(s))
}

// isPlaceholderKey is isPlaceholder on a folded key.
func (n *Normalizer) isPlaceholderKey(k string) bool {
	if k == "" || n.t.Placeholders[k] { // "": punctuation only ("--", "?")
		return true
	}
	// "xx", "xxxx", "zzz": one letter repeated.
	return len(k) >= 2 && (strings.Trim(k, "x") == "" || strings.Trim(k, "z") == "")
}

// hasLetter reports whether s holds at least one letter.
func hasLetter(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) {
			return true
		}
	}
	return false
}

// digits returns the ASCII digits of s.
func digits(s string) string {
	var b []byte
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= '0' && c <= '9' {
			b = append(b, c)
		}
	}
	return string(b)
}

// allSame reports whether s (at least 2 bytes) is one byte repeated.
func allSame(s string) bool {
	if len(s) < 2 {
		return false
	}
	for i := 1; i < len(s); i++ {
		if s[i] != s[0] {
			return false
		}
	}
	return true
}

// appendIssue appends code to issues unless it is already there.
func appendIssue(issues []string, code string) []string {
	for _, c := range issues {
		if c == code {
			return issues
		}
	}
	return append(issues, code)
}

// isASCII reports whether s holds only ASCII bytes.
func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
