package synth

import "math/rand/v2"

// Hard-negative relations: a new entity that is a different person but shares much
// with a recent one.
const (
	relHousehold      = iota // same family name, address and landline; other given name
	relFatherSon             // same full name, address and landline; a generation apart
	relNamesakeCity          // same full name, same city, nothing else
	relNamesake              // same full name elsewhere
	relFamilyNameCity        // same family name and city
	relColleague             // same company, site, switchboard and e-mail domain
	relCount
)

var relationNames = [relCount]string{"household", "father_son", "namesake_same_city",
	"namesake", "family_name_same_city", "colleague"}

var relationWeights = []float64{30, 8, 14, 14, 14, 20}

// related draws a hard negative of base with the given id. Phones drawn again for an
// address or a site the person got from base come from redraw, so that the main random
// stream (and the rest of the data) does not depend on them.
func related(r, redraw *rand.Rand, id int, base *entity, kind int, company *Company) *entity {
	if kind == relColleague && base.company == nil {
		kind = relHousehold
	}
	if kind == relColleague {
		company = base.company
	}
	e := newEntity(r, id, base.cc, company)
	switch kind {
	case relHousehold:
		e.family = base.family
		e.addr, e.home = base.addr, base.home
		if chance(r, 0.5) {
			e.male = !base.male
			if alt, ok := similarGiven[base.given]; ok && chance(r, 0.35) {
				e.given = alt
			} else {
				e.given = otherGiven(r, e.cc, e.male, base.given)
			}
		} else {
			e.male = base.male
			e.given = otherGiven(r, e.cc, e.male, base.given)
		}
	case relFatherSon:
		e.male, e.given, e.family, e.middle = base.male, base.given, base.family, ""
		e.addr, e.home = base.addr, base.home
		if base.birth.known() {
			gap := between(r, 22, 36)
			e.birth = base.birth
			if base.birth.y+gap <= 2006 {
				e.birth.y += gap
			} else {
				e.birth.y -= gap
			}
			e.birth.d = min(e.birth.d, daysIn(e.birth.y, e.birth.m))
		}
	case relNamesakeCity, relNamesake:
		e.male, e.given, e.family = base.male, base.given, base.family
		if kind == relNamesakeCity {
			e.addr = newAddress(r, e.cc, base.addr.city, false)
			if e.home != nil {
				h := newLandline(r, e.cc, e.addr.city, false)
				e.home = &h
			}
		}
	case relFamilyNameCity:
		e.family = base.family
		e.given = otherGiven(r, e.cc, e.male, base.given)
		e.addr = newAddress(r, e.cc, base.addr.city, false)
		if e.home != nil {
			h := newLandline(redraw, e.cc, e.addr.city, false)
			e.home = &h
		}
	case relColleague:
		e.est = base.est
		if e.direct != nil {
			d := newLandline(redraw, e.cc, e.est.addr.city, false)
			e.direct = &d
		}
		if chance(r, 0.1) {
			e.family = base.family
		}
	}
	e.personal, e.corporate, e.old = "", "", ""
	e.setEmails(r)
	return e
}

// otherGiven draws a given name different from not.
func otherGiven(r *rand.Rand, cc string, male bool, not string) string {
	for range 8 {
		if g := givenName(r, cc, male); g != not {
			return g
		}
	}
	if male {
		return "Noah"
	}
	return "Emma"
}
