package company

import "github.com/steward-crm/steward/contact"

// DUNS validates a Dun & Bradstreet D-U-N-S number: 9 digits, often written with dashes
// ("15-048-3782" gives "150483782", corrected). D&B publishes no check digit, so only
// the format is checked. Issues of an invalid number: "duns.bad_format",
// "duns.bad_length", "duns.all_zero".
func DUNS(raw string) contact.Field {
	v, f, ok := digitsCheck(raw, "duns", 9)
	if !ok {
		return f
	}
	return usable(raw, v)
}
