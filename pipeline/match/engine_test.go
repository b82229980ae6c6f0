package match

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/steward-crm/steward/contact"
	"github.com/steward-crm/steward/rules"
)

func valid(v string) contact.Field { return contact.Field{Value: v, Status: contact.StatusValid} }

// person builds a normalized record by hand (keys already folded).
func person(given, family, email, phone, postcode, city, birth string) *contact.Normalized {
	n := &contact.Normalized{GivenKey: given, FamilyKey: family, GivenName: valid(given), FamilyName: valid(family)}
	if email != "" {
		n.Emails = []contact.Email{{Field: valid(email), Key: email}}
	}
	if phone != "" {
		n.Phones = []contact.Phone{{Field: valid(phone)}}
	}
	n.Address.Postcode, n.Address.City, n.Address.CityKey = valid(postcode), valid(city), city
	if postcode == "" {
		n.Address.Postcode = contact.Missing()
	}
	if city == "" {
		n.Address.City = contact.Missing()
	}
	n.BirthDate = contact.Missing()
	if birth != "" {
		n.BirthDate = valid(birth)
	}
	return n
}

func engine(t testing.TB) *Engine {
	e, err := New(rules.Default())
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestDecisions(t *testing.T) {
	e := engine(t)
	elodie := person("elodie", "martin", "e.martin@example.fr", "+33612345678", "75009", "paris", "1984-03-07")
	cases := []struct {
		name string
		b    *contact.Normalized
		want Decision
	}{
		{"same person, other email", person("elodie", "martin", "elodie@gmail.com", "+33612345678", "75009", "paris", "1984-03-07"), Link},
		{"typo in family name, same email", person("elodie", "matrin", "e.martin@example.fr", "", "75009", "paris", ""), Link},
		{"nickname-free namesake elsewhere", person("elodie", "martin", "", "", "69001", "lyon", "1990-01-01"), NewMaster},
		{"different person same city", person("paul", "durand", "", "", "75009", "paris", ""), NewMaster},
		{"day and month swapped, name only", person("elodie", "martin", "", "", "75009", "paris", "1984-07-03"), Link},
		// With the estimated m/u (rules.yaml), the full name and the postcode are enough;
		// the name and the city go to a steward, the name alone makes a new master.
		{"name and postcode only", person("elodie", "martin", "", "", "75009", "paris", ""), Link},
		{"name and city only", person("elodie", "martin", "", "", "75010", "paris", ""), Review},
		{"name only", person("elodie", "martin", "", "", "", "", ""), NewMaster},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := e.Score(elodie, c.b)
			if got := e.Decide(s.Probability); got != c.want {
				t.Errorf("decision %s (p=%.4f, weight %.1f: %s), want %s", got, s.Probability, s.Weight, s.Summary(), c.want)
			}
		})
	}
}

func TestExplanation(t *testing.T) {
	e := engine(t)
	a := person("robert", "lefevre", "r.lefevre@example.fr", "", "75009", "paris", "")
	b := person("bob", "lefevre", "", "+33612345678", "75009", "paris", "")
	s := e.Score(a, b)
	byName := map[string]FieldScore{}
	total := s.Prior
	for _, f := range s.Fields {
		byName[f.Comparison] = f
		total += f.Weight
	}
	if g := byName["given_name"]; g.Level != "nickname" || g.A != "robert" || g.B != "bob" || g.Weight <= 0 {
		t.Errorf("given_name explained as %+v, want nickname robert/bob with a positive weight", g)
	}
	if em := byName["email"]; em.Level != "missing" || em.Weight != 0 {
		t.Errorf("missing email must be neutral, got %+v", em)
	}
	if f := byName["family_name"]; f.Level != "exact" {
		t.Errorf("family_name %+v", f)
	}
	if diff := total - s.Weight; diff > 1e-9 || diff < -1e-9 {
		t.Errorf("weights do not add up: prior+fields=%v, total %v", total, s.Weight)
	}
}

func TestSwappedNames(t *testing.T) {
	e := engine(t)
	a := person("martin", "elodie", "", "", "75009", "paris", "1984-03-07")
	b := person("elodie", "martin", "", "", "75009", "paris", "1984-03-07")
	s := e.Score(a, b)
	if !s.Swapped || e.Decide(s.Probability) != Link {
		t.Errorf("swapped names: swapped=%v p=%v", s.Swapped, s.Probability)
	}
}

// TestScoreSymmetric is a property test: Score(a, b) == Score(b, a) on random records.
func TestScoreSymmetric(t *testing.T) {
	e := engine(t)
	rng := rand.New(rand.NewPCG(1, 2))
	pick := func(xs ...string) string { return xs[rng.IntN(len(xs))] }
	gen := func() *contact.Normalized {
		return person(pick("elodie", "elodi", "e", "bob", "robert", ""), pick("martin", "martins", "matrin", "dupont", ""),
			pick("a@x.fr", "b@x.fr", "a@y.fr", ""), pick("+33612345678", "+33612345679", ""),
			pick("75009", "75008", ""), pick("paris", "pari", "lyon", ""), pick("1984-03-07", "1984-07-03", "1984-03-09", ""))
	}
	for i := 0; i < 3000; i++ {
		a, b := gen(), gen()
		if x, y := e.Score(a, b).Weight, e.Score(b, a).Weight; x != y {
			t.Fatalf("asymmetric: %v vs %v for %+v / %+v", x, y, a, b)
		}
	}
}

func TestBlockKeys(t *testing.T) {
	e := engine(t)
	n := person("elodie", "martin", "e.martin@example.fr", "+33612345678", "75009", "paris", "1984-03-07")
	n.Emails = append(n.Emails, contact.Email{Field: valid("x@y.fr"), Key: "x@y.fr"})
	n.Address.Street, n.Address.Number = valid("BOULEVARD HAUSSMANN"), "12 bis"
	got := e.BlockKeys(n)
	// "x" is too short a mailbox name for an email_local key.
	want := []string{"address:75009|12bis", "email:e.martin@example.fr", "email:x@y.fr", "email_local:emartin", "family_initial:martin|e",
		"given_phonetic:elodie|M635", "name_birth:M635|1984-03-07",
		"name_postcode:M635|75009", "names:elodie+martin", "names_phonetic:E430+M635", "phone:+33612345678"}
	if !slices.Equal(got, want) {
		t.Errorf("BlockKeys = %q\nwant %q", got, want)
	}
	empty := &contact.Normalized{}
	if k := e.BlockKeys(empty); len(k) != 0 {
		t.Errorf("empty record has keys %q", k)
	}
	invalid := person("", "", "", "", "", "", "")
	invalid.Emails = []contact.Email{{Field: contact.Field{Value: "not-an-email", Status: contact.StatusInvalid}, Key: "not-an-email"}}
	if k := e.BlockKeys(invalid); len(k) != 0 {
		t.Errorf("invalid values must not block: %q", k)
	}
}

func TestSurvive(t *testing.T) {
	s := rules.Default().Survivorship
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	mk := func(src, id, given string, at time.Time, email string) *contact.Record {
		n := person(given, "martin", email, "", "75009", "paris", "")
		n.GivenName = valid(given)
		n.FamilyName = valid("Martin")
		return &contact.Record{Source: src, SourceID: id, UpdatedAt: at, Norm: n}
	}
	members := []*contact.Record{
		mk("webshop", "1", "Élodie", t0, "old@x.fr"),
		mk("erp", "2", "Elodie", t0.Add(time.Hour), "new@x.fr"),
		mk("callcenter", "3", "Élodie", t0.Add(-time.Hour), ""),
	}
	g := Survive(members, s)
	if g.GivenName != "Élodie" || g.Provenance["given_name"] == "" {
		t.Errorf("most frequent given name: %q from %q", g.GivenName, g.Provenance["given_name"])
	}
	if len(g.Emails) != 2 || g.Emails[0] != "new@x.fr" || g.Provenance["emails"] != "erp:2" {
		t.Errorf("most recent email first: %v from %q", g.Emails, g.Provenance["emails"])
	}
	if len(g.Sources) != 3 {
		t.Errorf("sources %v", g.Sources)
	}
	// Order independence.
	rev := []*contact.Record{members[2], members[0], members[1]}
	g2 := Survive(rev, s)
	if g2.GivenName != g.GivenName || g2.Provenance["given_name"] != g.Provenance["given_name"] || !slices.Equal(g2.Emails, g.Emails) {
		t.Errorf("survivorship depends on input order: %+v vs %+v", g, g2)
	}
}

func TestLevelKindsMatchRules(t *testing.T) {
	e := engine(t)
	kinds := e.levelKinds()
	for _, k := range rules.LevelKinds() {
		if _, ok := kinds[k]; !ok {
			t.Errorf("rules accept level kind %q that the engine does not implement", k)
		}
	}
	if len(kinds) != len(rules.LevelKinds()) {
		t.Errorf("engine implements %d kinds, rules accept %d", len(kinds), len(rules.LevelKinds()))
	}
	for _, p := range rules.BlockParts() {
		n := person("elodie", "martin", "e.martin@b.fr", "+33612345678", "75009", "paris", "1984-03-07")
		n.Company.SIREN = valid("732829320")
		n.Address.Street, n.Address.Number = valid("RUE DE RIVOLI"), "3"
		if len(blockValues(n, p)) == 0 {
			t.Errorf("block part %q yields nothing on a full record", p)
		}
	}
}

func BenchmarkScore(b *testing.B) {
	e := engine(b)
	x := person("elodie", "martin", "e.martin@example.fr", "+33612345678", "75009", "paris", "1984-03-07")
	y := person("elodi", "martins", "elodie@gmail.com", "+33612345679", "75009", "pari", "1984-07-03")
	b.ReportAllocs()
	for b.Loop() {
		e.Score(x, y)
	}
}

func TestEvaluate(t *testing.T) {
	truth := map[string]string{"a": "1", "b": "1", "c": "1", "d": "2", "e": "3"}
	pred := map[string]string{"a": "x", "b": "x", "c": "y", "d": "y", "e": "z"}
	m := Evaluate(pred, truth)
	// True pairs: ab ac bc (3). Predicted: ab, cd (2). TP: ab (1).
	if m.TruePositives != 1 || m.FalsePositives != 1 || m.FalseNegatives != 2 {
		t.Errorf("pairs %+v", m)
	}
	if m.Precision != 0.5 || m.Recall != 1.0/3 || m.ExactClusters != 1 || m.Entities != 3 {
		t.Errorf("figures %+v", m)
	}
}

// TestDifferingEvidence: two known and different mobiles, two different streets in
// different postcodes, or one street name in two postcodes (unless_differ), are evidence
// against a match; a mobile against a landline, or a street against no street, is not.
func TestDifferingEvidence(t *testing.T) {
	e := engine(t)
	at := func(postcode, number, street string) *contact.Normalized {
		n := person("elodie", "martin", "", "", postcode, "paris", "")
		if street != "" {
			n.Address.Number, n.Address.Street = number, valid(street)
		}
		return n
	}
	phones := func(n *contact.Normalized, mobile, fixed string) *contact.Normalized {
		if mobile != "" {
			n.Phones = append(n.Phones, contact.Phone{Field: valid(mobile), Type: "mobile"})
		}
		if fixed != "" {
			n.Phones = append(n.Phones, contact.Phone{Field: valid(fixed), Type: "fixed_line"})
		}
		return n
	}
	home := at("75009", "3", "rue de la paix")
	cases := []struct {
		name, comparison string
		a, b             *contact.Normalized
		want             string
	}{
		{"same street", "address", home, at("75009", "3", "rue de la paix"), "street_exact"},
		{"other street, same postcode", "address", home, at("75009", "12", "avenue foch"), "postcode_exact"},
		{"other street, other postcode, same city", "address", home, at("75015", "12", "avenue foch"), "street_differ"},
		{"no street, same city", "address", home, at("75015", "", ""), "city_exact"},
		// One street name in another postcode is another address; a misspelling of it
		// too. Without a postcode on one side the street still counts.
		{"same street name, other postcode", "address", home, at("75015", "3", "rue de la paix"), "street_differ"},
		{"similar street name, other postcode", "address", home, at("75015", "3", "rue de la paux"), "street_differ"},
		{"similar street, same postcode", "address", home, at("75009", "3", "rue de la paux"), "street_similar"},
		{"same street, one postcode missing", "address", home, at("", "3", "rue de la paix"), "street_exact"},
		{"same mobile", "phone", phones(at("", "", ""), "+33612345678", ""), phones(at("", "", ""), "+33612345678", ""), "mobile_exact"},
		{"mobile with a typo", "phone", phones(at("", "", ""), "+33612345678", ""), phones(at("", "", ""), "+33612345679", ""), "mobile_typo"},
		{"two mobiles", "phone", phones(at("", "", ""), "+33612345678", ""), phones(at("", "", ""), "+33798765432", ""), "else"},
		{"mobile and landline", "phone", phones(at("", "", ""), "+33612345678", ""), phones(at("", "", ""), "", "+33145678901"), "missing"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, f := range e.Score(c.a, c.b).Fields {
				if f.Comparison == c.comparison && f.Level != c.want {
					t.Errorf("%s level %q, want %q", c.comparison, f.Level, c.want)
				}
			}
		})
	}
	for _, other := range []*contact.Normalized{at("75015", "12", "avenue foch"), at("75015", "3", "rue de la paix")} {
		for _, f := range e.Score(home, other).Fields {
			if f.Comparison == "address" && f.Weight >= 0 {
				t.Errorf("address %q against %q (level %s) weighs %v, want < 0", f.A, f.B, f.Level, f.Weight)
			}
		}
	}
}

// guardedEngine is the default engine with street_exact guarded by field instead of
// the postcode.
func guardedEngine(t *testing.T, field string) *Engine {
	t.Helper()
	r := rules.Default()
	r.Match.Comparisons = slices.Clone(r.Match.Comparisons)
	for i, c := range r.Match.Comparisons {
		if c.Name != "address" {
			continue
		}
		c.Levels = slices.Clone(c.Levels)
		for j := range c.Levels {
			if c.Levels[j].Name == "street_exact" {
				c.Levels[j].UnlessDiffer = field
			}
		}
		r.Match.Comparisons[i] = c
	}
	e, err := New(r)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// TestGuardOnAFieldNoLevelCompares: a level guarded by a field that no level compares
// (email_local) decides the same on features extracted from a record as on features
// decoded from storage, which hold every field.
func TestGuardOnAFieldNoLevelCompares(t *testing.T) {
	e := guardedEngine(t, "email_local")
	at := func(email string) *contact.Normalized {
		n := person("elodie", "martin", email, "", "75009", "paris", "")
		n.Address.Number, n.Address.Street = "3", valid("rue de la paix")
		return n
	}
	a, b := at("elodie.martin@example.fr"), at("lodie.dupont@example.org")
	decoded := func(n *contact.Normalized) *Features {
		f, ok := DecodeFeatures(EncodeFeatures(n))
		if !ok {
			t.Fatal("features do not decode")
		}
		return f
	}
	level := func(x, y *Features) string {
		for _, f := range e.ScoreFeatures(x, y).Fields {
			if f.Comparison == "address" {
				return f.Level
			}
		}
		return ""
	}
	fa, fb, da, db := e.Features(a), e.Features(b), decoded(a), decoded(b)
	for name, got := range map[string]string{"extracted": level(fa, fb), "decoded": level(da, db), "mixed": level(fa, db)} {
		if got != "street_similar" {
			t.Errorf("%s features: address level %q, want street_similar (street_exact guarded by two different mailboxes)", name, got)
		}
	}
}

// TestGuardOnANameReadsCrosswise: a level guarded by a name agrees between Score, Weight
// and WeightAtLeast when the names are read crosswise.
func TestGuardOnANameReadsCrosswise(t *testing.T) {
	e := guardedEngine(t, "given_name")
	a := person("elodie", "martin", "", "", "75009", "paris", "")
	b := person("martin", "elodie", "", "", "75009", "paris", "")
	for _, n := range []*contact.Normalized{a, b} {
		n.Address.Number, n.Address.Street = "3", valid("rue de la paix")
	}
	fa, fb := e.Features(a), e.Features(b)
	s := e.ScoreFeatures(fa, fb)
	if !s.Swapped {
		t.Fatal("swapped names not read crosswise")
	}
	if w := e.Weight(fa, fb); math.Abs(w-s.Weight) > 1e-9 {
		t.Errorf("Weight %v, Score %v", w, s.Weight)
	}
	if w, ok := e.WeightAtLeast(fa, fb, s.Weight-1); !ok || math.Abs(w-s.Weight) > 1e-9 {
		t.Errorf("WeightAtLeast %v (%v), Score %v", w, ok, s.Weight)
	}
}
