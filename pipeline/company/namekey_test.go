package company

import (
	"testing"

	"github.com/steward-crm/steward/rules"
)

// TestAllFormsLeavesDisputedFormsUnnamed: without a country, a spelling countries read
// as different forms is stripped but names no form ("B.V." is SRL in Belgium, BV in the
// Netherlands); one they agree on keeps its form.
func TestAllFormsLeavesDisputedFormsUnnamed(t *testing.T) {
	all := AllForms(rules.Default().Tables.LegalForms)
	cases := []struct{ name, key, form string }{
		{"Acme B.V.", "acme", ""},
		{"Acme N.V.", "acme", ""},
		{"Acme GmbH", "acme", "GMBH"},
		{"Acme S.p.A.", "acme", "SPA"},
	}
	for _, c := range cases {
		if key, form := NameKey(c.name, all); key != c.key || form != c.form {
			t.Errorf("NameKey(%q) without a country = %q, %q; want %q, %q", c.name, key, form, c.key, c.form)
		}
	}
	nl := rules.Default().Tables.LegalForms["NL"]
	if _, form := NameKey("Acme B.V.", nl); form != "BV" {
		t.Errorf("NameKey(Acme B.V.) in NL: form %q, want BV", form)
	}
	for i := 0; i < 20; i++ { // the merge does not depend on map order
		again := AllForms(rules.Default().Tables.LegalForms)
		for k, v := range all {
			if again[k] != v {
				t.Fatalf("AllForms: %q is %q then %q", k, v, again[k])
			}
		}
	}
}
