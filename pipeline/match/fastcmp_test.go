package match

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"
)

// tokenSubsetPlain is the definition tokenSubset implements without allocating.
func tokenSubsetPlain(a, b string) bool {
	if a == "" || b == "" || a == b {
		return false
	}
	ta, tb := strings.Fields(a), strings.Fields(b)
	if len(ta) > len(tb) {
		ta, tb = tb, ta
	}
	return tokensIn(ta, tb) || (len(ta) == len(tb) && tokensIn(tb, ta))
}

func tokensIn(ta, tb []string) bool {
	long := 0
	for _, x := range ta {
		found := false
		for _, y := range tb {
			if x == y {
				found = true
				break
			}
		}
		if !found {
			return false
		}
		if utf8.RuneCountInString(x) > 1 { // a letter, not a byte: "é" is one
			long++
		}
	}
	return long > 0
}

// fastcmpWords are random short strings over an alphabet with spaces, Unicode spaces,
// digits and accents: many near matches and every tokenizing case.
func fastcmpWords(n int) []string {
	rng := rand.New(rand.NewPCG(3, 4))
	alpha := []string{"a", "b", "e", "r", "t", "m", "s", " ", " ", "\t", "\u00a0", "\u2003", "é", "1", "-", "A", "von"}
	out := []string{"", "bulow", "von bulow", "krause", "dornhuber krause", "a", "a b", "b a", "x y z", "x  y",
		"martin", "martn", "o'neil", "oneil", "123", "456", "ab cd", "cd ab", "ab", "cd"}
	for range n {
		var b strings.Builder
		for range rng.IntN(10) {
			b.WriteString(alpha[rng.IntN(len(alpha))])
		}
		out = append(out, b.String())
	}
	return out
}

// TestFastComparatorsAgree: soundex and tokenSubset give the answers of Phonetic and of
// the plain token comparison.
func TestFastComparatorsAgree(t *testing.T) {
	ws := fastcmpWords(400)
	for _, a := range ws {
		if got, want := soundex(a), Phonetic(a); string(got[:]) != want && !(want == "" && got == [4]byte{}) {
			t.Errorf("soundex(%q) = %q, Phonetic %q", a, got, want)
		}
		for _, b := range ws {
			if got, want := tokenSubset(a, b), tokenSubsetPlain(a, b); got != want {
				t.Errorf("tokenSubset(%q, %q) = %v, want %v", a, b, got, want)
			}
			if got, want := samePhonetic(a, b), a != "" && b != "" && Phonetic(a) != "" && Phonetic(a) == Phonetic(b); got != want {
				t.Errorf("samePhonetic(%q, %q) = %v, want %v", a, b, got, want)
			}
		}
	}
}

func BenchmarkTokenSubset(b *testing.B) {
	for b.Loop() {
		tokenSubset("dornhuber krause", "krause")
		tokenSubset("martin", "martinez")
	}
}

func BenchmarkPhoneticLevel(b *testing.B) {
	for b.Loop() {
		samePhonetic("weiningkamp", "weiningkammp")
	}
}

// BenchmarkTokenSubsetPlain is the allocating form, for comparison.
func BenchmarkTokenSubsetPlain(b *testing.B) {
	for b.Loop() {
		tokenSubsetPlain("dornhuber krause", "krause")
		tokenSubsetPlain("martin", "martinez")
	}
}

// BenchmarkPhoneticLevelPlain is the allocating form, for comparison.
func BenchmarkPhoneticLevelPlain(b *testing.B) {
	for b.Loop() {
		_ = Phonetic("weiningkamp") == Phonetic("weiningkammp")
	}
}
