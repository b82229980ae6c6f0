package company

import "strings"

// Check-digit tests of VAT numbers, one per country, each taking the part after the
// prefix once it has matched the country's format (so indexes are safe). The algorithms
// are the ones the tax administrations publish and the EC's VIES documentation and
// python-stdnum implement; the tests check them against published numbers.

// checkAT: U + 7 digits + check; Luhn-style cross sum of the 7 digits with weights
// 1,2,1,2,1,2,1, check = (10 − (sum + 4) mod 10) mod 10.
func checkAT(b string) bool {
	sum := 0
	for i := 1; i < 8; i++ {
		d := int(b[i] - '0')
		if i%2 == 0 {
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return (10-(sum+4)%10)%10 == int(b[8]-'0')
}

// checkBE: the last 2 digits are 97 − (first 8 digits mod 97).
func checkBE(b string) bool { return 97-atoi(b[:8])%97 == atoi(b[8:]) }

// checkBG: 9-digit numbers (legal entities) have a weighted mod-11 check digit; the
// 10-digit numbers of natural persons are checked for format only.
func checkBG(b string) bool {
	if len(b) != 9 {
		return true
	}
	c := weighted(b, 1, 2, 3, 4, 5, 6, 7, 8) % 11
	if c == 10 {
		c = weighted(b, 3, 4, 5, 6, 7, 8, 9, 10) % 11
	}
	return c%10 == int(b[8]-'0')
}

// checkCY: a check letter from the 8 digits, those in odd positions (1st, 3rd, …)
// translated through a fixed table.
func checkCY(b string) bool {
	odd := [10]int{1, 0, 5, 7, 9, 13, 15, 17, 19, 21}
	sum := 0
	for i := 0; i < 8; i++ {
		d := int(b[i] - '0')
		if i%2 == 0 {
			d = odd[d]
		}
		sum += d
	}
	return b[8] == byte('A'+sum%26)
}

// checkCZ: 8-digit numbers (legal entities, the IČO) have a mod-11 check digit; the 9-
// and 10-digit numbers of natural persons are checked for format only.
func checkCZ(b string) bool {
	if len(b) != 8 {
		return true
	}
	c := (11 - weighted(b, 8, 7, 6, 5, 4, 3, 2)%11) % 11
	if c == 0 {
		c = 1
	}
	return c%10 == int(b[7]-'0')
}

// checkDK: weights 2,7,6,5,4,3,2,1; the sum is a multiple of 11.
func checkDK(b string) bool { return weighted(b, 2, 7, 6, 5, 4, 3, 2, 1)%11 == 0 }

// checkEE: weights 3,7,1,3,7,1,3,7,1; the sum is a multiple of 10.
func checkEE(b string) bool { return weighted(b, 3, 7, 1, 3, 7, 1, 3, 7, 1)%10 == 0 }

// checkEL: weights 256,128,…,2 on the first 8 digits; check = sum mod 11 mod 10.
func checkEL(b string) bool {
	return weighted(b, 256, 128, 64, 32, 16, 8, 4, 2)%11%10 == int(b[8]-'0')
}

// dniLetters maps a Spanish DNI number mod 23 to its check letter.
const dniLetters = "TRWAGMYFPDXBNJZSQVHLCKE"

// checkES: DNI (8 digits + letter), NIE (X/Y/Z = 0/1/2 + 7 digits + letter), K/L/M
// (7 digits + DNI letter) and CIF (organisation letter + 7 digits + a Luhn check digit,
// or the letter JABCDEFGHI standing for it; which kinds use which is not consistent in
// practice, so either is accepted).
func checkES(b string) bool {
	switch c := b[0]; {
	case c >= '0' && c <= '9':
		return b[8] == dniLetters[atoi(b[:8])%23]
	case c == 'K' || c == 'L' || c == 'M':
		return b[8] == dniLetters[atoi(b[1:8])%23]
	case c == 'X' || c == 'Y' || c == 'Z':
		return b[8] == dniLetters[(int(c-'X')*10_000_000+atoi(b[1:8]))%23]
	}
	d := luhnDigit(b[1:8])
	return b[8] == byte('0'+d) || b[8] == "JABCDEFGHI"[d]
}

// checkFI: weights 7,9,10,5,8,4,2,1; the sum is a multiple of 11.
func checkFI(b string) bool { return weighted(b, 7, 9, 10, 5, 8, 4, 2, 1)%11 == 0 }

// checkHU: weights 9,7,3,1,9,7,3,1; the sum is a multiple of 10.
func checkHU(b string) bool { return weighted(b, 9, 7, 3, 1, 9, 7, 3, 1)%10 == 0 }

// ieLetters maps a mod-23 remainder to an Irish check letter (W is 0).
const ieLetters = "WABCDEFGHIJKLMNOPQRSTUV"

// checkIE: 7 digits + check letter (+ an optional second letter, counted with weight 9,
// since 2013), or the old form digit, letter or +/*, 5 digits, check letter, whose digits
// are checked as 0, the 5 digits and the first digit.
func checkIE(b string) bool {
	digits, extra := b[:7], 0
	if !isDigits(b[1:2]) { // old form
		digits = "0" + b[2:7] + b[:1]
	} else if len(b) == 9 {
		extra = strings.IndexByte(ieLetters, b[8])
	}
	sum := weighted(digits, 8, 7, 6, 5, 4, 3, 2) + 9*extra
	return b[7] == ieLetters[sum%23]
}

// checkIT: Luhn over the 11 digits; the first 7 (the company's number) are not all 0.
func checkIT(b string) bool { return luhn(b) && !allZero(b[:7]) }

// checkLT: weights 1,2,…,9,1,2 mod 11; when that gives 10, weights 3,4,…,9,1,2,3,4;
// a remainder of 10 then gives 0.
func checkLT(b string) bool {
	n := len(b) - 1
	sum := 0
	for i := 0; i < n; i++ {
		sum += (1 + i%9) * int(b[i]-'0')
	}
	c := sum % 11
	if c == 10 {
		sum = 0
		for i := 0; i < n; i++ {
			sum += (1 + (i+2)%9) * int(b[i]-'0')
		}
		c = sum % 11
	}
	return c%10 == int(b[n]-'0')
}

// checkLU: the last 2 digits are the first 6 mod 89.
func checkLU(b string) bool { return atoi(b[:6])%89 == atoi(b[6:]) }

// checkLV: numbers of legal entities (first digit above 3) have weights
// 9,1,4,8,3,10,2,5,7,6,1 summing to 3 mod 11; personal codes are checked for format only.
func checkLV(b string) bool {
	if b[0] <= '3' {
		return true
	}
	return weighted(b, 9, 1, 4, 8, 3, 10, 2, 5, 7, 6, 1)%11 == 3
}

// checkMT: weights 3,4,6,7,8,9,10,1; the sum is a multiple of 37.
func checkMT(b string) bool { return weighted(b, 3, 4, 6, 7, 8, 9, 10, 1)%37 == 0 }

// checkNL: before 2020 the 9 digits were an RSIN/BSN with the "11-proof" (weights
// 9,…,2 and −1); since 2020 sole traders get numbers for which "NL" + the 12 characters
// pass ISO 7064 MOD 97-10, as in IBANs. Either is accepted.
func checkNL(b string) bool {
	if (weighted(b, 9, 8, 7, 6, 5, 4, 3, 2)-int(b[8]-'0'))%11 == 0 {
		return true
	}
	return mod97("NL"+b) == 1
}

// checkPL: weights 6,5,7,2,3,4,5,6,7 mod 11 give the 10th digit.
func checkPL(b string) bool { return weighted(b, 6, 5, 7, 2, 3, 4, 5, 6, 7)%11 == int(b[9]-'0') }

// checkPT: weights 9,…,2; check = (11 − sum mod 11) mod 11 mod 10.
func checkPT(b string) bool {
	return (11-weighted(b, 9, 8, 7, 6, 5, 4, 3, 2)%11)%11%10 == int(b[8]-'0')
}

// checkRO: the digits before the check digit, left-padded to 9, weights 7,5,3,2,1,7,5,3,2;
// check = 10 × sum mod 11 mod 10.
func checkRO(b string) bool {
	n := len(b) - 1
	padded := strings.Repeat("0", 9-n) + b[:n]
	return 10*weighted(padded, 7, 5, 3, 2, 1, 7, 5, 3, 2)%11%10 == int(b[n]-'0')
}

// checkSE: the 10-digit organisation number passes Luhn; "01" follows.
func checkSE(b string) bool { return luhn(b[:10]) }

// checkSI: weights 8,…,2; check = 11 − sum mod 11, 10 giving 0 and 11 invalid.
func checkSI(b string) bool {
	c := 11 - weighted(b, 8, 7, 6, 5, 4, 3, 2)%11
	if c == 11 {
		return false
	}
	return c%10 == int(b[7]-'0')
}

// checkSK: the 10-digit number is a multiple of 11.
func checkSK(b string) bool {
	r := 0
	for i := 0; i < len(b); i++ {
		r = (r*10 + int(b[i]-'0')) % 11
	}
	return r == 0
}
