package synth

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

var monthNames = map[string][12]string{
	"FR": {"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"},
	"DE": {"Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober", "November", "Dezember"},
	"EN": {"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"},
}

// formatDate writes a date the way a source of the country might: 07/03/1984,
// 1984-03-07, 7 March 1984, 07.03.1984, 03/07/1984 (US), 19840307...
func formatDate(r *rand.Rand, cc string, d date) string {
	names := monthNames["EN"]
	if n, ok := monthNames[cc]; ok && r.IntN(2) == 0 {
		names = n
	}
	switch r.IntN(6) {
	case 0:
		return fmt.Sprintf("%04d-%02d-%02d", d.y, d.m, d.d)
	case 1:
		return fmt.Sprintf("%d %s %d", d.d, names[d.m-1], d.y)
	case 2:
		return fmt.Sprintf("%04d%02d%02d", d.y, d.m, d.d)
	case 3:
		if cc == "US" {
			return fmt.Sprintf("%s %d, %d", names[d.m-1], d.d, d.y)
		}
		return fmt.Sprintf("%d/%d/%d", d.d, d.m, d.y)
	}
	switch cc {
	case "US":
		return fmt.Sprintf("%02d/%02d/%04d", d.m, d.d, d.y)
	case "DE":
		return fmt.Sprintf("%02d.%02d.%04d", d.d, d.m, d.y)
	}
	return fmt.Sprintf("%02d/%02d/%04d", d.d, d.m, d.y)
}

var otherOps = []corruption{
	{"birth_missing", 0.3, func(c *corrupter, x *rendering) bool {
		if x.rec.BirthDate == "" {
			return false
		}
		x.rec.BirthDate = ""
		x.facts &^= factBirth
		return true
	}},
	{"birth_format", 0.5, func(c *corrupter, x *rendering) bool {
		if x.rec.BirthDate == "" {
			return false
		}
		old := x.rec.BirthDate
		x.rec.BirthDate = formatDate(c.r, x.e.cc, x.e.birth)
		return old != x.rec.BirthDate
	}},
	{"birth_transposed", 0.05, func(c *corrupter, x *rendering) bool {
		b := x.e.birth
		if x.rec.BirthDate == "" || b.d > 12 || b.d == b.m {
			return false
		}
		b.d, b.m = b.m, b.d
		x.rec.BirthDate = formatDate(c.r, x.e.cc, b)
		x.facts &^= factBirth
		return true
	}},
	{"birth_year_typo", 0.03, func(c *corrupter, x *rendering) bool {
		if x.rec.BirthDate == "" {
			return false
		}
		b := x.e.birth
		b.y += pick(c.r, []int{-10, -1, 1, 10})
		b.d = min(b.d, daysIn(b.y, b.m))
		x.rec.BirthDate = formatDate(c.r, x.e.cc, b)
		x.facts &^= factBirth
		return true
	}},
	{"company_missing", 0.1, func(c *corrupter, x *rendering) bool {
		if x.rec.Company == nil {
			return false
		}
		x.rec.Company = nil
		x.rec.JobTitle = ""
		x.facts &^= factCompany
		return true
	}},
	{"company_variant", 0.5, func(c *corrupter, x *rendering) bool {
		if x.rec.Company == nil {
			return false
		}
		old := x.rec.Company.Name
		x.rec.Company.Name = companyVariant(c.r, x.e.company)
		return old != x.rec.Company.Name
	}},
	{"company_ids_missing", 0.3, func(c *corrupter, x *rendering) bool {
		rc := x.rec.Company
		if rc == nil || rc.SIREN+rc.SIRET+rc.VAT+rc.DUNS+rc.LEI == "" {
			return false
		}
		rc.SIREN, rc.SIRET, rc.VAT, rc.DUNS, rc.LEI = "", "", "", "", ""
		return true
	}},
	{"siret_other_site", 0.05, func(c *corrupter, x *rendering) bool {
		rc, co := x.rec.Company, x.e.company
		if rc == nil || rc.SIRET == "" || len(co.Establishments) < 2 {
			return false
		}
		rc.SIRET = co.Establishments[1+c.r.IntN(len(co.Establishments)-1)].SIRET
		return true
	}},
	{"website_variant", 0.3, func(c *corrupter, x *rendering) bool {
		rc := x.rec.Company
		if rc == nil {
			return false
		}
		d := x.e.company.Domain
		rc.Website = pick(c.r, []string{"http://www." + d, "https://" + d, d, "https://www." + d + "/", "WWW." + strings.ToUpper(d)})
		return true
	}},
	{"job_title_variant", 0.2, func(c *corrupter, x *rendering) bool {
		if x.rec.JobTitle == "" {
			return false
		}
		switch c.r.IntN(3) {
		case 0:
			x.rec.JobTitle = ""
		case 1:
			x.rec.JobTitle = strings.ToUpper(x.rec.JobTitle)
		default:
			x.rec.JobTitle = strings.ToLower(dropAccents(x.rec.JobTitle))
		}
		return true
	}},
}

// legalFormVariants are the other spellings of each legal form.
var legalFormVariants = map[string][]string{
	"SAS": {"S.A.S.", "sas", "SAS."}, "SARL": {"S.A.R.L.", "Sarl", "sarl"}, "SA": {"S.A.", "sa"},
	"SASU": {"S.A.S.U.", "SAS"}, "EURL": {"E.U.R.L.", "SARL"}, "SCI": {"S.C.I."}, "SNC": {"S.N.C."},
	"Inc.": {"Inc", "Incorporated", "INC"}, "LLC": {"L.L.C.", "Llc"}, "Corp.": {"Corporation", "Corp"},
	"LLP": {"L.L.P."}, "Co.": {"Company", "Co"}, "Ltd": {"Limited", "Ltd.", "LTD"},
	"Limited": {"Ltd", "Ltd.", "LIMITED"}, "PLC": {"plc", "Public Limited Company", "P.L.C."},
	"GmbH": {"Gmbh", "GMBH", "G.m.b.H."}, "GmbH & Co. KG": {"GmbH & Co KG", "GmbH u. Co. KG", "GmbH"},
	"AG": {"Aktiengesellschaft", "A.G."}, "KG": {"Kommanditgesellschaft"}, "e.K.": {"eK", "e. K."},
	"UG (haftungsbeschränkt)": {"UG", "UG (haftungsbeschraenkt)"},
}

// nameAbbrev are the shortenings of company-name words.
var nameAbbrev = strings.NewReplacer("Établissements", "Ets", "Société", "Sté", " & ", " et ",
	"Groupe", "Grp", "Associates", "Assoc.", " and ", " & ", "Technologies", "Tech",
	"International", "Intl", "Services", "Svcs", "Partner", "Partners", "Consulting", "Cons.")

// companyVariant writes a company's name the way another system would.
func companyVariant(r *rand.Rand, c *Company) string {
	name, form := c.Name, c.LegalForm
	switch r.IntN(7) {
	case 0:
		return name
	case 1:
		return strings.ToUpper(dropAccents(name)) + " " + strings.ToUpper(form)
	case 2:
		if v, ok := legalFormVariants[form]; ok {
			return name + " " + pick(r, v)
		}
	case 3:
		if c.Country == "FR" {
			return form + " " + name
		}
		return name + ", " + form
	case 4:
		return nameAbbrev.Replace(name) + " " + form
	case 5:
		return typo(r, name) + " " + form
	}
	return strings.ToLower(name)
}
