package synth

import (
	"math/rand/v2"
	"strconv"
)

// date is a calendar date; the zero value means unknown.
type date struct{ y, m, d int }

func (d date) known() bool { return d.y != 0 }

// entity is one real person: the ground truth every record of it renders.
type entity struct {
	id                    int
	idStr                 string
	cc                    string
	male, doctor          bool
	given, middle, family string
	birth                 date
	personal, corporate   string // e-mail addresses, either may be empty
	old                   string // an address the person no longer uses
	mobile, home, direct  *phone
	addr                  *address
	company               *Company
	est                   *Establishment
	job                   string
}

// ID returns the ground-truth id: "E000123".
func (e *entity) ID() string {
	if e.idStr == "" {
		e.idStr = padded("E", e.id)
	}
	return e.idStr
}

// padded returns prefix + n written with at least 6 digits.
func padded(prefix string, n int) string {
	s := strconv.Itoa(n)
	if len(s) < 6 {
		s = "000000"[len(s):] + s
	}
	return prefix + s
}

// newEntity draws a clean person. company is nil for a B2C contact.
func newEntity(r *rand.Rand, id int, cc string, company *Company) *entity {
	e := &entity{id: id, cc: cc, male: r.IntN(2) == 0}
	e.given = givenName(r, cc, e.male)
	e.family = surname(r, cc)
	e.middle = middleInitial(r, cc)
	e.doctor = chance(r, 0.025)
	if chance(r, 0.6) {
		e.birth = birthDate(r, company != nil)
	}
	e.addr = newAddress(r, cc, nil, false)
	e.setPhones(r)
	if company != nil {
		e.setCompany(r, company)
	}
	e.setEmails(r)
	return e
}

func birthDate(r *rand.Rand, working bool) date {
	lo, hi := 1940, 2006
	if working {
		lo, hi = 1958, 2003
	}
	d := date{y: between(r, lo, hi), m: between(r, 1, 12)}
	d.d = between(r, 1, daysIn(d.y, d.m))
	return d
}

func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

func (e *entity) setPhones(r *rand.Rand) {
	if chance(r, 0.85) {
		m := newMobile(r, e.cc)
		e.mobile = &m
	}
	if e.mobile == nil || chance(r, 0.35) {
		h := newLandline(r, e.cc, e.addr.city, false)
		e.home = &h
	}
}

// setCompany attaches the person to a site of the company, with a direct line sometimes.
func (e *entity) setCompany(r *rand.Rand, c *Company) {
	e.company = c
	e.est = &c.Establishments[0]
	if len(c.Establishments) > 1 && chance(r, 0.4) {
		e.est = &c.Establishments[r.IntN(len(c.Establishments))]
	}
	if chance(r, 0.5) {
		d := newLandline(r, e.cc, e.est.addr.city, false)
		e.direct = &d
	}
	if chance(r, 0.7) {
		e.job = jobTitle(r, e.cc, e.male)
	}
}

func (e *entity) setEmails(r *rand.Rand) {
	g, f := nameParts(e.cc, e.given, e.family)
	if e.company != nil && chance(r, 0.9) {
		e.corporate = corporateLocal(emailConvention(e.company), g, f) + "@" + e.company.Domain
	}
	pPersonal := 0.88
	if e.company != nil {
		pPersonal = 0.45
	}
	if chance(r, pPersonal) {
		e.personal = personalLocal(r, g, f, e.birth.y) + "@" + freeMail[e.cc].draw(r)
	}
	if chance(r, 0.3) {
		e.old = personalLocal(r, g, f, e.birth.y) + "@" + pick(r, legacyMail[e.cc])
	}
	if e.personal == "" && e.corporate == "" && e.mobile == nil && e.home == nil {
		m := newMobile(r, e.cc)
		e.mobile = &m
	}
}

// emails returns the entity's current addresses, preferred first for the context.
func (e *entity) emails(work bool) []string {
	var out []string
	if work && e.corporate != "" {
		out = append(out, e.corporate)
	}
	if e.personal != "" {
		out = append(out, e.personal)
	}
	if !work && e.corporate != "" {
		out = append(out, e.corporate)
	}
	return out
}

// similarGiven pairs given names that differ by a letter or two across genders: the
// hardest household negatives ("Jean" and "Jeanne" Martin at one address).
var similarPairs = [][2]string{
	{"Jean", "Jeanne"}, {"Daniel", "Danielle"}, {"Pascal", "Pascale"}, {"Christian", "Christiane"},
	{"Denis", "Denise"}, {"Louis", "Louise"}, {"Gabriel", "Gabrielle"}, {"René", "Renée"},
	{"Joël", "Joëlle"}, {"Dominique", "Dominique"}, {"Claude", "Claude"}, {"Michel", "Michèle"},
	{"Frédéric", "Frédérique"}, {"Paul", "Paula"}, {"Alexander", "Alexandra"}, {"Patrick", "Patricia"},
	{"Frank", "Frances"}, {"Robert", "Roberta"}, {"Andrew", "Andrea"}, {"Joseph", "Josephine"},
	{"Eric", "Erica"}, {"Andreas", "Andrea"}, {"Michael", "Michaela"}, {"Stefan", "Stefanie"},
	{"Martin", "Martina"}, {"Simon", "Simone"}, {"Christopher", "Christina"}, {"Carl", "Carla"},
}

// similarGiven maps each name of similarPairs to its partner (the first pair wins).
var similarGiven = func() map[string]string {
	m := map[string]string{}
	for _, p := range similarPairs {
		if _, ok := m[p[0]]; !ok {
			m[p[0]] = p[1]
		}
		if _, ok := m[p[1]]; !ok {
			m[p[1]] = p[0]
		}
	}
	return m
}()
