package company

import (
	"context"

	"github.com/steward-crm/steward/contact"
	"github.com/steward-crm/steward/pipeline"
	"github.com/steward-crm/steward/rules"
)

// AttachStageName is the stage type name of the company attachment stage.
const AttachStageName = "company.attach"

// attachStage is the "company.attach" stage: an Attacher plus the legal form found in
// the record's own company name.
type attachStage struct {
	a     *Attacher
	forms map[string]map[string]string
	all   map[string]string
}

// NewAttachStage returns the factory of the "company.attach" stage on dir. With a nil
// dir (commands that run without a warehouse) the stage only sets the legal form found
// in the name.
func NewAttachStage(dir Directory) pipeline.Factory {
	return func(r *rules.Rules) (pipeline.Stage, error) {
		c := r.Enrich.Company
		return &attachStage{
			a: &Attacher{Dir: dir, AttachConfidence: c.AttachConfidence, SuggestConfidence: c.SuggestConfidence,
				MaxCandidates: c.MaxCandidates, Learn: !c.NoDomainLearning},
			forms: r.Tables.LegalForms, all: AllForms(r.Tables.LegalForms),
		}, nil
	}
}

// Name returns "company.attach".
func (s *attachStage) Name() string { return AttachStageName }

// Process attaches the record's company; registry errors are infrastructure errors.
func (s *attachStage) Process(ctx context.Context, r *contact.Record) error {
	n := pipeline.EnsureNorm(r)
	c := &n.Company
	if c.Name.Usable() && c.LegalForm == "" {
		forms := s.forms[n.Address.Country.Value]
		if len(forms) == 0 {
			forms = s.all
		}
		_, c.LegalForm = NameKey(c.Name.Value, forms)
	}
	return s.a.Attach(ctx, n)
}
