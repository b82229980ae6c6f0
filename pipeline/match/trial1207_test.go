package match

import (
	"slices"
	"testing"
	"time"

	"github.com/steward-crm/steward/contact"
	"github.com/steward-crm/steward/rules"
)

// TestTrialSurviveEmailsCaseOnce: an ERP that writes e-mails in capitals
// ("JP.DUPONT@wanadoo.fr") and a web shop that does not gave the golden record the same
// mailbox twice in its list; survivorship already groups them so (its key is lower
// case). The surviving spelling is listed once.
func TestTrialSurviveEmailsCaseOnce(t *testing.T) {
	s := rules.Default().Survivorship
	mk := func(src, email string, at time.Time) *contact.Record {
		return &contact.Record{Source: src, SourceID: "1", UpdatedAt: at, Norm: person("jean", "dupont", email, "", "06000", "nice", "")}
	}
	g := Survive([]*contact.Record{
		mk("erp", "JP.DUPONT@wanadoo.fr", time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)),
		mk("web", "jp.dupont@wanadoo.fr", time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)),
	}, s)
	if !slices.Equal(g.Emails, []string{"jp.dupont@wanadoo.fr"}) {
		t.Errorf("emails %q, want [jp.dupont@wanadoo.fr]", g.Emails)
	}
}
