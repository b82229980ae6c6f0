package match

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/xrash/smetrics"
)

// TestJaroWinklerAgreesWithSmetrics: the allocation-free version gives smetrics' values.
func TestJaroWinklerAgreesWithSmetrics(t *testing.T) {
	words := []string{"martin", "martn", "matrin", "dupont", "dupond", "weiningkamp", "weiningkammp", "a", "ab", "ba",
		"jean", "jeanne", "elodie", "melodie", "chapman", "sophie", "sopohie", "x", "crate", "trace", "dixon", "dicksonx"}
	for _, a := range words {
		for _, b := range words {
			want := smetrics.JaroWinkler(a, b, 0.7, 4)
			if got := jaroWinkler(a, b); math.Abs(got-want) > 1e-12 {
				t.Errorf("jaroWinkler(%q, %q) = %v, smetrics %v", a, b, got, want)
			}
		}
	}
}

func BenchmarkJaroWinkler(b *testing.B) {
	for b.Loop() {
		jaroWinkler("weiningkamp", "weiningkammp")
	}
}

// TestWithinEditsMatchesWagnerFischer: the banded check agrees with smetrics'
// full-table distance on random short strings over a small alphabet (many near
// matches) and every threshold a level could use.
func TestWithinEditsMatchesWagnerFischer(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	word := func() string {
		b := make([]byte, rng.IntN(12))
		for i := range b {
			b[i] = "abcd"[rng.IntN(4)]
		}
		return string(b)
	}
	for range 200000 {
		a, b := word(), word()
		if rng.IntN(2) == 0 { // a near copy
			b = a
			for range rng.IntN(4) {
				switch p := rng.IntN(len(b) + 1); rng.IntN(3) {
				case 0:
					b = b[:p] + "x" + b[p:]
				case 1:
					if p < len(b) {
						b = b[:p] + b[p+1:]
					}
				default:
					if p < len(b) {
						b = b[:p] + "y" + b[p+1:]
					}
				}
			}
		}
		d := smetrics.WagnerFischer(a, b, 1, 1, 1)
		for k := 0; k <= 4; k++ {
			if got := withinEdits(a, b, k); got != (d <= k) {
				t.Fatalf("withinEdits(%q, %q, %d) = %v, distance %d", a, b, k, got, d)
			}
		}
	}
	long := strings.Repeat("abc", 40)
	if !withinEdits(long, long[:60]+"z"+long[61:], 1) || withinEdits(long, long[1:]+"zz", 2) != (smetrics.WagnerFischer(long, long[1:]+"zz", 1, 1, 1) <= 2) {
		t.Error("long values")
	}
}

// TestJaroWinklerRandomAgreesWithSmetrics: on random strings over a small alphabet (many
// matches and transpositions), up to the 64 bytes of the fast path.
func TestJaroWinklerRandomAgreesWithSmetrics(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	word := func() string {
		b := make([]byte, 1+rng.IntN(64))
		for i := range b {
			b[i] = "abcde"[rng.IntN(5)]
		}
		return string(b)
	}
	for range 20000 {
		a, b := word(), word()
		want := smetrics.JaroWinkler(a, b, 0.7, 4)
		if got := jaroWinkler(a, b); math.Abs(got-want) > 1e-12 {
			t.Fatalf("jaroWinkler(%q, %q) = %v, smetrics %v", a, b, got, want)
		}
	}
}

// BenchmarkJaroWinklerSmetrics is the library's version, for comparison.
func BenchmarkJaroWinklerSmetrics(b *testing.B) {
	for b.Loop() {
		smetrics.JaroWinkler("weiningkamp", "weiningkammp", 0.7, 4)
	}
}

// BenchmarkJaroWinklerNames compares typical different names (no early exit).
func BenchmarkJaroWinklerNames(b *testing.B) {
	for b.Loop() {
		jaroWinkler("dupont", "durand")
		jaroWinkler("elodie", "melodie")
		jaroWinkler("12 rue de la paix", "4 avenue victor hugo")
	}
}

// TestLettersNotBytes: Jaro–Winkler and the edit distance count letters: a Cyrillic
// spelling of two words gives what their Latin spelling gives, letter for letter (the
// letters of one script share their first byte, which made any two Cyrillic names look
// alike), past the 64 letters of the stack buffers too.
func TestLettersNotBytes(t *testing.T) {
	latin, cyrillic := []rune("abvgdezijklmnoprstufhc"), []rune("абвгдезийклмнопрстуфхц")
	toCyrillic := func(s string) string {
		out := []rune(s)
		for i, r := range out {
			if j := strings.IndexRune(string(latin), r); j >= 0 {
				out[i] = cyrillic[len([]rune(string(latin)[:j]))]
			}
		}
		return string(out)
	}
	rng := rand.New(rand.NewPCG(7, 8))
	word := func(n int) string {
		b := make([]rune, 1+rng.IntN(n))
		for i := range b {
			b[i] = latin[rng.IntN(6)]
		}
		return string(b)
	}
	for i := range 20000 {
		n := 12
		if i%100 == 0 {
			n = 90
		}
		a, b := word(n), word(n)
		ca, cb := toCyrillic(a), toCyrillic(b)
		if got, want := jaroWinkler(ca, cb), jaroWinkler(a, b); math.Abs(got-want) > 1e-12 {
			t.Fatalf("jaroWinkler(%q, %q) = %v, in Latin letters %v", ca, cb, got, want)
		}
		for k := 0; k <= 3; k++ {
			if got, want := withinEdits(ca, cb, k), withinEdits(a, b, k); got != want {
				t.Fatalf("withinEdits(%q, %q, %d) = %v, in Latin letters %v", ca, cb, k, got, want)
			}
		}
	}
	if !withinEdits("иванов", "ивнов", 1) || jaroWinkler("смирнов", "соколов") != jaroWinkler("smirnov", "sokolov") {
		t.Error("иванов/ивнов or смирнов/соколов")
	}
}
