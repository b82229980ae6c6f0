package company

import (
	"strings"

	"github.com/steward-crm/steward/contact"
)

// chPrefixes are the 2-letter prefixes Companies House puts before 6 digits for the
// entities not registered as England and Wales companies: SC Scottish company, NI
// Northern Ireland company, OC/SO/NC limited liability partnerships (England and Wales,
// Scotland, Northern Ireland), LP/SL/NL limited partnerships, FC/SF/NF overseas
// companies, AC/SA/NA assurance companies, ZC/SZ/NZ unregistered companies,
// GE/GS/GN EEIGs, SE/ES/EN European companies, CE/CS charitable incorporated
// organisations, SG Scottish qualifying partnerships, RS registered societies, BR UK
// establishments of overseas companies, OE overseas entities, RC Royal Charter
// companies, IC investment companies with variable capital, and FE, which the register
// uses too.
var chPrefixes = map[string]bool{
	"SC": true, "NI": true, "OC": true, "SO": true, "NC": true, "LP": true, "SL": true,
	"NL": true, "FC": true, "SF": true, "NF": true, "AC": true, "SA": true, "NA": true,
	"ZC": true, "SZ": true, "NZ": true, "GE": true, "GS": true, "GN": true, "SE": true,
	"ES": true, "EN": true, "CE": true, "CS": true, "SG": true, "FE": true, "RS": true,
	"BR": true, "OE": true, "RC": true, "IC": true,
}

// CompaniesHouse validates a UK company registration number: 8 characters, either 8
// digits (England and Wales) or a known 2-letter prefix and 6 digits ("SC123456"), or
// R0 and 6 digits (Northern Ireland companies registered before partition). Shorter
// numbers are left-padded with zeros after any prefix, as Companies House writes them
// ("445790" gives "00445790", corrected). There is no check digit. Issues of an invalid
// number: "companies_house.bad_format", "companies_house.bad_length",
// "companies_house.unknown_prefix", "companies_house.all_zero". The rarer forms with
// letters after the digits (some registered societies and LLPs) are not accepted.
func CompaniesHouse(raw string) contact.Field {
	v := compact(raw)
	if v == "" {
		return contact.Missing()
	}
	var prefix, digits string
	switch {
	case isDigits(v):
		prefix, digits = "", v
	case len(v) > 2 && isUpper(v[0]) && isUpper(v[1]) && isDigits(v[2:]):
		prefix, digits = v[:2], v[2:]
		if !chPrefixes[prefix] {
			return invalid(raw, "companies_house.unknown_prefix")
		}
	case len(v) > 1 && v[0] == 'R' && isDigits(v[1:]):
		prefix, digits = "R", v[1:]
		if len(digits) == 7 && digits[0] != '0' {
			return invalid(raw, "companies_house.bad_format")
		}
	default:
		return invalid(raw, "companies_house.bad_format")
	}
	width := 8 - len(prefix)
	switch {
	case len(digits) > width:
		return invalid(raw, "companies_house.bad_length")
	case allZero(digits):
		return invalid(raw, "companies_house.all_zero")
	}
	return usable(raw, prefix+strings.Repeat("0", width-len(digits))+digits)
}
