package synth

import (
	"math/rand/v2"
	"strings"
)

// Company is a company of the synthetic universe. CompanyAt derives it from the seed, the
// country and its index alone, so a registry file and the contacts agree without
// keeping the universe in memory.
type Company struct {
	Country string
	// Index is the company's rank in its country's universe; lower ranks are bigger and
	// more popular with contacts.
	Index int
	// Name is the name without legal form ("Axiome Conseil"); LegalForm the form ("SAS").
	Name, LegalForm string
	// Domain is the e-mail domain ("axiome-conseil.fr"); Website "www." + Domain.
	Domain, Website string
	// SIREN (FR only, Luhn-valid), VAT (FR, GB, DE, with valid check digits), LEI (large
	// companies) and DUNS (some US and GB companies).
	SIREN, VAT, LEI, DUNS string
	// NAF is the French activity code ("62.01Z"); Headcount the SIRENE staff bracket code.
	NAF, Headcount string
	// Switchboard is the company's main line in E.164.
	Switchboard string
	// Closed companies have ceased: all their establishments are closed.
	Closed bool
	// Establishments are the company's sites; the first is the head office (siège).
	Establishments []Establishment

	switchboard phone
}

// Establishment is one site of a company.
type Establishment struct {
	// NIC and SIRET are set for French companies (SIRET = SIREN + NIC, Luhn-valid).
	NIC, SIRET string
	HeadOffice bool
	// Open is false for closed establishments (SIRENE état administratif "F").
	Open bool
	// Enseigne is the trading name of the site, if any.
	Enseigne string
	Lines    []string
	Postcode string
	City     string

	addr *address
}

// FullName returns the name with its legal form: "Axiome Conseil SAS".
func (c *Company) FullName() string {
	if c.LegalForm == "" {
		return c.Name
	}
	return c.Name + " " + c.LegalForm
}

// countryIndex numbers the known countries for stream derivation.
func countryIndex(cc string) uint64 {
	switch cc {
	case "FR":
		return 0
	case "US":
		return 1
	case "GB":
		return 2
	}
	return 3
}

// headcounts are SIRENE staff bracket codes from small to large.
var headcounts = []string{"NN", "00", "01", "02", "03", "11", "12", "21", "22", "31", "32", "41", "42", "51", "52", "53"}

// CompanyAt returns the i-th company (i ≥ 0) of the country's universe for the seed.
// It is a pure function: the same arguments always give the same company.
func CompanyAt(seed int64, country string, i int) Company {
	cc := strings.ToUpper(country)
	if _, ok := countryWeights[cc]; !ok {
		cc = "FR"
	}
	r := newRand(seed, streamCompany, uint64(i)<<2|countryIndex(cc))
	c := Company{Country: cc, Index: i}
	var dom string
	c.Name, dom, c.NAF = companyName(r, cc)
	c.LegalForm = legalForms[cc].draw(r)
	c.Domain = dom + tld(r, cc)
	c.Website = "www." + c.Domain
	// Popular (low-index) companies are bigger.
	size := float64(len(headcounts)-1) * (1 - 1/(1+40/float64(i+8))) * (0.6 + 0.8*r.Float64())
	c.Headcount = headcounts[min(len(headcounts)-1, int(size))]
	switch cc {
	case "FR":
		c.SIREN = sirenFor(seed, i)
		c.VAT = vatFR(c.SIREN)
	case "GB":
		c.VAT = vatGB(r)
	case "DE":
		c.VAT = vatDE(r)
	}
	if (cc == "US" || cc == "GB") && chance(r, 0.3) {
		c.DUNS = digitsFrom(r, "0123456789", 9)
	}
	if chance(r, 0.05+0.5/(1+float64(i)/10)) {
		c.LEI = lei(r, cc)
	}
	c.Closed = chance(r, 0.06)
	n := establishmentCount(r)
	c.Establishments = make([]Establishment, n)
	head := drawCity(r, cc)
	seq := 0
	for j := range n {
		ct := head
		if j > 0 && chance(r, 0.8) {
			ct = drawCity(r, cc)
		}
		a := newAddress(r, cc, ct, true)
		e := Establishment{HeadOffice: j == 0, Open: !c.Closed && (j == 0 || !chance(r, 0.2)),
			Lines: a.lines(), Postcode: a.postcode, City: a.city.name, addr: a}
		if cc == "FR" {
			seq += 1 + r.IntN(4)*r.IntN(2)
			e.NIC = nicFor(c.SIREN, seq)
			e.SIRET = c.SIREN + e.NIC
		}
		if chance(r, 0.2) {
			e.Enseigne = strings.ToUpper(dropAccents(c.Name)) + " " + strings.ToUpper(dropAccents(ct.name))
		}
		c.Establishments[j] = e
	}
	c.switchboard = newLandline(r, cc, head, false)
	c.Switchboard = c.switchboard.format(fmtE164)
	return c
}

// establishmentCount is skewed: most companies have one site, a few dozens.
func establishmentCount(r *rand.Rand) int {
	switch x := r.IntN(100); {
	case x < 68:
		return 1
	case x < 84:
		return 2
	case x < 93:
		return between(r, 3, 5)
	case x < 98:
		return between(r, 6, 15)
	}
	return between(r, 16, 40)
}

// GenerateCompanies returns the first n companies of the country's universe for the
// seed: CompanyAt(seed, country, 0..n-1).
func GenerateCompanies(seed int64, country string, n int) []Company {
	out := make([]Company, n)
	for i := range out {
		out[i] = CompanyAt(seed, country, i)
	}
	return out
}

// Companies returns the companies of the country the generator draws from:
// GenerateCompanies(seed, country, CompanyUniverse(country)). Not every one of them is
// used by a contact; the popular ones are used many times.
func (g *Generator) Companies(country string) []Company {
	return GenerateCompanies(g.cfg.Seed, country, g.universe[strings.ToUpper(country)])
}

// companyCache keeps recently used companies: popular ones are drawn again and again.
type companyCache struct {
	seed int64
	m    map[uint64]*Company
}

func (cc *companyCache) get(country string, i int) *Company {
	key := uint64(i)<<2 | countryIndex(country)
	if c, ok := cc.m[key]; ok {
		return c
	}
	if cc.m == nil || len(cc.m) >= 1<<15 {
		cc.m = make(map[uint64]*Company, 1024)
	}
	c := CompanyAt(cc.seed, country, i)
	cc.m[key] = &c
	return &c
}
