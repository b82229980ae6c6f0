package normalize

import (
	"strings"

	"github.com/steward-crm/steward/contact"
	"github.com/steward-crm/steward/fold"
)

// Company normalizes a contact's company. country (alpha-2, "" when unknown) selects the
// legal forms stripped from NameKey (Tables.LegalForms; all countries' forms when the
// country has none). Domain comes from the website, else from the first usable corporate
// address among emails. SIREN, SIRET, VAT and LEI are cleaned (spaces, dots and dashes
// removed, upper case) and checked for length, format and, for SIREN, SIRET and LEI, their
// check digits; a valid SIRET gives the SIREN when it is missing ("siren.from_siret").
// Full identifier validation is package company's job.
func (n *Normalizer) Company(c contact.Company, country string, emails []contact.Email) contact.NormCompany {
	out := contact.NormCompany{
		Name:  n.companyName(c.Name),
		SIREN: checkIdent(c.SIREN, "siren", 9, luhnSIREN),
		SIRET: checkIdent(c.SIRET, "siret", 14, luhnSIRET),
		VAT:   checkVAT(c.VAT),
		LEI:   checkIdent(c.LEI, "lei", 20, checkLEI),
	}
	if out.Name.Usable() {
		out.NameKey = n.companyKey(out.Name.Value, country)
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
	switch {
	case s == "":
		return contact.Missing()
	case isPlaceholder(s):
		return invalid(raw, "company.placeholder")
	case fold.Key(s) == "":
		return invalid(raw, "company.no_letters")
	}
	return fieldOf(raw, s, nil)
}

// companyKey folds a company name and strips legal forms at its start and end.
func (n *Normalizer) companyKey(name, cc string) string {
	forms := n.t.LegalForms[cc]
	if len(forms) == 0 {
		forms = n.legalAll
	}
	toks := strings.Fields(fold.Key(name))
	for changed := true; changed && len(toks) > 1; {
		changed = false
		for k := min(4, len(toks)-1); k >= 1; k-- {
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
	s = strings.TrimSuffix(strings.TrimPrefix(s, "www."), ".")
	if _, code := checkDomain(s); code != "" {
		return ""
	}
	return s
}

// checkIdent cleans an identifier and checks its length and check digits.
func checkIdent(raw, name string, length int, check func(string) bool) contact.Field {
	s := strings.ToUpper(clean(raw))
	if s == "" {
		return contact.Missing()
	}
	v := strings.NewReplacer(" ", "", ".", "", "-", "", "/", "").Replace(s)
	numeric := name != "lei"
	for i := 0; i < len(v); i++ {
		if c := v[i]; !(c >= '0' && c <= '9') && (numeric || !(c >= 'A' && c <= 'Z')) {
			return invalid(raw, name+".invalid_format")
		}
	}
	switch {
	case len(v) != length:
		return invalid(raw, name+".invalid_length")
	case !check(v):
		return invalid(raw, name+".invalid_checksum")
	}
	return fieldOf(raw, v, nil)
}

// checkVAT cleans a VAT number and checks its shape: a 2-letter country prefix and 2 to
// 13 letters or digits; French keys are checked against the SIREN they hold.
func checkVAT(raw string) contact.Field {
	s := strings.ToUpper(clean(raw))
	if s == "" {
		return contact.Missing()
	}
	v := strings.NewReplacer(" ", "", ".", "", "-", "").Replace(s)
	if len(v) < 4 || len(v) > 15 || !isAlnumPattern(v[:2], "AA") {
		return invalid(raw, "vat.invalid_format")
	}
	for i := 2; i < len(v); i++ {
		if c := v[i]; !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c == '+' || c == '*') {
			return invalid(raw, "vat.invalid_format")
		}
	}
	if v[:2] == "FR" {
		if len(v) != 13 || !isDigits(v[4:]) {
			return invalid(raw, "vat.invalid_format")
		}
		if isDigits(v[2:4]) {
			siren := 0
			for _, c := range v[4:] {
				siren = (siren*10 + int(c-'0')) % 97
			}
			if key := (12 + 3*siren) % 97; int(v[2]-'0')*10+int(v[3]-'0') != key {
				return invalid(raw, "vat.invalid_checksum")
			}
		}
	}
	return fieldOf(raw, v, nil)
}

// luhn reports whether the digits of s pass the Luhn check.
func luhn(s string) bool {
	sum := 0
	for i := 0; i < len(s); i++ {
		d := int(s[len(s)-1-i] - '0')
		if i%2 == 1 {
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return sum%10 == 0
}

func luhnSIREN(s string) bool { return luhn(s) }

// luhnSIRET is the Luhn check; La Poste's establishments (SIREN 356000000) may instead
// have a digit sum divisible by 5.
func luhnSIRET(s string) bool {
	if luhn(s) {
		return true
	}
	if !strings.HasPrefix(s, "356000000") {
		return false
	}
	sum := 0
	for i := 0; i < len(s); i++ {
		sum += int(s[i] - '0')
	}
	return sum%5 == 0
}

// checkLEI checks an LEI's ISO 7064 MOD 97-10 check digits.
func checkLEI(s string) bool {
	rem := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' {
			v := int(c-'A') + 10
			rem = (rem*100 + v) % 97
		} else {
			rem = (rem*10 + int(c-'0')) % 97
		}
	}
	return rem == 1
}
