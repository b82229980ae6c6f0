package company

import "github.com/steward-crm/steward/contact"

// LEI validates a Legal Entity Identifier (ISO 17442): 20 characters, 18 letters or
// digits followed by 2 check digits such that the whole, letters counted as 10 to 35,
// is 1 modulo 97 (ISO 7064 MOD 97-10). Separators are removed and letters upper-cased.
// Issues of an invalid LEI: "lei.bad_format" (a character other than A–Z and 0–9, or
// letters in the check digits), "lei.bad_length", "lei.bad_checksum".
func LEI(raw string) contact.Field {
	v := compact(raw)
	switch {
	case v == "":
		return contact.Missing()
	case !isCanonical(v):
		return invalid(raw, "lei.bad_format")
	case len(v) != 20:
		return invalid(raw, "lei.bad_length")
	case !isDigits(v[18:]):
		return invalid(raw, "lei.bad_format")
	case mod97(v) != 1:
		return invalid(raw, "lei.bad_checksum")
	}
	return usable(raw, v)
}
