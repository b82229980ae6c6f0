package enrich

import (
	"github.com/steward-crm/steward/contact"
	"github.com/steward-crm/steward/pipeline"
)

// enrichment returns r.Norm.Enrichment, creating Norm and Enrichment when nil.
func enrichment(r *contact.Record) *contact.Enrichment {
	n := pipeline.EnsureNorm(r)
	if n.Enrichment == nil {
		n.Enrichment = &contact.Enrichment{}
	}
	return n.Enrichment
}
