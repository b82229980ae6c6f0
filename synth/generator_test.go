package synth

import (
	"bytes"
	"errors"
	"io"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/steward-crm/steward/contact"
)

// all drains a generator for cfg.
func all(t testing.TB, cfg Config) ([]*contact.Record, *Generator) {
	t.Helper()
	g, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	out, err := g.Rest()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := g.Next(); !errors.Is(err, io.EOF) {
		t.Fatalf("Next after the end: %v, want io.EOF", err)
	}
	return out, g
}

func jsonl(t *testing.T, cfg Config) []byte {
	t.Helper()
	g, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if _, err := WriteJSONL(&b, g); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestDeterminism(t *testing.T) {
	cfg := Config{N: 3000, Seed: 42, Corruption: 0.8}
	a, b := jsonl(t, cfg), jsonl(t, cfg)
	if !bytes.Equal(a, b) {
		t.Fatal("same seed gave different output")
	}
	if c := jsonl(t, Config{N: 3000, Seed: 43, Corruption: 0.8}); bytes.Equal(a, c) {
		t.Fatal("different seeds gave the same output")
	}
	if !bytes.Equal(jsonl(t, Config{N: 500}), jsonl(t, Config{N: 500, Seed: 1})) {
		t.Fatal("Seed 0 is not the default seed 1")
	}
}

func TestNRespected(t *testing.T) {
	for _, n := range []int{1, 2, 7, 255, 256, 257, 1234} {
		recs, g := all(t, Config{N: n, DupRate: 0.5})
		if len(recs) != n {
			t.Errorf("N=%d: got %d records", n, len(recs))
		}
		if s := g.Stats(); s.Records != n {
			t.Errorf("N=%d: Stats.Records = %d", n, s.Records)
		}
	}
	if recs, _ := all(t, Config{}); len(recs) != 1000 {
		t.Errorf("default N: got %d records, want 1000", len(recs))
	}
}

func TestDupRate(t *testing.T) {
	for _, tc := range []struct {
		rate, want float64
		max        int
	}{{0, 0.3, 0}, {0.1, 0.1, 0}, {0.5, 0.5, 0}, {0.75, 0.75, 0}, {None, 0, 0}, {0.9, 0.9, 12}, {0.4, 0.4, 2}} {
		recs, _ := all(t, Config{N: 10000, DupRate: tc.rate, MaxPerEntity: tc.max, Seed: 3})
		per := map[string]int{}
		for _, r := range recs {
			per[r.Attributes["entity_id"].(string)]++
		}
		got := float64(len(recs)-len(per)) / float64(len(recs))
		if math.Abs(got-tc.want) > 0.01 {
			t.Errorf("DupRate %g: measured %.4f, want %.2f ± 0.01", tc.rate, got, tc.want)
		}
		max := tc.max
		if max == 0 {
			max = 5
		}
		for id, n := range per {
			if n > max {
				t.Errorf("DupRate %g: entity %s has %d records, more than %d", tc.rate, id, n, max)
			}
		}
	}
}

func TestRecordsValid(t *testing.T) {
	recs, _ := all(t, Config{N: 20000, Corruption: 1, Seed: 9})
	keys := map[string]bool{}
	lo, hi := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, r := range recs {
		if err := r.Validate(); err != nil {
			t.Fatalf("%s: %v", r.Key(), err)
		}
		if keys[r.Key()] {
			t.Fatalf("duplicate source+source_id %s", r.Key())
		}
		keys[r.Key()] = true
		if r.Op != contact.OpUpsert || r.Kind != contact.KindPerson {
			t.Fatalf("%s: op %q kind %q", r.Key(), r.Op, r.Kind)
		}
		if r.UpdatedAt.Before(lo) || !r.UpdatedAt.Before(hi) {
			t.Fatalf("%s: updated_at %v out of 2024–2026", r.Key(), r.UpdatedAt)
		}
		if r.GivenName == "" && r.FamilyName == "" && r.FullName == "" {
			t.Fatalf("%s: no name", r.Key())
		}
		// Round trip through the strict decoder, as the pipeline reads the JSONL.
		b := mustJSON(t, r)
		if _, err := contact.Decode(b); err != nil {
			t.Fatalf("%s: Decode: %v\n%s", r.Key(), err, b)
		}
	}
}

func TestEntityIDs(t *testing.T) {
	recs, g := all(t, Config{N: 5000, Seed: 5})
	sources := map[string]map[string]bool{}
	count := map[string]int{}
	for _, r := range recs {
		count[r.Attributes["entity_id"].(string)]++
	}
	for _, r := range recs {
		id, ok := r.Attributes["entity_id"].(string)
		if !ok || len(id) < 7 || id[0] != 'E' {
			t.Fatalf("%s: bad entity_id %v", r.Key(), r.Attributes["entity_id"])
		}
		if sources[id] == nil {
			sources[id] = map[string]bool{}
		}
		if sources[id][r.Source] && count[id] <= 4 {
			t.Errorf("entity %s of %d records has two from %s", id, count[id], r.Source)
		}
		sources[id][r.Source] = true
	}
	s := g.Stats()
	if len(sources) != s.Entities {
		t.Errorf("%d entity ids, Stats.Entities = %d", len(sources), s.Entities)
	}
	if s.Records-s.Entities != s.DupRecords {
		t.Errorf("Stats: %d records, %d entities, %d duplicates", s.Records, s.Entities, s.DupRecords)
	}
}

func TestConfigSubsets(t *testing.T) {
	recs, g := all(t, Config{N: 2000, Countries: []string{"de"}, Sources: []string{"shop", "sap", "hubspot"}, CompanyRate: 1})
	for _, r := range recs {
		if r.Source != "shop" && r.Source != "sap" && r.Source != "hubspot" {
			t.Fatalf("unexpected source %q", r.Source)
		}
		if r.Address != nil && r.Address.Country != "" && !contains(countryForms["DE"], r.Address.Country) {
			t.Fatalf("country %q in a DE-only file", r.Address.Country)
		}
	}
	if g.CompanyUniverse("FR") != 0 || g.CompanyUniverse("DE") == 0 {
		t.Errorf("universe FR %d DE %d", g.CompanyUniverse("FR"), g.CompanyUniverse("DE"))
	}
	if s := g.Stats(); s.B2BEntities != s.Entities {
		t.Errorf("CompanyRate 1: %d of %d entities B2B", s.B2BEntities, s.Entities)
	}
	_, g = all(t, Config{N: 1000, CompanyRate: None})
	if s := g.Stats(); s.B2BEntities != 0 {
		t.Errorf("CompanyRate None: %d B2B entities", s.B2BEntities)
	}
}

// TestValidateNamed: errors name a field as the caller's map says, else by its Go name.
func TestValidateNamed(t *testing.T) {
	err := Config{DupRate: 0.95, Corruption: 2, Countries: []string{"IT"}}.ValidateNamed(
		map[string]string{"DupRate": "dup_rate", "Countries": "countries"})
	for _, want := range []string{"dup_rate must be in 0..0.9, got 0.95", "Corruption must be in 0..1, got 2",
		`countries: unknown country "IT"`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ValidateNamed: %v, want it to say %q", err, want)
		}
	}
	if err != nil && strings.Contains(err.Error(), "DupRate") {
		t.Errorf("ValidateNamed: %v names DupRate, which the map renames", err)
	}
}

func TestValidate(t *testing.T) {
	bad := []Config{
		{N: -1}, {DupRate: 0.95}, {DupRate: 0.85}, {DupRate: 0.5, MaxPerEntity: 1},
		{MaxPerEntity: -2}, {Corruption: 1.5}, {CompanyRate: 2}, {Countries: []string{"IT"}},
		{Countries: []string{"FR", "fr"}}, {Sources: []string{"a:b"}}, {Sources: []string{"x", "x"}},
		{Sources: []string{" "}},
	}
	for _, c := range bad {
		if err := c.Validate(); err == nil {
			t.Errorf("%+v: Validate accepted it", c)
		}
		if _, err := New(c); err == nil {
			t.Errorf("%+v: New accepted it", c)
		}
	}
	good := []Config{{}, {DupRate: 0.8}, {DupRate: 0.9, MaxPerEntity: 10}, {DupRate: None, MaxPerEntity: 1},
		{Corruption: 1}, {Corruption: None}, {Countries: []string{"gb", "US"}}}
	for _, c := range good {
		if err := c.Validate(); err != nil {
			t.Errorf("%+v: %v", c, err)
		}
	}
}

// TestMailboxesAreOnePersons: an e-mail address belongs to one entity (namesakes at one
// company or one provider get numbered addresses, as a mail server hands them out),
// addresses compared as the provider delivers them ("olivia.hussain@gmail.com" is
// "oliviahussain@gmail.com"). A few addresses may still be shared: a duplicate's
// corrupted address (a digit left out) can be another entity's.
func TestMailboxesAreOnePersons(t *testing.T) {
	recs, _ := all(t, Config{N: 30000, DupRate: 0.35, Corruption: 1, MaxPerEntity: 5, Seed: 11})
	owners := map[string]map[string]bool{}
	for _, r := range recs {
		for _, e := range r.Emails {
			k := emailKey(e)
			if owners[k] == nil {
				owners[k] = map[string]bool{}
			}
			owners[k][r.Attributes["entity_id"].(string)] = true
		}
	}
	shared := 0
	for _, ents := range owners {
		if len(ents) > 1 {
			shared++
		}
	}
	t.Logf("%d addresses, %d of them in records of two entities or more", len(owners), shared)
	// 0 of 18 424 here; 15 of 18 409 while Gmail's dots told two mailboxes apart.
	if shared*5000 > len(owners) {
		t.Errorf("%d of %d addresses are in records of two entities or more, want under 0.02%%", shared, len(owners))
	}
}
