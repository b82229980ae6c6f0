package enrich

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/steward-crm/steward/contact"
	"github.com/steward-crm/steward/rules"
)

func TestDepartement(t *testing.T) {
	for _, tc := range []struct{ pc, want string }{
		{"75009", "75"}, {"01000", "01"}, {"20000", "2A"}, {"20137", "2A"}, {"20200", "2B"},
		{"97400", "974"}, {"97133", "971"}, {"7500", ""}, {"7500A", ""}, {"00100", ""},
	} {
		if got := Departement(tc.pc); got != tc.want {
			t.Errorf("Departement(%q) = %q, want %q", tc.pc, got, tc.want)
		}
	}
}

func TestGeo(t *testing.T) {
	s, _ := NewGeo(rules.Default())
	for _, tc := range []struct {
		name, country, pc     string
		dep, region, country2 string
	}{
		{"paris", "FR", "75009", "75", "Île-de-France", "FR"},
		{"corsica", "FR", "20200", "2B", "Corse", "FR"},
		{"reunion", "FR", "97400", "974", "La Réunion", "FR"},
		{"germany", "DE", "10115", "", "", "DE"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := &contact.Record{Norm: &contact.Normalized{Address: contact.NormAddress{
				Country: contact.Field{Value: tc.country, Status: contact.StatusValid}, Postcode: contact.Field{Value: tc.pc, Status: contact.StatusValid}}}}
			s.Process(context.Background(), r)
			e := r.Norm.Enrichment
			if e.Departement != tc.dep || e.Region != tc.region || e.Country != tc.country2 {
				t.Fatalf("got %+v", e)
			}
		})
	}
}

func TestPhoneAndEmail(t *testing.T) {
	r := &contact.Record{Norm: &contact.Normalized{
		Phones: []contact.Phone{{Field: contact.Field{Value: "bad", Status: contact.StatusInvalid}},
			{Field: contact.Field{Value: "+33612345678", Status: contact.StatusValid}, Type: "mobile", Region: "FR"}},
		Emails: []contact.Email{{Field: contact.Field{Value: "a@b.fr", Status: contact.StatusValid}, Class: "corporate"}},
	}}
	Phone{}.Process(context.Background(), r)
	Email{}.Process(context.Background(), r)
	e := r.Norm.Enrichment
	if e.PhoneType != "mobile" || e.PhoneRegion != "FR" || !slices.Equal(e.PhoneTimezones, []string{"Europe/Paris"}) || e.EmailClass != "corporate" {
		t.Fatalf("got %+v", e)
	}
	if tz := Timezones("+12125550100"); !slices.Contains(tz, "America/New_York") {
		t.Errorf("New York number: %v", tz)
	}
}

func TestActivity(t *testing.T) {
	r := rules.Default()
	s, err := NewActivity(r)
	if err != nil {
		t.Fatal(err)
	}
	a := s.(*Activity)
	now := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	ago := func(days int) string { return now.AddDate(0, 0, -days).Format(time.RFC3339) }
	for _, tc := range []struct {
		name      string
		attrs     map[string]any
		lifecycle string
		rfm       string
	}{
		{"no activity", map[string]any{"crm_segment": "B2B"}, "", ""},
		{"prospect", map[string]any{"orders_count": 0.0}, StageProspect, ""},
		{"new", map[string]any{"first_order_at": ago(20), "last_order_at": ago(20), "orders_count": 1.0, "revenue": 80.0}, StageNew, "511"},
		{"new without first order date", map[string]any{"last_order_at": ago(40), "orders_count": "1"}, StageNew, "411"},
		{"active", map[string]any{"first_order_at": ago(900), "last_order_at": ago(10), "orders_count": 20.0, "revenue": "12000,50"}, StageActive, "555"},
		{"at risk", map[string]any{"last_order_at": ago(200), "orders_count": 5.0, "revenue": 600.0}, StageAtRisk, "233"},
		{"inactive", map[string]any{"last_order_at": "2025-06-01", "orders_count": 2.0, "revenue": 150.0}, StageInactive, "122"},
		{"lost", map[string]any{"last_order_at": ago(1000), "orders_count": 3.0}, StageLost, "121"},
		{"unreadable date", map[string]any{"last_order_at": "yesterday", "orders_count": 3.0}, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lc, rfm, _, _ := a.Score(tc.attrs, now)
			if lc != tc.lifecycle || rfm != tc.rfm {
				t.Fatalf("Score = %q %q, want %q %q", lc, rfm, tc.lifecycle, tc.rfm)
			}
		})
	}
}
