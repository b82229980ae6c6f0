package synth

import (
	"fmt"
	"math/rand/v2"
	"strconv"
)

// LuhnValid reports whether s is a non-empty string of digits whose Luhn checksum is
// valid (SIREN: 9 digits, SIRET: 14 digits).
func LuhnValid(s string) bool {
	if s == "" {
		return false
	}
	sum := 0
	double := false
	for i := len(s) - 1; i >= 0; i-- {
		c := s[i]
		if c < '0' || c > '9' {
			return false
		}
		d := int(c - '0')
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return sum%10 == 0
}

// luhnCheckDigit returns the digit that makes payload+digit Luhn-valid.
func luhnCheckDigit(payload string) byte {
	sum := 0
	double := true // the rightmost payload digit is doubled once the check digit is appended
	for i := len(payload) - 1; i >= 0; i-- {
		d := int(payload[i] - '0')
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return byte('0' + (10-sum%10)%10)
}

// sirenSpan and sirenMult make sirenFor a bijection of [0, sirenSpan) onto 8-digit
// SIREN bodies 30000000..99999999: two companies never share a SIREN.
const (
	sirenSpan = 70_000_000
	sirenMult = 39_916_801 // prime, coprime with sirenSpan = 2^7·5^7·7
)

// sirenFor returns the SIREN of the i-th French company of the seed's universe.
func sirenFor(seed int64, i int) string {
	off := splitmix64(uint64(seed)^0x51e2e) % sirenSpan
	body := 30_000_000 + (uint64(i)%sirenSpan*sirenMult+off)%sirenSpan
	s := strconv.FormatUint(body, 10)
	return s + string(luhnCheckDigit(s))
}

// nicFor returns the NIC of the seq-th establishment (seq ≥ 1) of siren: a 4-digit
// sequence plus the digit that makes the 14-digit SIRET Luhn-valid.
func nicFor(siren string, seq int) string {
	body := fmt.Sprintf("%04d", seq%10000)
	return body + string(luhnCheckDigit(siren+body))
}

// vatFR returns the French intra-community VAT number of a SIREN:
// "FR" + key + SIREN with key = (12 + 3·(SIREN mod 97)) mod 97.
func vatFR(siren string) string {
	n, _ := strconv.ParseUint(siren, 10, 64)
	return fmt.Sprintf("FR%02d%s", (12+3*(n%97))%97, siren)
}

// vatGB returns a GB VAT number whose mod-97 check (weights 8..2) is valid.
func vatGB(r *rand.Rand) string {
	d := digitsFrom(r, "123456789", 7)
	sum := 0
	for i := range 7 {
		sum += int(d[i]-'0') * (8 - i)
	}
	return fmt.Sprintf("GB%s%02d", d, (97-sum%97)%97)
}

// vatDE returns a German USt-IdNr whose ISO 7064 MOD 11,10 check digit is valid.
func vatDE(r *rand.Rand) string {
	d := digitsFrom(r, "123456789", 8)
	return "DE" + d + string(mod1110(d))
}

func mod1110(d string) byte {
	product := 10
	for i := 0; i < len(d); i++ {
		sum := (int(d[i]-'0') + product) % 10
		if sum == 0 {
			sum = 10
		}
		product = (2 * sum) % 11
	}
	check := 11 - product
	if check == 10 {
		check = 0
	}
	return byte('0' + check)
}

// leiPrefixes are real LEI issuer prefixes per country.
var leiPrefixes = map[string]string{"FR": "9695", "US": "5493", "GB": "2138", "DE": "5299"}

const alnum = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

// lei returns a Legal Entity Identifier with valid ISO 7064 mod 97-10 check digits.
func lei(r *rand.Rand, cc string) string {
	b := []byte(leiPrefixes[cc] + "00")
	for range 12 {
		b = append(b, alnum[r.IntN(len(alnum))])
	}
	return string(b) + fmt.Sprintf("%02d", 98-mod97(string(b)+"00"))
}

// LEIValid reports whether s is a 20-character LEI with valid check digits.
func LEIValid(s string) bool { return len(s) == 20 && mod97(s) == 1 }

// mod97 computes the ISO 7064 remainder of s, letters counting as 10..35.
func mod97(s string) int {
	m := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			m = (m*10 + int(c-'0')) % 97
		case c >= 'A' && c <= 'Z':
			m = (m*100 + int(c-'A') + 10) % 97
		default:
			return -1
		}
	}
	return m
}

// VATValid reports whether a FR, GB or DE VAT number's check digits are valid.
func VATValid(v string) bool {
	if len(v) < 4 {
		return false
	}
	body := v[2:]
	switch v[:2] {
	case "FR":
		return len(body) == 11 && LuhnValid(body[2:]) && vatFR(body[2:]) == v
	case "GB":
		if len(body) != 9 {
			return false
		}
		sum := 0
		for i := range 7 {
			sum += int(body[i]-'0') * (8 - i)
		}
		check, err := strconv.Atoi(body[7:])
		return err == nil && (sum+check)%97 == 0
	case "DE":
		return len(body) == 9 && mod1110(body[:8]) == body[8]
	}
	return false
}
