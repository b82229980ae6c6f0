package registry

import (
	"fmt"
	"strings"

	"github.com/steward-crm/steward/pipeline/company"
	"github.com/steward-crm/steward/warehouse"
)

// Formats are the known registry formats, by the name `registry import --format` takes.
var Formats = []string{"sirene", "gleif", "csv"}

// Options configure how rows become companies.
type Options struct {
	// LegalForms are the legal forms by country (rules.Tables.LegalForms), stripped from
	// names into NameKey.
	LegalForms map[string]map[string]string
	// Map maps field names (key, siren, siret, lei, vat, name, postcode, city, country,
	// naf, size_band, legal_form, head_office, closed, domain) to CSV columns for format
	// csv; a field not mapped is read from the column of its own name.
	Map map[string]string

	// allForms merges LegalForms for rows without a country (set once by format).
	allForms map[string]string
}

// format returns the Format of a name.
func (o Options) format(name string) (Format, error) {
	o.allForms = company.AllForms(o.LegalForms) // the formats below bind this copy of o
	switch name {
	case "sirene":
		return o.sirene, nil
	case "gleif":
		return o.gleif, nil
	case "csv":
		return o.mapped, nil
	}
	return nil, fmt.Errorf("unknown registry format %q (known: %s)", name, strings.Join(Formats, ", "))
}

func (o Options) nameKey(c *warehouse.Company) {
	forms := o.LegalForms[c.Country]
	if len(forms) == 0 {
		forms = o.allForms
	}
	var form string
	c.NameKey, form = company.NameKey(c.Name, forms)
	if c.LegalForm == "" {
		c.LegalForm = form
	}
}

// sireneLegalForms labels the most common INSEE catégories juridiques.
var sireneLegalForms = map[string]string{"5710": "SAS", "5720": "SASU", "5499": "SARL", "5498": "EURL",
	"5599": "SA", "5699": "SA", "5202": "SNC", "6540": "SCI", "1000": "EI", "5306": "SCA", "5308": "SCS"}

// sirene parses INSEE's establishment file (StockEtablissement and the issue's subset):
// columns by name, SIRET from siret or siren+nic, validated with its La Poste exception.
func (o Options) sirene(header []string) (rowFunc, error) {
	col := indexHeader(header)
	if !col.has("siret") && !(col.has("siren") && col.has("nic")) {
		return nil, fmt.Errorf("sirene: the header has neither siret nor siren and nic: %s", strings.Join(header, ","))
	}
	siret, siren, nic := col.picker("siret"), col.picker("siren"), col.picker("nic")
	name := col.picker("denominationUniteLegale", "denominationUsuelleEtablissement",
		"enseigne1Etablissement", "denominationUsuelle1UniteLegale", "nomUniteLegale")
	postcode, city := col.picker("codePostalEtablissement"), col.picker("libelleCommuneEtablissement")
	naf, size := col.picker("activitePrincipaleEtablissement"), col.picker("trancheEffectifsEtablissement")
	form, state := col.picker("categorieJuridiqueUniteLegale"), col.picker("etatAdministratifEtablissement")
	head := col.picker("etablissementSiege")
	return func(row []string) (warehouse.Company, string, int) {
		raw, at := siret(row), col.index("siret")
		if raw == "" {
			raw, at = siren(row)+nic(row), -1 // two columns: the row is named
		}
		f := company.SIRET(raw)
		if !f.Usable() {
			return warehouse.Company{}, "siret " + strings.Join(f.Issues, ","), at
		}
		c := warehouse.Company{Key: f.Value, SIRET: f.Value, SIREN: f.Value[:9], Country: "FR",
			Name: name(row), Postcode: postcode(row), City: city(row), NAF: naf(row), SizeBand: size(row),
			LegalForm: sireneLegalForms[form(row)], Closed: state(row) == "F",
			HeadOffice: strings.EqualFold(head(row), "true"),
		}
		if s := siren(row); s != "" && s != c.SIREN {
			if sf := company.SIREN(s); !sf.Usable() || sf.Value != c.SIREN {
				return warehouse.Company{}, "siret does not start with the siren column", col.index("siren")
			}
		}
		if c.Name == "" {
			return warehouse.Company{}, "no name", -1 // any of five columns
		}
		c.VAT = company.FrenchVAT(c.SIREN)
		o.nameKey(&c)
		return c, "", 0
	}, nil
}

// gleif parses the GLEIF LEI-CDF golden copy CSV. A French entity registered with INSEE
// (RA000189) gets its SIREN from RegistrationAuthorityEntityID when it is a valid one.
func (o Options) gleif(header []string) (rowFunc, error) {
	col := indexHeader(header)
	if !col.has("LEI") || !col.has("Entity.LegalName") {
		return nil, fmt.Errorf("gleif: the header lacks LEI or Entity.LegalName")
	}
	return func(row []string) (warehouse.Company, string, int) {
		f := company.LEI(col.get(row, "LEI"))
		if !f.Usable() {
			return warehouse.Company{}, "lei " + strings.Join(f.Issues, ","), col.index("LEI")
		}
		c := warehouse.Company{Key: "LEI:" + f.Value, LEI: f.Value,
			Name:      col.get(row, "Entity.LegalName"),
			Postcode:  col.get(row, "Entity.LegalAddress.PostalCode"),
			City:      col.get(row, "Entity.LegalAddress.City"),
			Country:   strings.ToUpper(col.get(row, "Entity.LegalAddress.Country")),
			Closed:    strings.EqualFold(col.get(row, "Entity.EntityStatus"), "INACTIVE"),
			LegalForm: col.get(row, "Entity.LegalForm.OtherLegalForm"),
		}
		if c.Name == "" {
			return warehouse.Company{}, "no name", col.index("Entity.LegalName")
		}
		if c.Country == "FR" {
			if s := company.SIREN(col.get(row, "Entity.RegistrationAuthority.RegistrationAuthorityEntityID")); s.Usable() {
				c.SIREN, c.VAT = s.Value, company.FrenchVAT(s.Value)
			}
		}
		c.HeadOffice = true
		o.nameKey(&c)
		return c, "", 0
	}, nil
}
