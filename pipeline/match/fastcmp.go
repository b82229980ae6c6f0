package match

import "strings"

// Allocation-free forms of the level tests that scoring runs on millions of pairs. Each
// gives exactly the answer of the plain form it replaces (tests compare them).

// soundex is Phonetic(key) as a fixed array: the zero array when Phonetic gives "".
func soundex(key string) [4]byte {
	var out [4]byte
	n := 0     // bytes of out written
	var p byte // previous letter kept, upper case
	for i := 0; i < len(key); i++ {
		c := key[i]
		if c < 'a' || c > 'z' {
			continue // Phonetic keeps a–z only
		}
		c -= 'a' - 'A'
		if n == 0 {
			out[0], p, n = c, c, 1
			continue
		}
		if n == 4 {
			break
		}
		if c == p {
			continue
		}
		p = c
		d := soundexDigit[c-'A']
		if d == 0 {
			continue
		}
		out[n] = d
		n++
	}
	if n == 0 {
		return out
	}
	for ; n < 4; n++ {
		out[n] = '0'
	}
	return out
}

// soundexDigit is the Soundex digit of each upper-case letter (0: none, a vowel, H, W, Y).
var soundexDigit = [26]byte{
	'B' - 'A': '1', 'P' - 'A': '1', 'F' - 'A': '1', 'V' - 'A': '1',
	'C' - 'A': '2', 'S' - 'A': '2', 'K' - 'A': '2', 'G' - 'A': '2', 'J' - 'A': '2', 'Q' - 'A': '2', 'X' - 'A': '2', 'Z' - 'A': '2',
	'D' - 'A': '3', 'T' - 'A': '3',
	'L' - 'A': '4',
	'M' - 'A': '5', 'N' - 'A': '5',
	'R' - 'A': '6',
}

// samePhonetic is the "phonetic" level: both have a phonetic code and it is the same.
// Values without a Latin letter (Cyrillic, Greek, CJK names) have none: they do not
// share the empty code.
func samePhonetic(a, b string) bool {
	if a == "" || b == "" {
		return false
	}
	sa := soundex(a)
	return sa != [4]byte{} && sa == soundex(b)
}

// oneWord reports whether s is certainly a single word for strings.Fields: ASCII without
// white space (bytes from 0x80 on may start a Unicode space).
func oneWord(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= 0x80, c == ' ', c >= '\t' && c <= '\r':
			return false
		}
	}
	return s != ""
}

// words counts the words of s as strings.Fields splits it.
func words(s string) int {
	n := 0
	for range strings.FieldsSeq(s) {
		n++
	}
	return n
}

// hasWord reports whether x is one of the words of s.
func hasWord(s, x string) bool {
	for y := range strings.FieldsSeq(s) {
		if y == x {
			return true
		}
	}
	return false
}
