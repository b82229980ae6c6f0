package normalize

import (
	"strings"

	"github.com/steward-crm/steward/contact"
)

// FormatPostal formats a normalized (golden) address as the lines of a mail label for its
// country, name first when given, upper case:
//
//	FR: NAME / lines ("12 BIS BOULEVARD HAUSSMANN") / 75009 PARIS / FRANCE
//	US: NAME / lines ("1600 PENNSYLVANIA AVENUE NW") / WASHINGTON 20500
//	GB: NAME / lines ("10 DOWNING STREET") / LONDON / SW1A 2AA
//	DE: NAME / lines ("HAUPTSTRASSE 5A") / 10115 BERLIN
//	other: NAME / lines / postcode CITY / COUNTRY
//
// The US line should read "CITY, ST ZIP": NormAddress has no state yet, so the state is
// left out. Lines are used as normalized; when there are none, the street and number are
// put together in the country's order. Missing parts are left out; invalid ones are
// printed as cleaned, so a steward sees what was sent.
func (n *Normalizer) FormatPostal(a contact.NormAddress, name string) []string {
	var out []string
	add := func(parts ...string) {
		if s := strings.Join(strings.Fields(strings.Join(parts, " ")), " "); s != "" {
			out = append(out, s)
		}
	}
	add(upper(clean(name)))
	cc := ""
	if a.Country.Usable() {
		cc = a.Country.Value
	}
	if len(a.Lines) > 0 {
		for _, l := range a.Lines {
			add(upper(l))
		}
	} else if numberLast[cc] {
		add(a.Street.Value, a.Number)
	} else {
		add(a.Number, a.Street.Value)
	}
	pc, city := upper(a.Postcode.Value), upper(a.City.Value)
	switch cc {
	case "US":
		if a.Region != "" {
			city += ","
			add(city, a.Region, pc)
		} else {
			add(city, pc)
		}
	case "GB":
		add(city)
		add(pc)
	case "DE":
		add(pc, city)
	default:
		add(pc, city)
		if c, ok := n.t.PostalCountryNames[cc]; ok {
			add(c)
		} else {
			add(cc)
		}
	}
	return out
}
