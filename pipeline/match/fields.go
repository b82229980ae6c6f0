package match

import (
	"github.com/steward-crm/steward/contact"
	"github.com/steward-crm/steward/fold"
)

// values returns the comparable values of a field of a normalized record: folded keys,
// E.164 numbers, ISO dates. Only usable values are returned; none means "missing".
func values(n *contact.Normalized, field string) []string {
	if n == nil {
		return nil
	}
	one := func(s string) []string {
		if s == "" {
			return nil
		}
		return []string{s}
	}
	usable := func(f contact.Field) []string {
		if !f.Usable() {
			return nil
		}
		return one(f.Value)
	}
	switch field {
	case "given_name":
		return one(n.GivenKey)
	case "family_name":
		return one(n.FamilyKey)
	case "email":
		var out []string
		for _, e := range n.Emails {
			if e.Usable() && e.Key != "" {
				out = append(out, e.Key)
			}
		}
		return out
	case "phone":
		var out []string
		for _, p := range n.Phones {
			if p.Usable() && p.Value != "" {
				out = append(out, p.Value)
			}
		}
		return out
	case "birth_date":
		return usable(n.BirthDate)
	case "postcode":
		if !n.Address.Postcode.Usable() {
			return nil
		}
		return one(fold.Compact(n.Address.Postcode.Value))
	case "city":
		if !n.Address.City.Usable() {
			return nil
		}
		return one(n.Address.CityKey)
	case "street":
		if !n.Address.Street.Usable() {
			return nil
		}
		return one(fold.Key(n.Address.Number + " " + n.Address.Street.Value))
	case "company_name":
		return one(n.Company.NameKey)
	case "company_siren":
		return usable(n.Company.SIREN)
	}
	return nil
}
