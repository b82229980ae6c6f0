package company

import (
	"math/big"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

// The reference functions below are written differently from checksum.go on purpose
// (big integers, the textbook formulations), so that a test comparing the two on random
// input checks the arithmetic rather than repeating it.

// refLuhn doubles every second digit from the right by building the digit string of the
// products and adding its digits.
func refLuhn(s string) bool {
	var b strings.Builder
	for i := len(s) - 1; i >= 0; i-- {
		d := int(s[i] - '0')
		if (len(s)-1-i)%2 == 1 {
			d *= 2
		}
		b.WriteString(strconv.Itoa(d))
	}
	sum := 0
	for _, c := range b.String() {
		sum += int(c - '0')
	}
	return sum%10 == 0
}

// refMod97 turns letters into their two-digit values and takes the remainder of the
// whole number with math/big.
func refMod97(s string) int {
	var b strings.Builder
	for _, c := range s {
		if c >= 'A' && c <= 'Z' {
			b.WriteString(strconv.Itoa(int(c-'A') + 10))
		} else {
			b.WriteRune(c)
		}
	}
	n, _ := new(big.Int).SetString(b.String(), 10)
	return int(new(big.Int).Mod(n, big.NewInt(97)).Int64())
}

// refMod11_10 is ISO 7064 MOD 11,10 as python-stdnum writes it: a running value that
// must end at 1 over all digits, check digit included.
func refMod11_10(s string) bool {
	check := 5
	for _, c := range s {
		if check == 0 {
			check = 10
		}
		check = (check*2%11 + int(c-'0')) % 10
	}
	return check == 1
}

// refFrenchKey computes the key with math/big: (12 + 3 × (SIREN mod 97)) mod 97.
func refFrenchKey(siren string) string {
	n, _ := new(big.Int).SetString(siren, 10)
	r := new(big.Int).Mod(n, big.NewInt(97)).Int64()
	k := (12 + 3*r) % 97
	return strconv.FormatInt(k/10, 10) + strconv.FormatInt(k%10, 10)
}

func randomString(rng *rand.Rand, n int, alphabet string) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[rng.IntN(len(alphabet))]
	}
	return string(b)
}

const (
	digits   = "0123456789"
	alphanum = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
)

func TestChecksumsAgainstReferences(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		n := 2 + rng.IntN(18)
		s := randomString(rng, n, digits)
		if luhn(s) != refLuhn(s) {
			t.Fatalf("luhn(%q) = %v", s, luhn(s))
		}
		if d := luhnDigit(s); !refLuhn(s + strconv.Itoa(d)) {
			t.Fatalf("luhnDigit(%q) = %d", s, d)
		}
		if mod11_10(s) != refMod11_10(s) {
			t.Fatalf("mod11_10(%q) = %v", s, mod11_10(s))
		}
		a := randomString(rng, 20, alphanum)
		if mod97(a) != refMod97(a) {
			t.Fatalf("mod97(%q) = %d, want %d", a, mod97(a), refMod97(a))
		}
		siren := randomString(rng, 9, digits)
		if got := frenchVATOf(siren)[2:4]; got != refFrenchKey(siren) {
			t.Fatalf("frenchVATOf(%q) key = %s, want %s", siren, got, refFrenchKey(siren))
		}
	}
}

// TestPublishedAgainstReferences checks the published numbers with the references.
func TestPublishedAgainstReferences(t *testing.T) {
	for _, s := range publishedSIREN {
		if !refLuhn(s) {
			t.Errorf("SIREN %s fails the reference Luhn", s)
		}
	}
	for _, s := range publishedSIRET {
		laPosteSum := strings.HasPrefix(s, laPoste) && digitSum(s)%5 == 0
		if !refLuhn(s[:9]) || !refLuhn(s) && !laPosteSum {
			t.Errorf("SIRET %s fails the reference checks", s)
		}
	}
	for _, s := range publishedLEI {
		if refMod97(s) != 1 {
			t.Errorf("LEI %s: reference mod 97 = %d", s, refMod97(s))
		}
	}
	for _, s := range publishedVAT {
		switch cc, body := s[:2], s[2:]; cc {
		case "DE", "HR":
			if !refMod11_10(body) {
				t.Errorf("VAT %s fails the reference MOD 11,10", s)
			}
		case "FR":
			if !strings.HasPrefix(body[2:], "000") && !refLuhn(body[2:]) || body[:2] != refFrenchKey(body[2:]) {
				t.Errorf("VAT %s fails the reference French key", s)
			}
		case "IT":
			if !refLuhn(body) {
				t.Errorf("VAT %s fails the reference Luhn", s)
			}
		case "SE":
			if !refLuhn(body[:10]) {
				t.Errorf("VAT %s fails the reference Luhn", s)
			}
		case "BE":
			n, _ := strconv.Atoi(body[:8])
			if c, _ := strconv.Atoi(body[8:]); 97-n%97 != c {
				t.Errorf("VAT %s fails the reference mod 97", s)
			}
		case "NL":
			if refMod97("NL"+body) != 1 && !elevenProof(body[:9]) {
				t.Errorf("VAT %s fails both Dutch checks", s)
			}
		}
	}
}

// elevenProof is the Dutch "elfproef": weights 9 … 2 and −1, a multiple of 11.
func elevenProof(s string) bool {
	sum := 0
	for i, c := range s {
		w := 9 - i
		if i == 8 {
			w = -1
		}
		sum += w * int(c-'0')
	}
	return sum%11 == 0
}
