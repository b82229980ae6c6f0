package company

import (
	"context"
	"fmt"
	"strings"

	"github.com/steward-crm/steward/contact"
)

// Attacher attaches a registry entry to a contact's company, trying in order: an
// identifier on the record (SIRET, SIREN, LEI, validated by the normalize stage), the
// web/e-mail domain against the domains known for registry companies, and the company
// name (legal forms stripped, Jaro–Winkler on folded keys, name uniqueness in the
// registry) with postcode/city. It is safe for concurrent use when Dir is.
type Attacher struct {
	Dir Directory
	// AttachConfidence and SuggestConfidence split facts, suggestions and nothing.
	AttachConfidence, SuggestConfidence float64
	// MaxCandidates bounds the entries fetched for name matching.
	MaxCandidates int
	// Learn records domain → company for records attached by identifier.
	Learn bool
}

// found is an attachment candidate.
type found struct {
	e    Entry
	by   string
	conf float64
	why  string
}

// Attach fills n.Company from the registry: as fact at or above AttachConfidence (ids,
// NAF, size band, flags, Confidence, Explanation), as n.Company.Suggested between the
// two thresholds, not at all below. Errors are the directory's (infrastructure).
func (a *Attacher) Attach(ctx context.Context, n *contact.Normalized) error {
	if a.Dir == nil {
		return nil
	}
	f, err := a.find(ctx, n)
	if err != nil || f == nil {
		return err
	}
	c := &n.Company
	a.ownSIREN(c, f)
	switch {
	case f.conf >= a.AttachConfidence:
		apply(c, f)
		if a.Learn && c.Domain != "" && (f.by == "siret" || f.by == "siren" || f.by == "lei") {
			if err := a.Dir.LearnDomain(ctx, c.Domain, Owner(f.e)); err != nil {
				return fmt.Errorf("learn domain: %w", err)
			}
		}
	case f.conf >= a.SuggestConfidence:
		c.Suggested = &contact.CompanySuggestion{RegistryKey: f.e.Key, SIREN: f.e.SIREN, SIRET: f.e.SIRET,
			Name: f.e.Name, Confidence: round2(f.conf), Explanation: f.why}
		c.Name.Issues = appendUnique(c.Name.Issues, "company.attach_suggested")
	}
	return nil
}

// find returns the best candidate, or nil.
func (a *Attacher) find(ctx context.Context, n *contact.Normalized) (*found, error) {
	c := &n.Company
	postcode := ""
	if n.Address.Postcode.Usable() {
		postcode = n.Address.Postcode.Value
	}
	// A SIRET that does not begin with the record's SIREN names another company than
	// it (normalization flags siret.siren_mismatch): neither is a fact to attach by, as
	// the record would then hold two companies' identifiers. What the registry finds
	// by them is at most a suggestion, which a steward decides (a company review).
	conflict := c.SIRET.Usable() && c.SIREN.Usable() && c.SIRET.Value[:9] != c.SIREN.Value
	byID := func(conf float64, why string) (float64, string) {
		if conflict {
			return min(conf, a.SuggestConfidence), why + "; but the record's siren " + c.SIREN.Value + " and siret " + c.SIRET.Value + " name two companies"
		}
		return conf, why
	}
	if c.SIRET.Usable() {
		e, ok, err := a.Dir.BySIRET(ctx, c.SIRET.Value)
		if err != nil {
			return nil, fmt.Errorf("registry siret: %w", err)
		}
		if ok {
			conf, why := byID(1, "siret "+e.SIRET+" found in the registry")
			return &found{e: e, by: "siret", conf: conf, why: why}, nil
		}
	}
	if c.SIREN.Usable() {
		es, err := a.Dir.BySIREN(ctx, c.SIREN.Value)
		if err != nil {
			return nil, fmt.Errorf("registry siren: %w", err)
		}
		if len(es) > 0 {
			e, how := pickSite(es, postcode)
			conf, why := byID(0.98, "siren "+e.SIREN+" found in the registry, "+how)
			return &found{e: e, by: "siren", conf: conf, why: why}, nil
		}
	}
	if c.LEI.Usable() {
		es, err := a.Dir.ByLEI(ctx, c.LEI.Value)
		if err != nil {
			return nil, fmt.Errorf("registry lei: %w", err)
		}
		if len(es) > 0 {
			e, how := pickSite(es, postcode)
			return &found{e: e, by: "lei", conf: 0.98, why: "lei " + c.LEI.Value + " found in the registry, " + how}, nil
		}
	}
	// A domain whose owner's name disagrees or that other companies use too gives at
	// most a suggestion: the name may still attach the record, to the company it names
	// (a subsidiary writing from its group's domain).
	var weak *found
	if c.Domain != "" {
		f, err := a.byDomain(ctx, n, postcode)
		if err != nil {
			return nil, err
		}
		if f != nil && (f.conf >= a.AttachConfidence || c.NameKey == "") {
			return f, nil
		}
		weak = f
	}
	if c.NameKey != "" {
		f, err := a.byName(ctx, n, postcode)
		if err != nil {
			return nil, err
		}
		if (f == nil || f.conf < a.AttachConfidence) && c.Domain != "" {
			g, err := a.byDomainName(ctx, n, postcode)
			if err != nil {
				return nil, err
			}
			if g != nil && (f == nil || g.conf > f.conf) {
				f = g
			}
		}
		if weak != nil && (f == nil || weak.conf >= f.conf) {
			return weak, nil
		}
		return f, nil
	}
	if weak != nil {
		return weak, nil
	}
	if c.Domain != "" {
		return a.byDomainName(ctx, n, postcode)
	}
	return nil, nil
}

// ownSIREN caps f, found by LEI, domain or name, at a suggestion when the record's own
// SIREN (or its SIRET's first nine digits, or its French VAT number's SIREN) names
// another company than f's, or its own LEI another entity than f's: attached as fact,
// the record would hold two companies' identifiers (its SIREN, VAT number or LEI beside
// the other's SIRET and VAT number).
func (a *Attacher) ownSIREN(c *contact.NormCompany, f *found) {
	if f.by == "siret" || f.by == "siren" {
		return
	}
	own := ""
	switch v := c.VAT.Value; {
	case c.SIREN.Usable():
		own = c.SIREN.Value
	case c.SIRET.Usable() && len(c.SIRET.Value) >= 9:
		own = c.SIRET.Value[:9]
	case c.VAT.Usable() && len(v) == 13 && v[:2] == "FR" && !strings.HasPrefix(v[4:], "000"):
		own = v[4:] // a Monaco number (000…) names no SIREN
	}
	switch {
	case own != "" && f.e.SIREN != "" && f.e.SIREN != own:
		f.why += "; but the record's own siren " + own + " names another company"
	case f.by != "lei" && c.LEI.Usable() && f.e.LEI != "" && f.e.LEI != c.LEI.Value:
		f.why += "; but the record's own lei " + c.LEI.Value + " names another entity"
	default:
		return
	}
	f.conf = min(f.conf, a.SuggestConfidence)
}

// pickSite chooses among a company's establishments: the open one at the contact's
// postcode, else the open head office, else the first open one; else (all closed) the
// head office, else the first.
func pickSite(es []Entry, postcode string) (Entry, string) {
	if postcode != "" {
		for _, e := range es {
			if e.Postcode == postcode && !e.Closed {
				return e, "establishment at the contact's postcode"
			}
		}
	}
	// A closed site is taken only when none is open: its closed flag would be the
	// company's.
	for _, open := range []bool{true, false} {
		for _, e := range es {
			if e.HeadOffice && (!open || !e.Closed) {
				return e, "head office"
			}
		}
		for _, e := range es {
			if open && !e.Closed {
				return e, "first open establishment"
			}
		}
	}
	return es[0], "first establishment"
}

// apply writes an attachment as fact.
func apply(c *contact.NormCompany, f *found) {
	e := f.e
	c.AttachedBy, c.RegistryKey = f.by, e.Key
	c.Confidence, c.Explanation = round2(f.conf), f.why
	if e.SIREN != "" && !c.SIREN.Usable() {
		c.SIREN = contact.Field{Value: e.SIREN, Status: contact.StatusCorrected, Issues: []string{"siren.from_registry"}}
	}
	if e.SIRET != "" && !c.SIRET.Usable() {
		c.SIRET = contact.Field{Value: e.SIRET, Status: contact.StatusCorrected, Issues: []string{"siret.from_registry"}}
	}
	if !c.VAT.Usable() {
		switch {
		case e.VAT != "":
			c.VAT = contact.Field{Value: e.VAT, Status: contact.StatusCorrected, Issues: []string{"vat.from_registry"}}
		case e.SIREN != "":
			c.VAT = contact.Field{Value: FrenchVAT(e.SIREN), Status: contact.StatusCorrected, Issues: []string{"vat.from_siren"}}
		}
	}
	if e.LEI != "" && !c.LEI.Usable() {
		c.LEI = contact.Field{Value: e.LEI, Status: contact.StatusCorrected, Issues: []string{"lei.from_registry"}}
	}
	c.NAF, c.SizeBand = e.NAF, e.SizeBand
	if e.LegalForm != "" {
		c.LegalForm = e.LegalForm
	}
	c.HeadOffice, c.Closed = e.HeadOffice, e.Closed
}

func round2(x float64) float64 { return float64(int(x*100+0.5)) / 100 }

func appendUnique(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}
