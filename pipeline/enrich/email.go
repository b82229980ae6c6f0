package enrich

import (
	"context"

	"github.com/steward-crm/steward/contact"
	"github.com/steward-crm/steward/pipeline"
	"github.com/steward-crm/steward/rules"
)

// Email is the "enrich.email" stage: the class (corporate, freemail, disposable, role)
// of the record's first usable e-mail, as the normalizer classified it.
type Email struct{}

// NewEmail builds the "enrich.email" stage.
func NewEmail(*rules.Rules) (pipeline.Stage, error) { return Email{}, nil }

// Name returns "enrich.email".
func (Email) Name() string { return "enrich.email" }

// Process sets Enrichment.EmailClass.
func (Email) Process(_ context.Context, r *contact.Record) error {
	for _, e := range pipeline.EnsureNorm(r).Emails {
		if e.Usable() && e.Class != "" {
			enrichment(r).EmailClass = e.Class
			return nil
		}
	}
	return nil
}
