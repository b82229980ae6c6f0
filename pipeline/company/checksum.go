package company

// The check-digit algorithms shared by several identifiers. Each takes a string that the
// caller has already checked for its alphabet (digits, or digits and A–Z); they never
// panic on other input but their answer is then meaningless.

// luhn reports whether the digits of s pass the Luhn (mod 10) check: every second digit
// from the right is doubled, digits of the products summed, the total divisible by 10.
// Used by SIREN, SIRET, Italian, Swedish and (through luhnDigit) Spanish CIF numbers.
func luhn(s string) bool {
	sum := 0
	for i := 0; i < len(s); i++ {
		d := int(s[len(s)-1-i] - '0')
		if i%2 == 1 {
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return sum%10 == 0
}

// luhnDigit returns the Luhn check digit to append to the digits of s.
func luhnDigit(s string) int {
	sum := 0
	for i := 0; i < len(s); i++ {
		d := int(s[len(s)-1-i] - '0')
		if i%2 == 0 { // doubled: the check digit will take position 0
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return (10 - sum%10) % 10
}

// mod97 returns the ISO 7064 MOD 97-10 remainder of s, letters counting as two digits
// (A = 10 … Z = 35), as in IBANs and LEIs. A valid LEI leaves 1.
func mod97(s string) int {
	r := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			r = (r*10 + int(c-'0')) % 97
		case c >= 'A' && c <= 'Z':
			r = (r*100 + int(c-'A') + 10) % 97
		}
	}
	return r
}

// mod11_10 reports whether the digits of s pass the ISO 7064 MOD 11,10 hybrid check
// (German USt-IdNr, Croatian OIB).
func mod11_10(s string) bool {
	p := 10
	for i := 0; i < len(s)-1; i++ {
		sum := (int(s[i]-'0') + p) % 10
		if sum == 0 {
			sum = 10
		}
		p = sum * 2 % 11
	}
	return (11-p)%10 == int(s[len(s)-1]-'0')
}

// weighted returns the sum of the digits of s multiplied by weights, position by
// position; digits beyond the weights are ignored.
func weighted(s string, weights ...int) int {
	sum := 0
	for i := 0; i < len(s) && i < len(weights); i++ {
		sum += weights[i] * int(s[i]-'0')
	}
	return sum
}

// atoi returns the value of a short string of digits.
func atoi(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}
