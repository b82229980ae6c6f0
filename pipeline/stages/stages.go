// Package stages is the explicit registry of every stage type steward knows, by the name
// the rules use in `stages:`. There is no registration by init(): adding a stage means
// adding a line here.
package stages

import (
	"github.com/steward-crm/steward/pipeline"
	"github.com/steward-crm/steward/pipeline/company"
	"github.com/steward-crm/steward/pipeline/enrich"
	"github.com/steward-crm/steward/pipeline/normalize"
	"github.com/steward-crm/steward/rules"
)

// Deps are what some stages need from outside the rules. The zero value is valid: a
// company.attach stage without a Directory attaches nothing.
type Deps struct {
	// Directory is the company registry (the warehouse's, in service.Open).
	Directory company.Directory
}

// Registry returns the stage registry; deps (at most one) supply the stages' outside
// needs.
func Registry(deps ...Deps) pipeline.Registry {
	var d Deps
	if len(deps) > 0 {
		d = deps[0]
	}
	return pipeline.Registry{
		"company.attach":    company.NewAttachStage(d.Directory),
		"enrich.phone":      enrich.NewPhone,
		"enrich.email":      enrich.NewEmail,
		"enrich.geo":        enrich.NewGeo,
		"enrich.activity":   enrich.NewActivity,
		"normalize.name":    normalize.NewName,
		"normalize.email":   normalize.NewEmail,
		"normalize.phone":   normalize.NewPhone,
		"normalize.address": normalize.NewAddress,
		"normalize.date":    normalize.NewDate,
		"normalize.company": normalize.NewCompany,
		"enrich.quality":    enrich.NewQuality,
	}
}

// Chains builds the Normalize and Identify chains of the rules; deps (at most one) as
// for Registry.
func Chains(r *rules.Rules, deps ...Deps) (normalizeChain, identifyChain pipeline.Chain, err error) {
	reg := Registry(deps...)
	if normalizeChain, err = reg.Build(r.Stages.Normalize, r); err != nil {
		return nil, nil, err
	}
	if identifyChain, err = reg.Build(r.Stages.Identify, r); err != nil {
		return nil, nil, err
	}
	return normalizeChain, identifyChain, nil
}
