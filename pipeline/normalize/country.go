package normalize

import (
	"strings"

	"github.com/nyaruka/phonenumbers"
	"github.com/steward-crm/steward/contact"
	"github.com/steward-crm/steward/fold"
)

// Country resolves a country written as an ISO 3166-1 code (alpha-2 or alpha-3) or a name
// in one of the languages of Tables.Countries (in English with its article too: "The
// Netherlands") to its alpha-2 code. An alpha-2 code absent from the table is accepted
// when the phone metadata knows it as a region. Empty input is missing (nothing is derived
// from other fields); anything else unknown is invalid with "country.unknown".
func (n *Normalizer) Country(raw string) contact.Field {
	s := clean(raw)
	if s == "" {
		return contact.Missing()
	}
	k := fold.Key(s)
	if cc, ok := n.t.Countries[k]; ok { // before placeholders: "NO" is Norway
		return fieldOf(raw, cc, nil)
	}
	// "The Netherlands", "the UK": English names take an article the table's do not.
	if rest, ok := strings.CutPrefix(k, "the "); ok {
		if cc, ok := n.t.Countries[rest]; ok {
			return fieldOf(raw, cc, nil)
		}
	}
	if n.isPlaceholderKey(k) {
		return invalid(raw, "country.placeholder")
	}
	if len(k) == 2 {
		cc := strings.ToUpper(k)
		if cc != "ZZ" && phonenumbers.GetSupportedRegions()[cc] {
			return fieldOf(raw, cc, nil)
		}
	}
	return invalid(raw, "country.unknown")
}

// countryCode returns the alpha-2 code of a country hint (a code or a name), or "".
func (n *Normalizer) countryCode(hint string) string {
	if n.codes[hint] {
		return hint
	}
	if f := n.Country(hint); f.Usable() {
		return f.Value
	}
	return ""
}

// recordCountry is the alpha-2 country of a record: the normalized address country when
// the address stage has run, else the raw address country resolved the same way. It is
// what the phone, date and company stages read.
func (n *Normalizer) recordCountry(r *contact.Record) string {
	if r.Norm != nil && r.Norm.Address.Country.Usable() {
		return r.Norm.Address.Country.Value
	}
	if r.Address == nil {
		return ""
	}
	return n.countryCode(r.Address.Country)
}
