package rules

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

// editedRules returns the default rules.yaml with from replaced by to.
func editedRules(t *testing.T, from, to string) []byte {
	t.Helper()
	def, err := os.ReadFile(filepath.Join("default", RulesFile))
	if err != nil {
		t.Fatal(err)
	}
	src := strings.Replace(string(def), from, to, 1)
	if src == string(def) {
		t.Fatalf("%q not found in the default rules", from)
	}
	return []byte(src)
}

// TestSurvivorshipUnknownField: survivorship.fields names golden fields
// (emails, phones, given_name, ...). A misspelt one ("email", the quality weights'
// spelling) is silently ignored: the field keeps the default strategy.
func TestSurvivorshipUnknownField(t *testing.T) {
	src := editedRules(t, "    emails: most_recent\n", "    email: source_priority\n")
	_, err := Load(fstest.MapFS{RulesFile: {Data: src}}, "x")
	if err == nil || !strings.Contains(err.Error(), "survivorship.fields.email") {
		t.Fatalf("survivorship.fields.email (no such golden field) accepted: err = %v", err)
	}
}

// TestQualityUnknownWeight: quality.weights keys are name, email, phone, address,
// birth_date, company. A misspelt key ("emails") is accepted, never earned, but counted
// in the total: no record can score 100 any more.
func TestQualityUnknownWeight(t *testing.T) {
	src := editedRules(t, "    email: 20\n", "    emails: 20\n")
	_, err := Load(fstest.MapFS{RulesFile: {Data: src}}, "x")
	if err == nil || !strings.Contains(err.Error(), "quality.weights.emails") {
		t.Fatalf("quality.weights.emails (no such weight) accepted: err = %v", err)
	}
}

// TestJaroWinklerWithoutThreshold: a jaro_winkler level without a threshold
// (0) holds for every pair with the field on both sides, i.e. it is an "else" level
// that adds the level's positive weight; the loader accepts it.
func TestJaroWinklerWithoutThreshold(t *testing.T) {
	for _, c := range []struct{ name, to string }{
		{"missing", "{name: jw_0.92, kind: jaro_winkler, m: 0.14, u: 0.00058}"},
		{"above 1", "{name: jw_0.92, kind: jaro_winkler, threshold: 92, m: 0.14, u: 0.00058}"},
	} {
		t.Run(c.name, func(t *testing.T) {
			src := editedRules(t, "{name: jw_0.92, kind: jaro_winkler, threshold: 0.92, m: 0.14, u: 0.00058}", c.to)
			_, err := Load(fstest.MapFS{RulesFile: {Data: src}}, "x")
			if err == nil || !strings.Contains(err.Error(), "levels.1.threshold") {
				t.Fatalf("jaro_winkler level with threshold %s accepted: err = %v", c.name, err)
			}
		})
	}
}

// TestTokenSubsetThreshold: a token_subset level's threshold, when set, is a
// Jaro–Winkler similarity in (0, 1]; none (0) means equal words.
func TestTokenSubsetThreshold(t *testing.T) {
	const level = "{name: subset_jw_0.92, kind: token_subset, threshold: 0.92,"
	for _, bad := range []string{"1.5", "-0.5"} {
		src := editedRules(t, level, "{name: subset_jw_0.92, kind: token_subset, threshold: "+bad+",")
		_, err := Load(fstest.MapFS{RulesFile: {Data: src}}, "x")
		if err == nil || !strings.Contains(err.Error(), "levels.4.threshold") {
			t.Errorf("token_subset level with threshold %s accepted: err = %v", bad, err)
		}
	}
	src := editedRules(t, level, "{name: subset_jw_0.92, kind: token_subset,")
	if _, err := Load(fstest.MapFS{RulesFile: {Data: src}}, "x"); err != nil {
		t.Errorf("token_subset level without a threshold refused: %v", err)
	}
}

// TestTablesMergePerCountry: README: "tables/*.yaml (any file name; keys merge
// across files)". A local file adding one French street type replaces the whole French
// street-type table of the defaults (bd no longer reads as BOULEVARD), silently.
func TestTablesMergePerCountry(t *testing.T) {
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS("default")); err != nil {
		t.Fatal(err)
	}
	extra := "street_types:\n  FR:\n    ALLEE: [all, all.]\n"
	if err := os.WriteFile(filepath.Join(dir, TablesDir, "zz_local.yaml"), []byte(extra), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Tables.StreetTypes["FR"]["all"]; got != "ALLEE" {
		t.Errorf("StreetTypes[FR][all] = %q, want ALLEE", got)
	}
	if got := r.Tables.StreetTypes["FR"]["bd"]; got != "BOULEVARD" {
		t.Errorf("StreetTypes[FR][bd] = %q after adding one FR street type in another file, want BOULEVARD (the default's)", got)
	}
}

// TestDuplicateLevelNames: two levels of one comparison with the same name are
// accepted; model.yaml (matched by name) then gives the first one the second one's m/u
// and never reaches the second.
func TestDuplicateLevelNames(t *testing.T) {
	src := editedRules(t, "{name: jw_0.80, kind: jaro_winkler, threshold: 0.80,", "{name: jw_0.92, kind: jaro_winkler, threshold: 0.80,")
	_, err := Load(fstest.MapFS{RulesFile: {Data: src}}, "x")
	if err == nil || !strings.Contains(err.Error(), "levels.6.name") {
		t.Fatalf("two levels named jw_0.92 in family_name accepted: err = %v", err)
	}
}

// TestRegionsFromTheRulesDirectory: a rules directory's enrich/regions_fr.yaml is read
// (it was built into the binary only: a copy edited under -rules DIR was ignored), and a
// broken one names its file.
func TestRegionsFromTheRulesDirectory(t *testing.T) {
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS("default")); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "enrich", "regions_fr.yaml")
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(strings.Replace(string(data), "Île-de-France:", "Paris Region:", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Regions["75"]; got != "Paris Region" {
		t.Errorf("région of 75 = %q, want the directory's Paris Region", got)
	}
	if got := Default().Regions["75"]; got != "Île-de-France" {
		t.Errorf("embedded rules: région of 75 = %q", got)
	}
	if err := os.WriteFile(p, []byte("Bretagne: [\"22\", \"29\"]\nNormandie: [\"29\"]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadDir(dir); err == nil || !strings.Contains(err.Error(), "regions_fr.yaml") {
		t.Errorf("a département under two régions: %v", err)
	}
}

// TestNumericThreshold: a numeric level's threshold is the largest difference of the two
// numbers, 0 or more and finite.
func TestNumericThreshold(t *testing.T) {
	const within = "        - {name: within_31_days, kind: date_within, threshold: 31, m: 0.04, u: 0.003}\n"
	numeric := func(threshold string) []byte {
		return editedRules(t, within, within+"        - {name: year_near, kind: numeric, threshold: "+threshold+", m: 0.03, u: 0.02}\n")
	}
	for _, bad := range []string{"-1", ".inf", ".nan"} {
		_, err := Load(fstest.MapFS{RulesFile: {Data: numeric(bad)}}, "x")
		if err == nil || !strings.Contains(err.Error(), "levels.3.threshold") || !strings.Contains(err.Error(), "numeric") {
			t.Errorf("numeric level with threshold %s: err = %v", bad, err)
		}
	}
	for _, good := range []string{"0", "1", "2.5"} {
		if _, err := Load(fstest.MapFS{RulesFile: {Data: numeric(good)}}, "x"); err != nil {
			t.Errorf("numeric level with threshold %s refused: %v", good, err)
		}
	}
}

// TestNaNRefused: a number the YAML spells .nan fails every range check that a
// comparison with it would pass (NaN compares false both ways): each is refused, naming
// its key. A token_subset level at NaN never held, not even on equal words.
func TestNaNRefused(t *testing.T) {
	cases := []struct{ from, to, path string }{
		{"{name: jw_0.92, kind: jaro_winkler, threshold: 0.92, m: 0.14,", "{name: jw_0.92, kind: jaro_winkler, threshold: .nan, m: 0.14,", "levels.1.threshold"},
		{"{name: lev_1, kind: levenshtein, threshold: 1, m: 0.022,", "{name: lev_1, kind: levenshtein, threshold: .nan, m: 0.022,", "levels.2.threshold"},
		// Not NaN, but past any value's length: it overflowed the int it was read into.
		{"{name: lev_1, kind: levenshtein, threshold: 1, m: 0.022,", "{name: lev_1, kind: levenshtein, threshold: 1e300, m: 0.022,", "levels.2.threshold"},
		{"{name: subset_jw_0.92, kind: token_subset, threshold: 0.92,", "{name: subset_jw_0.92, kind: token_subset, threshold: .nan,", "levels.4.threshold"},
		{"{name: within_31_days, kind: date_within, threshold: 31,", "{name: within_31_days, kind: date_within, threshold: .nan,", "levels.2.threshold"},
		{"{name: exact, kind: exact, m: 0.35, u: 0.000011}", "{name: exact, kind: exact, m: .nan, u: 0.000011}", "levels.0.m"},
		{"{name: exact, kind: exact, m: 0.35, u: 0.000011}", "{name: exact, kind: exact, m: 0.35, u: .nan}", "levels.0.u"},
		{"  prior: 0.000003 ", "  prior: .nan ", "match.prior"},
		{"  auto_threshold: 0.95 ", "  auto_threshold: .nan ", "match.review_threshold"},
		{"  review_threshold: 0.50 ", "  review_threshold: .nan ", "match.review_threshold"},
		{"  batch_threshold: 0.97 ", "  batch_threshold: .nan ", "match.batch_threshold"},
		{"  cluster_guard: 0.5 ", "  cluster_guard: .nan ", "match.cluster_guard"},
		{"  split_threshold: 0.01 ", "  split_threshold: .nan ", "match.split_threshold"},
		{"  split_threshold: 0.01 ", "  split_threshold: 0.6 ", "match.split_threshold"},
	}
	for _, c := range cases {
		_, err := Load(fstest.MapFS{RulesFile: {Data: editedRules(t, c.from, c.to)}}, "x")
		if err == nil || !strings.Contains(err.Error(), c.path) {
			t.Errorf("%s: err = %v, want one naming %s", c.to, err, c.path)
		}
	}
}

// TestModelTermFrequencyRange: a term frequency of model.yaml outside (0, 1] (NaN, a
// hand edit) is refused, naming the file, line and value; it loaded, and a NaN made
// every pair agreeing on that name weigh NaN (the engine now ignores one too).
func TestModelTermFrequencyRange(t *testing.T) {
	def, err := os.ReadFile(filepath.Join("default", RulesFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{".nan", "0", "-0.1", "1.5"} {
		model := "prior: 0.000003\ncomparisons: []\nterm_frequencies:\n  family_name:\n    total: 10\n    min: 0.1\n    values:\n      martin: 0.2\n      nowak: " + v + "\n"
		_, err := Load(fstest.MapFS{RulesFile: {Data: def}, ModelFile: {Data: []byte(model)}}, "x")
		if err == nil || !strings.Contains(err.Error(), "x/model.yaml:9: term_frequencies.family_name.values.nowak") {
			t.Errorf("nowak: %s: err = %v, want one naming model.yaml:9 and the value", v, err)
		}
	}
}
