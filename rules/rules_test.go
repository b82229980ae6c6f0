package rules

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
)

func TestDefaultLoads(t *testing.T) {
	r := Default()
	if r.Match.AutoThreshold != 0.95 || r.Match.ReviewThreshold != 0.5 || r.Match.BatchThreshold != 0.97 {
		t.Errorf("thresholds = %v/%v, batch %v", r.Match.AutoThreshold, r.Match.ReviewThreshold, r.Match.BatchThreshold)
	}
	if got := r.Tables.Countries["frankreich"]; got != "FR" {
		t.Errorf("Countries[frankreich] = %q, want FR", got)
	}
	if got := r.Tables.Nicknames["bob"]; len(got) == 0 || got[0] != "robert" {
		t.Errorf("Nicknames[bob] = %v", got)
	}
	if got := r.Tables.StreetTypes["FR"]["bd"]; got != "BOULEVARD" {
		t.Errorf("StreetTypes[FR][bd] = %q", got)
	}
	if !r.Tables.FreeMail["gmail.com"] || r.Tables.DomainTypos["gmial.com"] != "gmail.com" {
		t.Error("e-mail tables not loaded")
	}
}

// TestPriorDefault: a rule file without match.prior gets the default rules' prior (one
// in ~330 000 records), not a chance that links nearly every blocked pair.
func TestPriorDefault(t *testing.T) {
	def, err := defaultFS.ReadFile("default/" + RulesFile)
	if err != nil {
		t.Fatal(err)
	}
	src := strings.Replace(string(def), "  prior: 0.000003 ", "  # prior: 0.000003 ", 1)
	if src == string(def) {
		t.Fatal("no prior line in the default rules")
	}
	r, err := Load(fstest.MapFS{RulesFile: {Data: []byte(src)}}, "x")
	if err != nil {
		t.Fatal(err)
	}
	if r.Match.Prior != Default().Match.Prior || r.Match.Prior != 3e-6 {
		t.Errorf("prior without a prior line = %g, want %g (the default rules')", r.Match.Prior, Default().Match.Prior)
	}
}

func TestLoadErrorsNameFileLineAndKey(t *testing.T) {
	def, err := os.ReadFile(filepath.Join("default", RulesFile))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, from, to string
		want           []string
	}{
		{"unknown key", "max_block_size: 50", "max_block_sise: 50", []string{"x/rules.yaml", "line LINE", "max_block_sise"}},
		{"bad level kind", "kind: phonetic", "kind: soundalike", []string{"x/rules.yaml:", "levels.5.kind", "unknown level kind \"soundalike\""}},
		{"bad m", "{name: exact, kind: exact, m: 0.35, u: 0.000011}", "{name: exact, kind: exact, m: 1.5, u: 0.000011}", []string{"x/rules.yaml:LINE:", "match.comparisons.0.levels.0.m"}},
		{"bad thresholds", "review_threshold: 0.50", "review_threshold: 0.99", []string{"match.review_threshold"}},
		{"bad batch threshold", "batch_threshold: 0.97", "batch_threshold: 1.5", []string{"match.batch_threshold"}},
		{"bad type", "max_block_size: 50", "max_block_size: many", []string{"x/rules.yaml", "line LINE", "many"}},
		{"unknown block part", "parts: [email]", "parts: [mail]", []string{"match.blocking.0.parts.0", "unknown key part \"mail\""}},
		{"bad rule cap", "parts: [given_key, family_phonetic], max_masters: 15", "parts: [given_key, family_phonetic], max_masters: -1", []string{"x/rules.yaml:LINE:", "match.blocking.5.max_masters", "at least 1"}},
		{"rule cap with a colon name", "{name: email, parts: [email]}", "{name: \"e:mail\", parts: [email]}", []string{"match.blocking.0.name", "cannot hold \":\""}},
		{"unknown unless_differ field", "unless_differ: postcode, m: 0.55", "unless_differ: zipcode, m: 0.55", []string{"x/rules.yaml:LINE:", "match.comparisons.5.levels.1.unless_differ", "unknown field \"zipcode\""}},
		{"unless_differ on else", "{name: else, kind: else, m: 0.06, u: 0.985}", "{name: else, kind: else, unless_differ: city, m: 0.06, u: 0.985}", []string{"match.comparisons.5.levels.7.unless_differ", "not for an else level"}},
		{"unless_differ on the compared field", "unless_differ: postcode, m: 0.55", "unless_differ: street, m: 0.55", []string{"match.comparisons.5.levels.1.unless_differ", "\"street\" is the field the level compares"}},
		{"order independence without auto_merge", "order_independent: false", "order_independent: true", []string{"x/rules.yaml:LINE:", "match.order_independent", "needs match.auto_merge: true"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src := strings.Replace(string(def), c.from, c.to, 1)
			if src == string(def) {
				t.Fatalf("replacement %q not found in default rules", c.from)
			}
			_, err := Load(fstest.MapFS{RulesFile: {Data: []byte(src)}}, "x")
			if err == nil {
				t.Fatal("Load succeeded on a broken rule file")
			}
			line := strings.Count(string(def[:strings.Index(string(def), c.from)]), "\n") + 1
			for _, w := range c.want {
				w = strings.ReplaceAll(w, "LINE", strconv.Itoa(line))
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestLoadDirReportsBadTable(t *testing.T) {
	dir := t.TempDir()
	def, _ := os.ReadFile(filepath.Join("default", RulesFile))
	os.WriteFile(filepath.Join(dir, RulesFile), def, 0o644)
	os.Mkdir(filepath.Join(dir, TablesDir), 0o755)
	os.WriteFile(filepath.Join(dir, TablesDir, "x.yaml"), []byte("countries:\n  FR: [France]\nnicknamez: {}\n"), 0o644)
	_, err := LoadDir(dir)
	if err == nil || !strings.Contains(err.Error(), "tables/x.yaml") || !strings.Contains(err.Error(), "line 3") {
		t.Fatalf("want an error naming tables/x.yaml line 3, got %v", err)
	}
}

// TestTablesUnambiguous: no spelling in the default tables is claimed by two canonical
// values (the US legal forms "co." and "inc." once were, by CO and INC and by "CO INC":
// which one a process kept depended on map order, and two runs of one ingest gave two
// golden records).
func TestTablesUnambiguous(t *testing.T) {
	if a := Default().Tables.Ambiguities(); len(a) > 0 {
		t.Errorf("ambiguous spellings: %v", a)
	}
}

// TestInvertIsDeterministic: a spelling two canonical values claim goes to the one it is
// the name of, else to the first in sorted order, every time, and it is reported.
func TestInvertIsDeterministic(t *testing.T) {
	m := map[string][]string{"INC": {"inc.", "incorporated"}, "CO INC": {"co. inc.", "inc."}, "CO": {"co."}, "B": {"x"}, "A": {"x"}}
	for range 50 {
		var seen []string
		got := invert(m, true, func(s string, kept, other any) { seen = append(seen, fmt.Sprint(s, ":", kept, "/", other)) })
		if got["inc"] != "INC" || got["x"] != "A" || got["co inc"] != "CO INC" {
			t.Fatalf("inc → %q, x → %q, co inc → %q", got["inc"], got["x"], got["co inc"])
		}
		slices.Sort(seen)
		if want := []string{"inc:INC/CO INC", "x:A/B"}; !slices.Equal(seen, want) {
			t.Fatalf("reported %v, want %v", seen, want)
		}
	}
}
