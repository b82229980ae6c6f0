// Package stages is the explicit registry of every stage type steward knows, by the name
// the rules use in `stages:`. There is no registration by init(): adding a stage means
// adding a line here.
package stages

import (
	"github.com/steward-crm/steward/pipeline"
	"github.com/steward-crm/steward/pipeline/enrich"
	"github.com/steward-crm/steward/pipeline/normalize"
	"github.com/steward-crm/steward/rules"
)

// Registry returns the stage registry.
func Registry() pipeline.Registry {
	return pipeline.Registry{
		"normalize.name":    normalize.NewName,
		"normalize.email":   normalize.NewEmail,
		"normalize.phone":   normalize.NewPhone,
		"normalize.address": normalize.NewAddress,
		"normalize.date":    normalize.NewDate,
		"normalize.company": normalize.NewCompany,
		"enrich.quality":    enrich.NewQuality,
	}
}

// Chains builds the Normalize and Identify chains of the rules.
func Chains(r *rules.Rules) (normalizeChain, identifyChain pipeline.Chain, err error) {
	reg := Registry()
	if normalizeChain, err = reg.Build(r.Stages.Normalize, r); err != nil {
		return nil, nil, err
	}
	if identifyChain, err = reg.Build(r.Stages.Identify, r); err != nil {
		return nil, nil, err
	}
	return normalizeChain, identifyChain, nil
}
