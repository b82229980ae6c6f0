package enrich

import (
	"context"
	"strings"

	"github.com/steward-crm/steward/contact"
	"github.com/steward-crm/steward/pipeline"
	"github.com/steward-crm/steward/rules"
)

// Quality computes Norm.Quality, 0–100, from the completeness and validity of the fields,
// weighted by rules.Quality.Weights (name, email, phone, address, birth_date, company).
// A valid field earns its weight, a corrected one half, an invalid or missing one nothing.
// A field made of parts earns less when one is missing or invalid: a name with one part
// half, an address with only its postcode or city a quarter, a company known by its name
// alone half, and so does one with a valid identifier (SIREN, SIRET, VAT number, LEI)
// beside an invalid one or an invalid name (no letters, a placeholder), or whose SIRET
// begins with another SIREN; invalid identifiers alone earn what the name earns (half,
// or nothing without a usable name).
type Quality struct {
	weights map[string]int
	total   int
}

// NewQuality builds the "enrich.quality" stage.
func NewQuality(r *rules.Rules) (pipeline.Stage, error) {
	q := &Quality{weights: r.Quality.Weights}
	for _, w := range q.weights {
		q.total += w
	}
	return q, nil
}

// Name returns "enrich.quality".
func (q *Quality) Name() string { return "enrich.quality" }

// Process sets r.Norm.Quality.
func (q *Quality) Process(_ context.Context, r *contact.Record) error {
	n := pipeline.EnsureNorm(r)
	n.Quality = q.Score(n)
	return nil
}

// Score computes the quality score of a normalized record.
func (q *Quality) Score(n *contact.Normalized) int {
	if q.total == 0 {
		return 0
	}
	earned := 0.0
	add := func(field string, fs ...contact.Field) {
		best := 0.0
		for _, f := range fs {
			switch f.Status {
			case contact.StatusValid:
				best = 1
			case contact.StatusCorrected:
				if best < 0.5 {
					best = 0.5
				}
			}
		}
		earned += best * float64(q.weights[field])
	}
	// A name is complete with both parts; one part earns half.
	switch {
	case n.GivenName.Usable() && n.FamilyName.Usable():
		add("name", worst(n.GivenName, n.FamilyName))
	case n.GivenName.Usable() || n.FamilyName.Usable():
		earned += 0.5 * float64(q.weights["name"])
	}
	emails := make([]contact.Field, len(n.Emails))
	for i, e := range n.Emails {
		emails[i] = e.Field
	}
	add("email", emails...)
	phones := make([]contact.Field, len(n.Phones))
	for i, p := range n.Phones {
		phones[i] = p.Field
	}
	add("phone", phones...)
	a := n.Address
	if a.Street.Usable() && a.Postcode.Usable() && a.City.Usable() {
		add("address", worst(a.Street, a.Postcode, a.City))
	} else if a.Postcode.Usable() || a.City.Usable() {
		earned += 0.25 * float64(q.weights["address"])
	}
	add("birth_date", n.BirthDate)
	c := n.Company
	switch id := c.SIREN.Usable() || c.SIRET.Usable() || c.VAT.Usable() || c.LEI.Usable(); {
	case id && !badCompanyID(c) && c.Name.Status != contact.StatusInvalid:
		add("company", worst(c.SIREN, c.SIRET, c.VAT, c.LEI, c.Name))
	case id || c.Name.Usable():
		earned += 0.5 * float64(q.weights["company"])
	}
	return int(earned*100/float64(q.total) + 0.5)
}

// badCompanyID reports whether one of a company's identifiers (SIREN, SIRET, VAT
// number, LEI) is present but invalid, or whether its SIRET begins with another SIREN
// than its own (normalization's "siret.siren_mismatch": the record names two companies,
// one of them wrongly).
func badCompanyID(c contact.NormCompany) bool {
	return c.SIREN.Status == contact.StatusInvalid || c.SIRET.Status == contact.StatusInvalid ||
		c.VAT.Status == contact.StatusInvalid || c.LEI.Status == contact.StatusInvalid ||
		(c.SIREN.Usable() && c.SIRET.Usable() && !strings.HasPrefix(c.SIRET.Value, c.SIREN.Value))
}

// worst returns the least good status among usable fields (corrected beats nothing).
func worst(fs ...contact.Field) contact.Field {
	out := contact.Field{Status: contact.StatusValid}
	for _, f := range fs {
		if f.Status == contact.StatusCorrected {
			out.Status = contact.StatusCorrected
		}
	}
	return out
}
