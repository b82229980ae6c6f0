package enrich

import (
	"context"
	"testing"
	"time"

	"github.com/steward-crm/steward/contact"
	"github.com/steward-crm/steward/rules"
)

// contact.Decode keeps JSON numbers of attributes as json.Number; attrNumber only reads
// float64, int, int64 and string, so "orders_count": 0 and "revenue": 12000 written as
// JSON numbers (the documented form) are ignored.
func TestActivityReadsJSONNumbers(t *testing.T) {
	s, err := NewActivity(rules.Default())
	if err != nil {
		t.Fatal(err)
	}
	r, err := contact.Decode([]byte(`{"source":"crm","source_id":"1","kind":"person","family_name":"Martin",
		"attributes":{"orders_count":0}}`))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Process(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	if r.Norm == nil || r.Norm.Enrichment == nil || r.Norm.Enrichment.Lifecycle != StageProspect {
		t.Errorf("orders_count 0 (JSON number, %T): enrichment %+v, want lifecycle prospect", r.Attributes["orders_count"], r.Norm)
	}

	r, err = contact.Decode([]byte(`{"source":"crm","source_id":"2","kind":"person","family_name":"Martin",
		"attributes":{"last_order_at":"2026-11-10","orders_count":20,"revenue":12000}}`))
	if err != nil {
		t.Fatal(err)
	}
	lc, rfm, _, _ := s.(*Activity).Score(r.Attributes, mustDay("2026-11-20"))
	if lc != StageActive || rfm != "555" {
		t.Errorf("20 orders, revenue 12000 as JSON numbers: lifecycle %q rfm %q, want active 555", lc, rfm)
	}
}

func mustDay(s string) (t time.Time) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

// Departement documents "" for a postcode that is not a département's; 98xxx (Monaco
// 98000, Wallis 986, Polynesia 987, New Caledonia 988) get the nonexistent département
// "98".
func TestDepartementNotADepartement(t *testing.T) {
	for _, pc := range []string{"98000", "98714", "98800"} {
		if got := Departement(pc); got != "" {
			t.Errorf("Departement(%q) = %q, want \"\"", pc, got)
		}
	}
}

// The address normalizer gives the overseas départements their own ISO codes (country
// "Réunion" → RE, "Guadeloupe" → GP), and Geo only looks at postcodes when the country
// is FR, so a Réunion address gets no département or région although the table has them.
func TestGeoOverseasDepartements(t *testing.T) {
	s, _ := NewGeo(rules.Default())
	r := &contact.Record{Norm: &contact.Normalized{Address: contact.NormAddress{
		Country:  contact.Field{Value: "RE", Status: contact.StatusValid},
		Postcode: contact.Field{Value: "97400", Status: contact.StatusValid}}}}
	if err := s.Process(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	if e := r.Norm.Enrichment; e == nil || e.Departement != "974" || e.Region != "La Réunion" {
		t.Errorf("Réunion address (country RE, 97400): enrichment %+v, want département 974, région La Réunion", e)
	}
}
