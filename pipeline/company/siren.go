package company

import "github.com/steward-crm/steward/contact"

// laPoste is the SIREN of La Poste, whose establishments' SIRETs often fail the Luhn
// check: INSEE numbers them so that the sum of the 14 digits is a multiple of 5, all
// but the head office, laPosteHeadOffice, whose Luhn check holds.
const (
	laPoste           = "356000000"
	laPosteHeadOffice = "35600000000048"
)

// SIREN validates a French company number (Système d'identification du répertoire des
// entreprises): 9 digits whose Luhn check holds. Separators are removed ("732 829 320"
// gives "732829320", corrected). Issues of an invalid SIREN: "siren.bad_format" (not
// digits), "siren.bad_length", "siren.all_zero", "siren.bad_checksum".
func SIREN(raw string) contact.Field {
	v, f, ok := digitsCheck(raw, "siren", 9)
	if !ok {
		return f
	}
	if !luhn(v) {
		return invalid(raw, "siren.bad_checksum")
	}
	return usable(raw, v)
}

// SIRET validates a French establishment number: 14 digits, a valid SIREN followed by
// the 5-digit NIC, with a Luhn check over the 14 digits. La Poste's establishments
// (SIREN 356000000) pass when their digits add up to a multiple of 5, as INSEE numbers
// them, instead: Luhn is not theirs (35600000000014 passes it and is no establishment's
// number), but for the head office, 35600000000048, which passes Luhn only. Issues of an
// invalid SIRET: "siret.bad_format", "siret.bad_length", "siret.all_zero",
// "siret.bad_siren" (the first 9 digits are not a valid SIREN), "siret.bad_checksum".
func SIRET(raw string) contact.Field {
	v, f, ok := digitsCheck(raw, "siret", 14)
	if !ok {
		return f
	}
	if allZero(v[:9]) || !luhn(v[:9]) {
		return invalid(raw, "siret.bad_siren")
	}
	if v[:9] == laPoste && v != laPosteHeadOffice {
		if digitSum(v)%5 != 0 {
			return invalid(raw, "siret.bad_checksum")
		}
	} else if !luhn(v) {
		return invalid(raw, "siret.bad_checksum")
	}
	return usable(raw, v)
}

// digitSum returns the sum of the digits of s.
func digitSum(s string) int {
	sum := 0
	for i := 0; i < len(s); i++ {
		sum += int(s[i] - '0')
	}
	return sum
}

// Implied returns the identifiers a SIRET implies: its SIREN (the first 9 digits) and
// the French VAT number computed from that SIREN. ok is false, and both strings empty,
// when siret is not a usable SIRET. The VAT number is the one INSEE's formula gives; a
// company that is not registered for VAT has none, whatever the formula says.
func Implied(siret string) (siren, vat string, ok bool) {
	f := SIRET(siret)
	if !f.Usable() {
		return "", "", false
	}
	siren = f.Value[:9]
	return siren, frenchVATOf(siren), true
}

// FrenchVAT returns the French intra-community VAT number of a SIREN: "FR", the 2-digit
// key (12 + 3 × (SIREN mod 97)) mod 97, and the SIREN. raw is cleaned as SIREN cleans
// it; the result is "" when raw is not a usable SIREN.
func FrenchVAT(raw string) string {
	f := SIREN(raw)
	if !f.Usable() {
		return ""
	}
	return frenchVATOf(f.Value)
}

// frenchKey returns the numeric VAT key of a 9-digit number: (12 + 3 × (n mod 97)) mod 97.
func frenchKey(digits string) int {
	r := 0
	for i := 0; i < len(digits); i++ {
		r = (r*10 + int(digits[i]-'0')) % 97
	}
	return (12 + 3*r) % 97
}

// frenchVATOf builds the French VAT number of a valid SIREN.
func frenchVATOf(siren string) string {
	k := frenchKey(siren)
	return "FR" + string([]byte{byte('0' + k/10), byte('0' + k%10)}) + siren
}
