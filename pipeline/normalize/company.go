package normalize

import (
	"strings"

	"github.com/steward-crm/steward/contact"
	"github.com/steward-crm/steward/fold"
	"github.com/steward-crm/steward/pipeline/company"
)

// Company normalizes a contact's company. country (alpha-2, "" when unknown) selects the
// legal forms stripped from NameKey (Tables.LegalForms; all countries' forms when the
// country has none) and the VAT prefix of a number written without one. Domain comes from
// the website, else from the first usable corporate address among emails. SIREN, SIRET,
// VAT and LEI are validated by package company (cleaned, length, format and check digits,
// with its issue codes: "siren.bad_checksum", "vat.bad_key"...); a valid SIRET gives the
// SIREN when it is missing ("siren.from_siret") and is flagged "siret.siren_mismatch" when
// it disagrees with it.
func (n *Normalizer) Company(c contact.Company, country string, emails []contact.Email) contact.NormCompany {
	out := contact.NormCompany{
		Name:  n.companyName(c.Name),
		SIREN: company.SIREN(c.SIREN),
		SIRET: company.SIRET(c.SIRET),
		VAT:   company.VATFor(c.VAT, country),
		LEI:   company.LEI(c.LEI),
	}
	if out.Name.Usable() {
		out.NameKey = n.stripLegalForms(fold.Key(out.Name.Value), country)
	}
	if out.SIRET.Usable() {
		switch siren := out.SIRET.Value[:9]; {
		case out.SIREN.Status == contact.StatusMissing:
			out.SIREN = contact.Field{Value: siren, Status: contact.StatusCorrected, Issues: []string{"siren.from_siret"}}
		case out.SIREN.Usable() && out.SIREN.Value != siren:
			out.SIRET.Issues = appendIssue(out.SIRET.Issues, "siret.siren_mismatch")
		}
	}
	out.Domain = webDomain(c.Website)
	if out.Domain == "" {
		for _, e := range emails {
			if e.Usable() && e.Class == "corporate" {
				out.Domain = e.Domain
				break
			}
		}
	}
	return out
}

func (n *Normalizer) companyName(raw string) contact.Field {
	s := strings.Trim(clean(raw), "\"' ,;")
	if s == "" {
		return contact.Missing()
	}
	switch k := fold.Key(s); {
	case k == "":
		return invalid(raw, "company.no_letters")
	case n.isPlaceholderKey(k):
		return invalid(raw, "company.placeholder")
	}
	return fieldOf(raw, s, nil)
}

// stripLegalForms strips legal forms from the start and end of a folded company name.
func (n *Normalizer) stripLegalForms(key, cc string) string {
	forms := n.t.LegalForms[cc]
	if len(forms) == 0 {
		forms = n.legalAll
	}
	toks := strings.Fields(key)
	for changed := true; changed && len(toks) > 1; {
		changed = false
		for k := min(n.legalWords, len(toks)-1); k >= 1; k-- {
			if _, ok := forms[strings.Join(toks[len(toks)-k:], " ")]; ok {
				toks, changed = toks[:len(toks)-k], true
				break
			}
			if _, ok := forms[strings.Join(toks[:k], " ")]; ok {
				toks, changed = toks[k:], true
				break
			}
		}
	}
	return strings.Join(toks, " ")
}

// webDomain returns the host of a website without "www.", or "" when it is not one.
func webDomain(raw string) string {
	s := strings.ToLower(clean(raw))
	if i := strings.Index(s, "://"); i >= 0 {
		s = s[i+3:]
	}
	if i := strings.IndexAny(s, "/?#:@ "); i >= 0 {
		s = s[:i]
	}
	// Every leading "www." (www.www.acme.fr is acme.fr): normalizing a normalized
	// domain must leave it as it is.
	for strings.HasPrefix(s, "www.") {
		s = s[len("www."):]
	}
	s = strings.TrimSuffix(s, ".")
	if _, code := checkDomain(s); code != "" {
		return ""
	}
	return s
}
