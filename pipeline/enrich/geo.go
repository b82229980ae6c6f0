package enrich

import (
	"context"

	"github.com/steward-crm/steward/contact"
	"github.com/steward-crm/steward/pipeline"
	"github.com/steward-crm/steward/rules"
)

// Geo is the "enrich.geo" stage: the address country and, for France, the département
// and région from the postcode.
type Geo struct {
	regions map[string]string
}

// NewGeo builds the "enrich.geo" stage.
func NewGeo(r *rules.Rules) (pipeline.Stage, error) {
	if r.Regions != nil {
		return Geo{regions: r.Regions}, nil
	}
	return Geo{regions: rules.FrenchRegions()}, nil
}

// Name returns "enrich.geo".
func (Geo) Name() string { return "enrich.geo" }

// Process sets Enrichment.Country, Departement and Region.
func (g Geo) Process(_ context.Context, r *contact.Record) error {
	a := pipeline.EnsureNorm(r).Address
	if !a.Country.Usable() {
		return nil
	}
	e := enrichment(r)
	e.Country = a.Country.Value
	if frenchPostcodes[a.Country.Value] && a.Postcode.Usable() {
		if d := Departement(a.Postcode.Value); d != "" {
			e.Departement, e.Region = d, g.regions[d]
		}
	}
	return nil
}

// frenchPostcodes are France and its overseas départements with their own country
// codes (Guadeloupe, Martinique, Guyane, La Réunion, Mayotte), whose postcodes are
// French.
var frenchPostcodes = map[string]bool{"FR": true, "GP": true, "MQ": true, "GF": true, "RE": true, "YT": true}

// Departement returns the French département of a 5-digit postcode: the first two
// digits, three overseas (971–976), 2A/2B for Corsica (200xx–201xx / 202xx–206xx);
// "" when the postcode is not one.
func Departement(pc string) string {
	if len(pc) != 5 {
		return ""
	}
	for i := 0; i < 5; i++ {
		if pc[i] < '0' || pc[i] > '9' {
			return ""
		}
	}
	switch {
	case pc[:2] == "20":
		if pc[2] <= '1' {
			return "2A"
		}
		return "2B"
	case pc[:2] == "97":
		if d := pc[:3]; d >= "971" && d != "975" && d <= "976" { // 975, 977, 978: collectivités; 970: none
			return d
		}
		return ""
	case pc[:2] == "00", pc[:2] == "98": // 98xxx: Monaco and the overseas collectivités
		return ""
	}
	return pc[:2]
}
