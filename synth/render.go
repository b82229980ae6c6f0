package synth

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/steward-crm/steward/contact"
)

// profile is what a kind of source system knows about people and how it writes it.
type profile struct {
	email, phone, phone2, address, birth, civility, job, fullName, companyIDs float64
	// work is the chance that a B2B contact is seen in a work context (company, work
	// address and e-mail, office phone).
	work float64
	// phoneFmt and countryForm are the source's conventions.
	phoneFmt, countryForm int
}

var defaultProfiles = []profile{
	{email: 1, phone: 0.7, phone2: 0.1, address: 0.95, birth: 0.2, civility: 0.6, job: 0.05,
		fullName: 0.05, companyIDs: 0.05, work: 0.2, phoneFmt: fmtE164, countryForm: 0}, // webshop
	{email: 0.5, phone: 1, phone2: 0.4, address: 0.5, birth: 0.45, civility: 0.9, job: 0.2,
		fullName: 0.3, companyIDs: 0.1, work: 0.3, phoneFmt: fmtNational, countryForm: 1}, // callcenter
	{email: 0.85, phone: 0.8, phone2: 0.2, address: 1, birth: 0.05, civility: 0.5, job: 0.3,
		fullName: 0.15, companyIDs: 0.9, work: 0.9, phoneFmt: fmtDots, countryForm: 2}, // erp
	{email: 0.9, phone: 0.85, phone2: 0.5, address: 0.8, birth: 0.5, civility: 0.8, job: 0.7,
		fullName: 0.1, companyIDs: 0.5, work: 0.6, phoneFmt: fmtIntl, countryForm: 0}, // crm
}

// source is one configured source system.
type source struct {
	name, prefix string
	prof         profile
	seq          int
}

func newSources(names []string) []*source {
	out := make([]*source, len(names))
	for i, n := range names {
		s := &source{name: n, prof: defaultProfiles[i%len(defaultProfiles)]}
		switch n {
		case "webshop":
			s.prefix, s.prof = "WEB", defaultProfiles[0]
		case "callcenter":
			s.prefix, s.prof = "CC", defaultProfiles[1]
		case "erp":
			s.prefix, s.prof = "ERP", defaultProfiles[2]
		case "crm":
			s.prefix, s.prof = "CRM", defaultProfiles[3]
		default:
			p := strings.ToUpper(slug(n, 0))
			if len(p) > 3 {
				p = p[:3]
			}
			if p == "" {
				p = fmt.Sprintf("S%d", i+1)
			}
			s.prefix = p
		}
		out[i] = s
	}
	return out
}

// nextID returns the next source_id of the source: "WEB-000123".
func (s *source) nextID() string {
	s.seq++
	return padded(s.prefix+"-", s.seq)
}

// Facts a record carries about its entity, intact. Corruption clears the ones it breaks.
const (
	factPersonal uint32 = 1 << iota
	factCorporate
	factOld
	factMobile
	factHome
	factDirect
	factSwitchboard
	factBirth
	factHomeAddr
	factWorkAddr
	factCompany
)

// strongFacts identify a person together with a recognizable name; the switchboard, the
// work address and the company are shared with colleagues and do not.
const strongFacts = factPersonal | factCorporate | factOld | factMobile | factHome | factDirect | factBirth | factHomeAddr

// rendering is a record of an entity and what it carries.
type rendering struct {
	rec   *contact.Record
	facts uint32
	work  bool
	// old marks a record that carries an old e-mail: it is dated earlier.
	old bool
	// shown is the address the record carries (the home or work address, or one the
	// person had before): the address operations work on it.
	shown *address
	e     *entity
	src   *source
}

// render writes the entity as the source would, cleanly.
func render(r *rand.Rand, e *entity, src *source) *rendering {
	p := src.prof
	rec := &contact.Record{Source: src.name, Op: contact.OpUpsert, Kind: contact.KindPerson}
	x := &rendering{rec: rec, e: e, src: src, work: e.company != nil && chance(r, p.work)}
	if chance(r, p.civility) {
		rec.Civility = civility(e.cc, e.male, e.doctor)
	}
	if chance(r, p.fullName) {
		rec.FullName = e.given + " " + e.family
	} else {
		rec.GivenName, rec.FamilyName = e.given, e.family
	}
	if chance(r, p.email) {
		for i, m := range e.emails(x.work) {
			if i == 0 || chance(r, 0.3) {
				x.addEmail(m)
			}
		}
	}
	if chance(r, p.phone) {
		for i, ph := range x.phones() {
			if i == 0 || chance(r, p.phone2) {
				x.addPhone(ph, p.phoneFmt)
			}
		}
	}
	if chance(r, p.address) {
		x.setAddress(r, p.countryForm)
	}
	if e.birth.known() && chance(r, p.birth) {
		rec.BirthDate = fmt.Sprintf("%04d-%02d-%02d", e.birth.y, e.birth.m, e.birth.d)
		x.facts |= factBirth
	}
	if e.company != nil && (x.work || chance(r, 0.25)) {
		x.setCompany(r, chance(r, p.companyIDs))
		if e.job != "" && chance(r, p.job) {
			rec.JobTitle = e.job
		}
	}
	if x.facts&strongFacts == 0 {
		x.restore(r)
	}
	return x
}

// phones lists the entity's numbers, the one this context would give first.
func (x *rendering) phones() []*phone {
	e := x.e
	var out []*phone
	if x.work {
		if e.direct != nil {
			out = append(out, e.direct)
		} else if e.company != nil {
			out = append(out, &e.company.switchboard)
		}
	}
	if e.mobile != nil {
		out = append(out, e.mobile)
	}
	if e.home != nil {
		out = append(out, e.home)
	}
	return out
}

func (x *rendering) addEmail(m string) {
	x.rec.Emails = append(x.rec.Emails, m)
	switch m {
	case x.e.personal:
		x.facts |= factPersonal
	case x.e.corporate:
		x.facts |= factCorporate
	case x.e.old:
		x.facts |= factOld
	}
}

func (x *rendering) addPhone(p *phone, style int) {
	x.rec.Phones = append(x.rec.Phones, p.format(style))
	x.facts |= x.phoneFact(p)
}

func (x *rendering) phoneFact(p *phone) uint32 {
	switch {
	case p == x.e.mobile:
		return factMobile
	case p == x.e.home:
		return factHome
	case p == x.e.direct:
		return factDirect
	case x.e.company != nil && p == &x.e.company.switchboard:
		return factSwitchboard
	}
	return 0
}

func (x *rendering) setAddress(r *rand.Rand, form int) {
	a, fact := x.e.addr, factHomeAddr
	if x.work {
		a, fact = x.e.est.addr, factWorkAddr
	}
	ad := &contact.Address{Lines: a.lines(), Postcode: a.postcode, City: a.city.name,
		Country: countryForms[a.cc][form]}
	if a.cc == "US" || chance(r, 0.15) {
		ad.Region = a.city.region
	}
	x.rec.Address = ad
	x.shown = a
	x.facts |= fact
}

func (x *rendering) setCompany(r *rand.Rand, ids bool) {
	c := x.e.company
	rc := &contact.Company{Name: c.FullName()}
	if ids {
		switch {
		case c.SIREN != "":
			rc.SIREN = c.SIREN
			if chance(r, 0.6) {
				rc.SIRET = x.e.est.SIRET
			}
			if chance(r, 0.4) {
				rc.VAT = c.VAT
			}
		case chance(r, 0.6):
			rc.VAT = c.VAT
		}
		if c.DUNS != "" && chance(r, 0.5) {
			rc.DUNS = c.DUNS
		}
		if c.LEI != "" && chance(r, 0.5) {
			rc.LEI = c.LEI
		}
	}
	if chance(r, 0.4) {
		rc.Website = c.Website
	}
	x.rec.Company = rc
	x.facts |= factCompany
}

// restore adds back one strong fact the entity has, so that the record stays linkable.
func (x *rendering) restore(r *rand.Rand) {
	e := x.e
	switch {
	case e.personal != "" && (e.mobile == nil || r.IntN(2) == 0):
		x.addEmail(e.personal)
	case e.mobile != nil:
		x.addPhone(e.mobile, defaultFormat(r))
	case e.corporate != "":
		x.addEmail(e.corporate)
	case e.home != nil:
		x.addPhone(e.home, defaultFormat(r))
	case e.direct != nil:
		x.addPhone(e.direct, defaultFormat(r))
	}
}
