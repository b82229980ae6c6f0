package registry

import (
	"context"

	"github.com/steward-crm/steward/pipeline/company"
	"github.com/steward-crm/steward/warehouse"
)

// Directory adapts a warehouse.Registry to the company.Directory the company.attach
// stage uses (warehouse does not import pipeline; the two entry types convert).
func Directory(reg warehouse.Registry) company.Directory { return directory{reg} }

type directory struct{ reg warehouse.Registry }

func entries(cs []warehouse.Company) []company.Entry {
	out := make([]company.Entry, len(cs))
	for i, c := range cs {
		out[i] = company.Entry(c)
	}
	return out
}

func (d directory) BySIRET(ctx context.Context, siret string) (company.Entry, bool, error) {
	c, ok, err := d.reg.CompanyBySIRET(ctx, siret)
	return company.Entry(c), ok, err
}

func (d directory) BySIREN(ctx context.Context, siren string) ([]company.Entry, error) {
	cs, err := d.reg.CompaniesBySIREN(ctx, siren)
	return entries(cs), err
}

func (d directory) ByLEI(ctx context.Context, lei string) ([]company.Entry, error) {
	cs, err := d.reg.CompaniesByLEI(ctx, lei)
	return entries(cs), err
}

func (d directory) DomainOwners(ctx context.Context, domain string) (map[string]int, error) {
	return d.reg.DomainOwners(ctx, domain)
}

func (d directory) LearnDomain(ctx context.Context, domain, owner string) error {
	return d.reg.LearnDomain(ctx, domain, owner)
}

func (d directory) Candidates(ctx context.Context, nameKey, postcode string, limit int) ([]company.Entry, error) {
	cs, err := d.reg.CompanyCandidates(ctx, nameKey, postcode, limit)
	return entries(cs), err
}
