package normalize

import (
	"context"
	"strings"

	"github.com/steward-crm/steward/contact"
	"github.com/steward-crm/steward/pipeline"
	"github.com/steward-crm/steward/rules"
)

// Stage names, as rules.Stages and the stage registry spell them. A name is part of the
// rules' contract: renaming one breaks every rule file that lists it.
const (
	StageName    = "normalize.name"
	StageEmail   = "normalize.email"
	StagePhone   = "normalize.phone"
	StageAddress = "normalize.address"
	StageDate    = "normalize.date"
	StageCompany = "normalize.company"
)

// NewName returns the "normalize.name" stage: Norm.Civility, GivenName, FamilyName,
// GivenKey, FamilyKey and FamilyPhonetic from PersonName.
func NewName(r *rules.Rules) (pipeline.Stage, error) { return build(r, StageName, (*Normalizer).name) }

// NewEmail returns the "normalize.email" stage: Norm.Emails, one per address, duplicates
// (same comparison key) dropped.
func NewEmail(r *rules.Rules) (pipeline.Stage, error) {
	return build(r, StageEmail, (*Normalizer).emails)
}

// NewPhone returns the "normalize.phone" stage: Norm.Phones, one per number (a field may
// hold several), duplicates (same E.164) dropped. National numbers are read in the
// record's country (the normalized address country, else the raw one resolved by Country),
// else in the rules' default region. Each number is parsed once.
func NewPhone(r *rules.Rules) (pipeline.Stage, error) {
	return build(r, StagePhone, (*Normalizer).phones)
}

// NewAddress returns the "normalize.address" stage: Norm.Address from Address.
func NewAddress(r *rules.Rules) (pipeline.Stage, error) {
	return build(r, StageAddress, (*Normalizer).address)
}

// NewDate returns the "normalize.date" stage: Norm.BirthDate from DateIn with the
// record's country.
func NewDate(r *rules.Rules) (pipeline.Stage, error) { return build(r, StageDate, (*Normalizer).date) }

// NewCompany returns the "normalize.company" stage: Norm.Company from Company (Confidence
// and Explanation, which the registry stage sets, are kept).
func NewCompany(r *rules.Rules) (pipeline.Stage, error) {
	return build(r, StageCompany, (*Normalizer).company)
}

// build makes a stage of a Normalizer method. Stages never fail on data: problems are
// statuses and issue codes on the fields. They never modify the raw fields.
func build(r *rules.Rules, name string, fn func(*Normalizer, *contact.Record, *contact.Normalized)) (pipeline.Stage, error) {
	n, err := New(r)
	if err != nil {
		return nil, err
	}
	return pipeline.Func{StageName: name, Fn: func(_ context.Context, rec *contact.Record) error {
		if rec == nil {
			return contact.Invalid("", "nil record")
		}
		fn(n, rec, pipeline.EnsureNorm(rec))
		return nil
	}}, nil
}

func (n *Normalizer) name(r *contact.Record, nm *contact.Normalized) {
	res := n.PersonName(r.Civility, r.GivenName, r.FamilyName, r.FullName)
	nm.Civility, nm.GivenName, nm.FamilyName = res.Civility, res.Given, res.Family
	nm.GivenKey, nm.FamilyKey, nm.FamilyPhonetic = res.GivenKey, res.FamilyKey, res.FamilyPhonetic
}

func (n *Normalizer) emails(r *contact.Record, nm *contact.Normalized) {
	nm.Emails = nil
	if len(r.Emails) == 0 {
		return
	}
	all := make([]contact.Email, 0, len(r.Emails))
	for _, raw := range r.Emails {
		all = n.appendEmails(all, raw)
	}
	kept := all[:0]
	for _, e := range all {
		switch i := indexEmail(kept, e); {
		case i < 0:
			kept = append(kept, e)
		case typoDomain(kept[i]) && !typoDomain(e):
			// One mailbox written twice, once with a misspelt domain (their keys are
			// built on the suggested domain): the address as meant is kept, in its place.
			kept[i] = e
		}
	}
	nm.Emails = kept
}

// indexEmail returns the index of the address of es that is e (same value or, when e has
// one, same comparison key), or -1.
func indexEmail(es []contact.Email, e contact.Email) int {
	for i, x := range es {
		if x.Value == e.Value || (e.Key != "" && x.Key == e.Key) {
			return i
		}
	}
	return -1
}

// typoDomain reports whether e's domain is a known misspelling (Email reported a
// suggestion).
func typoDomain(e contact.Email) bool {
	for _, is := range e.Issues {
		if strings.HasPrefix(is, issueTypoDomain) {
			return true
		}
	}
	return false
}

func (n *Normalizer) phones(r *contact.Record, nm *contact.Normalized) {
	nm.Phones = nil
	if len(r.Phones) == 0 {
		return
	}
	country := n.recordCountry(r)
	region := n.phoneRegion(country)
	read := make([]readPhone, 0, len(r.Phones))
	invalid := false
	for _, raw := range r.Phones {
		for _, p := range splitPhones(raw) {
			ph, _ := n.phoneOne(p, region)
			read = append(read, readPhone{p, ph})
			invalid = invalid || !ph.Usable()
		}
	}
	if invalid && country == "" && len(n.phoneRegions) > 0 {
		hints := n.regionHints(r, read)
		for i, p := range read {
			if p.phone.Usable() {
				continue
			}
			switch alt, ok, ambiguous := n.inferPhone(p.raw, hints); {
			case ok:
				read[i].phone = alt
			case ambiguous:
				read[i].phone.Issues = append(read[i].phone.Issues, "phone.region_ambiguous")
			}
		}
	}
	all := make([]contact.Phone, len(read))
	for i, p := range read {
		all[i] = p.phone
	}
	kept := all[:0]
	for _, p := range all {
		if !containsPhone(kept, p) {
			kept = append(kept, p)
		}
	}
	nm.Phones = kept
}

func containsPhone(ps []contact.Phone, p contact.Phone) bool {
	for _, x := range ps {
		if x.Value == p.Value && x.Extension == p.Extension {
			return true
		}
	}
	return false
}

func (n *Normalizer) address(r *contact.Record, nm *contact.Normalized) {
	if r.Address == nil {
		m := contact.Missing()
		nm.Address = contact.NormAddress{Street: m, Postcode: m, City: m, Country: m}
		return
	}
	nm.Address = n.Address(*r.Address)
}

func (n *Normalizer) date(r *contact.Record, nm *contact.Normalized) {
	nm.BirthDate = n.DateIn(r.BirthDate, n.recordCountry(r))
}

func (n *Normalizer) company(r *contact.Record, nm *contact.Normalized) {
	var c contact.Company
	if r.Company != nil {
		c = *r.Company
	}
	emails := nm.Emails
	if len(emails) == 0 && c.Website == "" && c.Name != "" {
		// The e-mail stage has not run (or found nothing): read the addresses here.
		for _, raw := range r.Emails {
			emails = n.appendEmails(emails, raw)
		}
	}
	nc := n.Company(c, n.recordCountry(r), emails)
	nc.Confidence, nc.Explanation = nm.Company.Confidence, nm.Company.Explanation
	nm.Company = nc
}
