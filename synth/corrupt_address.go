package synth

import (
	"strings"
)

// addr returns the record's address, or nil when it has none to corrupt.
func (x *rendering) addr() *address {
	if x.rec.Address == nil {
		return nil
	}
	return x.shown
}

var cityAbbrev = strings.NewReplacer("Saint-", "St-", "Sainte-", "Ste-", " upon ", " u. ",
	" am Main", " a. M.", " im Breisgau", "")

var addressOps = []corruption{
	{"address_missing", 0.2, func(c *corrupter, x *rendering) bool {
		if x.rec.Address == nil {
			return false
		}
		x.rec.Address = nil
		x.facts &^= factHomeAddr | factWorkAddr
		return true
	}},
	{"moved", 0.04, func(c *corrupter, x *rendering) bool {
		if x.rec.Address == nil || x.facts&factHomeAddr == 0 {
			return false
		}
		// An address the person had before, in the same city or elsewhere.
		var a *address
		if c.r.IntN(2) == 0 {
			a = newAddress(c.r, x.e.cc, x.e.addr.city, false)
		} else {
			a = newAddress(c.r, x.e.cc, nil, false)
		}
		ad := x.rec.Address
		ad.Lines, ad.Postcode, ad.City = a.lines(), a.postcode, a.city.name
		if ad.Region != "" {
			ad.Region = a.city.region
		}
		x.shown = a
		x.facts &^= factHomeAddr
		x.old = true
		return true
	}},
	{"address_abbrev", 0.5, func(c *corrupter, x *rendering) bool {
		if x.addr() == nil || len(x.rec.Address.Lines) == 0 {
			return false
		}
		l, ok := abbreviate(c.r, x.e.cc, x.rec.Address.Lines[0])
		x.rec.Address.Lines[0] = l
		return ok
	}},
	{"lines_merged", 0.1, func(c *corrupter, x *rendering) bool {
		a := x.addr()
		if a == nil || len(x.rec.Address.Lines) == 0 {
			return false
		}
		ls := x.rec.Address.Lines
		if len(ls) == 2 {
			x.rec.Address.Lines = []string{ls[0] + ", " + ls[1]}
			return true
		}
		if a.cc == "FR" && strings.HasPrefix(ls[0], a.number+" ") {
			// House number on its own line, as some forms split it.
			x.rec.Address.Lines = []string{a.number, strings.TrimPrefix(ls[0], a.number+" ")}
			return true
		}
		if a.cc == "FR" {
			x.rec.Address.Lines = []string{strings.Replace(ls[0], " ", ", ", 1)}
			return true
		}
		return false
	}},
	{"street_typo", 0.1, func(c *corrupter, x *rendering) bool {
		if x.addr() == nil || len(x.rec.Address.Lines) == 0 {
			return false
		}
		old := x.rec.Address.Lines[0]
		x.rec.Address.Lines[0] = typo(c.r, old)
		return old != x.rec.Address.Lines[0]
	}},
	{"address_case", 0.15, func(c *corrupter, x *rendering) bool {
		if x.addr() == nil {
			return false
		}
		ad := x.rec.Address
		for i, l := range ad.Lines {
			ad.Lines[i] = strings.ToUpper(dropAccents(l))
		}
		ad.City = strings.ToUpper(dropAccents(ad.City))
		return true
	}},
	{"postcode_missing", 0.15, func(c *corrupter, x *rendering) bool {
		if x.addr() == nil || x.rec.Address.Postcode == "" || x.rec.Address.City == "" {
			return false
		}
		x.rec.Address.Postcode = ""
		return true
	}},
	{"postcode_format", 0.15, func(c *corrupter, x *rendering) bool {
		if x.addr() == nil || x.rec.Address.Postcode == "" {
			return false
		}
		pc := x.rec.Address.Postcode
		switch x.e.cc {
		case "FR", "DE":
			if pc[0] == '0' {
				pc = pc[1:] // a spreadsheet ate the leading zero
			} else {
				pc = pc[:2] + " " + pc[2:]
			}
		case "US":
			pc += "-" + digitsFrom(c.r, "0123456789", 4)
		case "GB":
			pc = pick(c.r, []string{strings.ReplaceAll(pc, " ", ""), strings.ToLower(pc)})
		}
		x.rec.Address.Postcode = pc
		return true
	}},
	{"city_missing", 0.1, func(c *corrupter, x *rendering) bool {
		if x.addr() == nil || x.rec.Address.City == "" || x.rec.Address.Postcode == "" {
			return false
		}
		x.rec.Address.City = ""
		return true
	}},
	{"city_variant", 0.3, func(c *corrupter, x *rendering) bool {
		a := x.addr()
		if a == nil || x.rec.Address.City == "" {
			return false
		}
		old, city := x.rec.Address.City, a.city.name
		switch c.r.IntN(5) {
		case 0:
			city = strings.ToUpper(city)
		case 1:
			city = strings.ToUpper(dropAccents(strings.ReplaceAll(city, "-", " ")))
		case 2:
			if n, ok := arrondissement(c.r, a.city, a.postcode); ok {
				city = n
			} else if al, ok := cityAliases[city]; ok {
				city = pick(c.r, al)
			} else {
				city = dropAccents(city)
			}
		case 3:
			city = cityAbbrev.Replace(city)
		default:
			city = strings.ToLower(dropAccents(city))
		}
		x.rec.Address.City = city
		return old != city
	}},
	{"city_typo", 0.08, func(c *corrupter, x *rendering) bool {
		if x.addr() == nil || x.rec.Address.City == "" {
			return false
		}
		old := x.rec.Address.City
		x.rec.Address.City = typo(c.r, old)
		return old != x.rec.Address.City
	}},
	{"country_form", 0.5, func(c *corrupter, x *rendering) bool {
		if x.addr() == nil {
			return false
		}
		old := x.rec.Address.Country
		x.rec.Address.Country = pick(c.r, countryForms[x.e.cc])
		return old != x.rec.Address.Country
	}},
	{"country_missing", 0.15, func(c *corrupter, x *rendering) bool {
		if x.addr() == nil || x.rec.Address.Country == "" {
			return false
		}
		x.rec.Address.Country = ""
		return true
	}},
}
