package registry

import (
	"fmt"
	"slices"
	"strings"

	"github.com/steward-crm/steward/contact"
	"github.com/steward-crm/steward/pipeline/company"
	"github.com/steward-crm/steward/warehouse"
)

// MappedFields are the fields a --map may name.
var MappedFields = []string{"key", "siren", "siret", "lei", "vat", "name", "postcode", "city", "country",
	"naf", "size_band", "legal_form", "head_office", "closed", "domain"}

// ParseMap reads "field=Column,field=Column".
func ParseMap(spec string) (map[string]string, error) {
	m := map[string]string{}
	for _, part := range strings.Split(spec, ",") {
		if part = strings.TrimSpace(part); part == "" {
			continue
		}
		f, col, ok := strings.Cut(part, "=")
		f = strings.TrimSpace(f)
		if !ok || !slices.Contains(MappedFields, f) {
			return nil, fmt.Errorf("map %q: want field=Column with field in %s", part, strings.Join(MappedFields, ", "))
		}
		m[f] = strings.TrimSpace(col)
	}
	return m, nil
}

// mapped parses any CSV: each field from its mapped column, else the column of its own
// name. The key is the mapped key, else the SIRET, else "LEI:"+LEI; ids are validated.
func (o Options) mapped(header []string) (rowFunc, error) {
	col := indexHeader(header)
	name := func(f string) string {
		if c, ok := o.Map[f]; ok {
			return c
		}
		return f
	}
	if !col.has(name("name")) {
		return nil, fmt.Errorf("csv: no column %q for the name (map it: --map name=Column)", name("name"))
	}
	return func(row []string) (warehouse.Company, string, int) {
		get := func(f string) string { return col.get(row, name(f)) }
		c := warehouse.Company{Key: get("key"), Name: get("name"), Postcode: get("postcode"), City: get("city"),
			Country: strings.ToUpper(get("country")), NAF: get("naf"), SizeBand: get("size_band"),
			LegalForm: get("legal_form"), Domain: strings.ToLower(get("domain")),
			HeadOffice: truthy(get("head_office")), Closed: truthy(get("closed"))}
		for _, id := range []struct {
			raw   string
			check func(string) (string, []string, bool)
			dst   *string
			kind  string
		}{{get("siret"), fieldCheck(company.SIRET), &c.SIRET, "siret"}, {get("siren"), fieldCheck(company.SIREN), &c.SIREN, "siren"},
			{get("lei"), fieldCheck(company.LEI), &c.LEI, "lei"}, {get("vat"), fieldCheck(company.VAT), &c.VAT, "vat"}} {
			if id.raw == "" {
				continue
			}
			v, issues, ok := id.check(id.raw)
			if !ok {
				return warehouse.Company{}, id.kind + " " + strings.Join(issues, ","), col.index(name(id.kind))
			}
			*id.dst = v
		}
		if c.SIRET != "" && c.SIREN == "" {
			c.SIREN = c.SIRET[:9]
		}
		if c.SIRET != "" && c.SIREN != c.SIRET[:9] {
			// An establishment belongs to the company its SIRET begins with (the
			// sirene format checks the same).
			return warehouse.Company{}, "siren " + c.SIREN + " is not the siret's first nine digits", col.index(name("siren"))
		}
		switch {
		case c.Key != "":
		case c.SIRET != "":
			c.Key = c.SIRET
		case c.LEI != "":
			c.Key = "LEI:" + c.LEI
		default:
			return warehouse.Company{}, "no key, siret or lei", -1
		}
		if c.Name == "" {
			return warehouse.Company{}, "no name", col.index(name("name"))
		}
		o.nameKey(&c)
		return c, "", 0
	}, nil
}

func fieldCheck(v func(string) contact.Field) func(string) (string, []string, bool) {
	return func(raw string) (string, []string, bool) {
		f := v(raw)
		return f.Value, f.Issues, f.Usable()
	}
}

func truthy(s string) bool {
	switch strings.ToLower(s) {
	case "true", "1", "yes", "y", "o", "oui", "t":
		return true
	}
	return false
}
