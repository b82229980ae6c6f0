package company

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/steward-crm/steward/contact"
)

// compact removes the separators people type inside identifiers (white space, dots,
// dashes of any kind, slashes, commas, colons, underscores, parentheses, zero-width
// characters), maps full-width ASCII to ASCII and upper-cases ASCII letters. Anything
// else is kept, so that a stray character fails the format check rather than vanishing.
func compact(s string) string {
	if isCanonical(s) {
		return s // the common case: no allocation
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if r >= 0xFF01 && r <= 0xFF5E { // full-width ASCII, as typed with some IMEs
			r -= 0xFEE0
		}
		switch {
		case r >= 'a' && r <= 'z':
			b.WriteByte(byte(r - 'a' + 'A'))
		case r < utf8.RuneSelf && isSeparator(byte(r)):
		case r >= 0x2010 && r <= 0x2015, r == 0x2212: // hyphens, dashes, minus sign
		case r == 0x200B, r == 0x200C, r == 0x200D, r == 0x2060, r == 0xFEFF:
		case unicode.IsSpace(r), unicode.IsControl(r):
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// isSeparator reports whether c is an ASCII separator that compact removes.
func isSeparator(c byte) bool {
	switch c {
	case ' ', '\t', '\n', '\r', '\v', '\f', '.', '-', '/', ',', ':', '_', '(', ')':
		return true
	}
	return false
}

// isCanonical reports whether s holds only ASCII digits and upper-case letters.
func isCanonical(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

// isDigits reports whether s is non-empty and all ASCII digits.
func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// allZero reports whether every digit of s is '0' and s has at least one digit.
func allZero(s string) bool {
	digits := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '0':
			digits++
		case c >= '1' && c <= '9':
			return false
		}
	}
	return digits > 0
}

// usable returns the field for a usable identifier: valid when value is exactly the
// trimmed input, corrected when cleaning changed anything.
func usable(raw, value string, issues ...string) contact.Field {
	st := contact.StatusCorrected
	if value == strings.TrimSpace(raw) {
		st = contact.StatusValid
	}
	if len(issues) == 0 {
		issues = nil
	}
	return contact.Field{Value: value, Status: st, Issues: issues}
}

// invalid returns the field for an unusable identifier: Value is the trimmed input, as
// contact.Field documents.
func invalid(raw string, issues ...string) contact.Field {
	return contact.Field{Value: strings.TrimSpace(raw), Status: contact.StatusInvalid, Issues: issues}
}

// digitsCheck validates a numeric identifier: kind prefixes the issue codes
// (kind.bad_format, kind.bad_length, kind.all_zero). It returns the compacted value, or
// the failing field and false.
func digitsCheck(raw, kind string, length int) (string, contact.Field, bool) {
	v := compact(raw)
	switch {
	case v == "":
		return "", contact.Missing(), false
	case !isDigits(v):
		return "", invalid(raw, kind+".bad_format"), false
	case len(v) != length:
		return "", invalid(raw, kind+".bad_length"), false
	case allZero(v):
		return "", invalid(raw, kind+".all_zero"), false
	}
	return v, contact.Field{}, true
}
