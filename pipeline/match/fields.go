package match

import (
	"strings"

	"github.com/steward-crm/steward/contact"
	"github.com/steward-crm/steward/fold"
)

// values returns the comparable values of a field of a normalized record: folded keys,
// E.164 numbers, ISO dates. Only usable values are returned; none means "missing".
func values(n *contact.Normalized, field string) []string { return appendValues(nil, n, field) }

// appendValues appends the values of field to dst (see values): Features passes room for
// one value inside itself, so that single-valued fields allocate nothing.
func appendValues(dst []string, n *contact.Normalized, field string) []string {
	if n == nil {
		return dst
	}
	one := func(s string) []string {
		if s == "" {
			return dst
		}
		return append(dst, s)
	}
	usable := func(f contact.Field) []string {
		if !f.Usable() {
			return dst
		}
		return one(f.Value)
	}
	switch field {
	case "given_name":
		return one(n.GivenKey)
	case "family_name":
		return one(n.FamilyKey)
	case "email":
		out := dst
		for _, e := range n.Emails {
			if e.Usable() && e.Key != "" {
				out = append(out, untagged(e.Key))
			}
		}
		return out
	case "phone", "phone_mobile", "phone_fixed":
		out := dst
		for _, p := range n.Phones {
			mobile := p.Type == "mobile"
			if p.Usable() && p.Value != "" && (field == "phone" || (field == "phone_mobile") == mobile) {
				out = append(out, p.Value)
			}
		}
		return out
	case "email_local":
		// The local part without dots, hyphens or underscores: the same person's address
		// at another provider ("jmartin@gmail.com" / "j.martin@orange.fr").
		out := dst
		for _, e := range n.Emails {
			if !e.Usable() || e.Key == "" || e.Class == "role" {
				continue
			}
			local, _, _ := strings.Cut(e.Key, "@")
			local = strings.Map(func(r rune) rune {
				if r == '.' || r == '-' || r == '_' {
					return -1
				}
				return r
			}, local)
			if len(local) >= 4 {
				out = append(out, local)
			}
		}
		return out
	case "birth_date":
		return usable(n.BirthDate)
	case "postcode":
		if !n.Address.Postcode.Usable() {
			return dst
		}
		pc := fold.Compact(n.Address.Postcode.Value)
		if len(pc) == 9 && fold.IsDigits(pc) {
			pc = pc[:5] // a US ZIP+4 compares as its ZIP: the +4 is often left out
		}
		return one(pc)
	case "city":
		if !n.Address.City.Usable() {
			return dst
		}
		return one(n.Address.CityKey)
	case "street":
		if !n.Address.Street.Usable() {
			return dst
		}
		return one(fold.Key(n.Address.Number + " " + n.Address.Street.Value))
	case "company_name":
		return one(n.Company.NameKey)
	case "company_siren":
		return usable(n.Company.SIREN)
	}
	return dst
}

// untagged drops a "+tag" from the local part of an e-mail key: most providers deliver
// "name+shop@x" to "name@x", so both are one mailbox.
func untagged(key string) string {
	local, domain, ok := strings.Cut(key, "@")
	if !ok {
		return key
	}
	if i := strings.IndexByte(local, '+'); i > 0 {
		return local[:i] + "@" + domain
	}
	return key
}
