package company_test

import (
	"bytes"
	"context"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/steward-crm/steward/contact"
	"github.com/steward-crm/steward/pipeline/company"
	"github.com/steward-crm/steward/pipeline/stages"
	"github.com/steward-crm/steward/registry"
	"github.com/steward-crm/steward/rules"
	"github.com/steward-crm/steward/synth"
	"github.com/steward-crm/steward/warehouse"
)

// TestAttachAccuracy attaches generated French B2B contacts to a generated SIRENE
// registry (the contacts' companies plus as many unused ones) and measures precision and
// recall against the truth.
//
// The records do not carry their company's id as ground truth, so it is derived per
// entity (attributes.entity_id: every record of a person has the same company) from the
// generator's universe: a SIREN or SIRET written on any record of the entity, else the
// company whose generated domain is the entity's corporate e-mail or website domain,
// else the company whose full generated name one record carries verbatim (only when a
// single company of the universe has that domain or name). Eligible records are those
// of entities with a known truth that carry some company evidence (a company name, a
// website or a corporate e-mail).
func TestAttachAccuracy(t *testing.T) {
	const seed = 11
	n := 6000
	if testing.Short() {
		n = 2000
	}
	g, err := synth.New(synth.Config{N: n, Seed: seed, Countries: []string{"FR"}, CompanyRate: 0.6})
	if err != nil {
		t.Fatal(err)
	}
	r := rules.Default()
	universe := g.CompanyUniverse("FR")
	dir := company.NewMemDirectory()
	var buf bytes.Buffer
	if err := synth.WriteRegistry(&buf, seed, synth.RegistryRows(seed, 2*universe)); err != nil {
		t.Fatal(err)
	}
	if _, err := registry.ReadAll(&buf, "sirene", registry.Options{LegalForms: r.Tables.LegalForms}, func(c warehouse.Company) error {
		dir.Add(company.Entry(c))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	// Truth tables of the universe.
	sirens := map[string]bool{}
	byDomain, byName := map[string]string{}, map[string]string{}
	for _, c := range synth.GenerateCompanies(seed, "FR", 2*universe) {
		sirens[c.SIREN] = true
		for key, m := range map[string]map[string]string{c.Domain: byDomain, c.FullName(): byName} {
			if _, dup := m[key]; dup {
				m[key] = "" // ambiguous
			} else {
				m[key] = c.SIREN
			}
		}
	}
	var recs []*contact.Record
	truth := map[string]string{} // entity → SIREN
	evidence := map[string]int{} // entity → strength of the evidence behind truth
	for {
		rec, err := g.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, rec)
		ent := rec.Attributes["entity_id"].(string)
		set := func(siren string, strength int) {
			if siren != "" && strength > evidence[ent] {
				truth[ent], evidence[ent] = siren, strength
			}
		}
		if c := rec.Company; c != nil {
			if sirens[c.SIREN] {
				set(c.SIREN, 3)
			}
			if len(c.SIRET) == 14 && sirens[c.SIRET[:9]] {
				set(c.SIRET[:9], 3)
			}
			set(byName[c.Name], 1)
			set(byDomain[domainOf(c.Website)], 2)
		}
		for _, e := range rec.Emails {
			if _, d, ok := strings.Cut(strings.ToLower(strings.TrimSpace(e)), "@"); ok {
				set(byDomain[d], 2)
			}
		}
	}
	nc, _, err := stages.Chains(r)
	if err != nil {
		t.Fatal(err)
	}
	ic, err := stages.Registry(stages.Deps{Directory: dir}).Build([]string{"company.attach"}, r)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var eligible, attached, correct, suggested, suggestedRight int
	byMethod := map[string][2]int{}
	for _, rec := range recs {
		if err := nc.Process(ctx, rec); err != nil {
			continue // dead-lettered: not this test's business
		}
		if err := ic.Process(ctx, rec); err != nil {
			t.Fatal(err)
		}
		want := truth[rec.Attributes["entity_id"].(string)]
		c := rec.Norm.Company
		evid := c.Name.Usable() || c.Domain != "" || c.SIREN.Usable()
		if want != "" && evid {
			eligible++
		}
		if c.Suggested != nil && want != "" {
			suggested++
			if c.Suggested.SIREN == want {
				suggestedRight++
			} else if testing.Verbose() && os.Getenv("ATTACH_MISSES") != "" {
				t.Logf("wrong suggestion: name %q domain %q pc %q: %s", c.Name.Value, c.Domain, rec.Norm.Address.Postcode.Value, c.Suggested.Explanation)
			}
		}
		if c.AttachedBy == "" && want != "" && evid && testing.Verbose() && os.Getenv("ATTACH_MISSES") != "" {
			sug := ""
			if c.Suggested != nil {
				sug = c.Suggested.Explanation
			}
			t.Logf("miss: name %q key %q domain %q pc %q sug %s", c.Name.Value, c.NameKey, c.Domain, rec.Norm.Address.Postcode.Value, sug)
		}
		if c.AttachedBy == "" || want == "" {
			continue // attachments of records whose truth is unknown are not scored
		}
		attached++
		m := byMethod[c.AttachedBy]
		m[0]++
		if c.SIREN.Value == want {
			correct++
			m[1]++
		} else if testing.Verbose() && c.AttachedBy != "siren" && c.AttachedBy != "siret" {
			t.Logf("wrong %s: %s", c.AttachedBy, c.Explanation)
		}
		byMethod[c.AttachedBy] = m
	}
	precision := float64(correct) / float64(attached)
	recall := float64(correct) / float64(eligible)
	t.Logf("records %d, eligible %d, attached %d, correct %d: precision %.4f, recall %.4f; suggestions %d (%d right)",
		len(recs), eligible, attached, correct, precision, recall, suggested, suggestedRight)
	for m, v := range byMethod {
		t.Logf("  by %-6s attached %5d correct %5d", m, v[0], v[1])
	}
	if precision < 0.98 || recall < 0.90 {
		t.Errorf("precision %.4f (want ≥ 0.98), recall %.4f (want ≥ 0.90)", precision, recall)
	}
}

func domainOf(website string) string {
	s := strings.ToLower(strings.TrimSpace(website))
	if i := strings.Index(s, "://"); i >= 0 {
		s = s[i+3:]
	}
	s, _, _ = strings.Cut(s, "/")
	return strings.TrimPrefix(s, "www.")
}
