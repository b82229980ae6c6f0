package match

import (
	"encoding/binary"
	"unicode/utf8"
	"unsafe"

	"github.com/xrash/smetrics"
)

// jaroWinkler is smetrics.JaroWinkler(a, b, 0.7, 4) without its allocations (match flags
// live on the stack for strings up to 64 bytes; longer ones go to smetrics), on letters:
// smetrics compares bytes, and the letters of a Cyrillic or Greek name share their first
// byte (смирнов and соколов were 0.81 alike, smirnov and sokolov 0.62). It returns 0 when
// either side is empty and 1 for equal strings.
func jaroWinkler(a, b string) float64 {
	if !isASCII(a) || !isASCII(b) {
		return jaroWinklerLetters(a, b)
	}
	return jaroWinklerBytes(a, b)
}

// JaroWinkler is the Jaro–Winkler similarity of a and b (boost threshold 0.7, a common
// prefix of up to 4 letters), counting letters: smetrics.JaroWinkler(a, b, 0.7, 4) on
// ASCII values.
func JaroWinkler(a, b string) float64 { return jaroWinkler(a, b) }

// jaroWinklerLetters is jaroWinkler of values that are not all ASCII.
//
//go:noinline
func jaroWinklerLetters(a, b string) float64 {
	var bufA, bufB [64]byte
	if la, lb, ok := letterBytes(a, b, bufA[:0], bufB[:0]); ok {
		a, b = unsafe.String(unsafe.SliceData(la), len(la)), unsafe.String(unsafe.SliceData(lb), len(lb))
	}
	return jaroWinklerBytes(a, b)
}

// jaroWinklerBytes is smetrics.JaroWinkler(a, b, 0.7, 4) without its allocations.
func jaroWinklerBytes(a, b string) float64 {
	if a == "" || b == "" {
		return 0
	}
	if a == b {
		return 1
	}
	if len(a) > 64 || len(b) > 64 {
		return smetrics.JaroWinkler(a, b, 0.7, 4)
	}
	j := jaro(a, b)
	if j <= 0.7 {
		return j
	}
	prefix := min(len(a), len(b), 4)
	var p float64
	for i := 0; i < prefix && a[i] == b[i]; i++ {
		p++
	}
	return j + 0.1*p*(1-j)
}

// jaro is smetrics.Jaro for non-empty strings of at most 64 bytes.
func jaro(a, b string) float64 {
	var ma, mb [64]bool
	r := max(len(a), len(b))/2 - 1
	r = max(r, 0)
	matches := 0
	for i := 0; i < len(a); i++ {
		lo, hi := max(0, i-r), min(len(b)-1, i+r)
		for j := lo; j <= hi; j++ {
			if !mb[j] && a[i] == b[j] {
				ma[i], mb[j] = true, true
				matches++
				break
			}
		}
	}
	if matches == 0 {
		return 0
	}
	unaligned, j := 0, 0
	for i := 0; i < len(a); i++ {
		if !ma[i] {
			continue
		}
		for !mb[j] {
			j++
		}
		if a[i] != b[j] {
			unaligned++
		}
		j++
	}
	m := float64(matches)
	t := float64(unaligned / 2)
	return (m/float64(len(a)) + m/float64(len(b)) + (m-t)/m) / 3
}

// isASCII reports whether s holds only ASCII bytes (8 at a time).
func isASCII(s string) bool {
	i := 0
	for ; i+8 <= len(s); i += 8 {
		if binary.LittleEndian.Uint64(unsafe.Slice(unsafe.StringData(s[i:]), 8))&0x8080808080808080 != 0 {
			return false
		}
	}
	for ; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// letterBytes spells a and b with one byte per letter, each distinct letter of the two
// its own byte, appended to bufA and bufB: the byte algorithms (Jaro, edit distance) then
// count letters. ok is false past 255 distinct letters (the values are compared as they
// are).
func letterBytes(a, b string, bufA, bufB []byte) (la, lb []byte, ok bool) {
	// On the stack for the usual names (appended to a nil slice, the table of a
	// Cyrillic pair of 9 letters or more was a heap allocation per comparison).
	var seenBuf [64]rune
	seen := seenBuf[:0]
	code := func(r rune) (byte, bool) {
		for i, x := range seen {
			if x == r {
				return byte(i), true
			}
		}
		if len(seen) == 255 {
			return 0, false
		}
		seen = append(seen, r)
		return byte(len(seen) - 1), true
	}
	for _, r := range a {
		c, ok := code(r)
		if !ok {
			return nil, nil, false
		}
		bufA = append(bufA, c)
	}
	for _, r := range b {
		c, ok := code(r)
		if !ok {
			return nil, nil, false
		}
		bufB = append(bufB, c)
	}
	return bufA, bufB, true
}
