package recleanse

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/steward-crm/steward/pipeline/match"
	"github.com/steward-crm/steward/rules"
	"github.com/steward-crm/steward/synth"
)

// TestIdenticalCopiesFound: 20 people, each recorded 4 times identically (distinct
// source ids): every blocked pair is a true duplicate agreeing on everything, EM puts
// them all in one class (λ at its floor) and its model would link nothing. With
// -train auto the rules' m/u are used instead, and said so; `steward train` fails.
func TestIdenticalCopiesFound(t *testing.T) {
	src := genFile(t, synth.Config{N: 200, DupRate: 0.3, Corruption: 0.5, Seed: 3})
	data, _ := os.ReadFile(src)
	seen := map[string]bool{}
	var out strings.Builder
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var r map[string]any
		json.Unmarshal([]byte(line), &r)
		e := fmt.Sprint(r["attributes"].(map[string]any)["entity_id"])
		if seen[e] || len(seen) == 20 {
			continue
		}
		seen[e] = true
		for k := range 4 {
			r["source_id"] = fmt.Sprintf("%v-%d", r["source_id"], k)
			b, _ := json.Marshal(r)
			out.Write(append(b, '\n'))
			r["source_id"] = strings.TrimSuffix(r["source_id"].(string), fmt.Sprintf("-%d", k))
		}
	}
	path := filepath.Join(t.TempDir(), "copies.jsonl")
	os.WriteFile(path, []byte(out.String()), 0o644)
	res, err := Dedupe(context.Background(), config(t, rules.Default()), []string{path})
	if err != nil {
		t.Fatal(err)
	}
	m := res.Evaluate(0).Metrics
	if m.Recall < 0.8 || res.Model != nil || !strings.Contains(res.ModelNote, "one class") {
		t.Errorf("identical copies: recall %.3f (TP %d FN %d), model %+v, note %q", m.Recall, m.TruePositives, m.FalseNegatives, res.Model, res.ModelNote)
	}
	if _, _, err := Train(context.Background(), config(t, rules.Default()), []string{path}); !errors.Is(err, match.ErrNothingToLearn) {
		t.Errorf("train on identical copies: %v, want an error that there is nothing to learn", err)
	}
}

// TestMissingFieldKeepsRulesU: training on records that never carry an e-mail keeps the
// rules' u for the e-mail levels (the smoothing alone gave u(email exact) = 1/3: an
// e-mail agreement worth ~0 bits on the data the model is then used on).
func TestMissingFieldKeepsRulesU(t *testing.T) {
	src := genFile(t, synth.Config{N: 1000, DupRate: 0.3, Corruption: 0.5, Seed: 3})
	data, _ := os.ReadFile(src)
	var out strings.Builder
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var r map[string]any
		json.Unmarshal([]byte(line), &r)
		delete(r, "emails")
		b, _ := json.Marshal(r)
		out.Write(append(b, '\n'))
	}
	path := filepath.Join(t.TempDir(), "nomail.jsonl")
	os.WriteFile(path, []byte(out.String()), 0o644)
	cfg := config(t, rules.Default())
	cfg.TrainConfig = match.TrainConfig{RandomPairs: 20000}
	m, _, err := Train(context.Background(), cfg, []string{path})
	if err != nil {
		t.Fatal(err)
	}
	l := m.Comparisons[0].Levels[0] // email exact
	if m.Comparisons[0].Name != "email" || l.U > 0.001 || math.Log2(l.M/l.U) < 10 {
		t.Errorf("%s %s: m %v u %v from a sample with no e-mail at all (rules say u 0.000011)", m.Comparisons[0].Name, l.Name, l.M, l.U)
	}
}

// TestDedupeNoCandidatePairs: a file with no candidate pair (no duplicates) is a valid
// dedupe input under the default -train auto: every record is its own cluster, scored
// with the rules' m/u (training failed the run before).
func TestDedupeNoCandidatePairs(t *testing.T) {
	path := filepath.Join(t.TempDir(), "distinct.jsonl")
	os.WriteFile(path, []byte(`{"source":"crm","source_id":"1","given_name":"Zed","family_name":"Aaronson","attributes":{"entity_id":"1"}}
{"source":"crm","source_id":"2","given_name":"Quin","family_name":"Bellweather","attributes":{"entity_id":"2"}}
`), 0o644)
	res, err := Dedupe(context.Background(), config(t, rules.Default()), []string{path})
	if err != nil {
		t.Fatalf("dedupe of a file without duplicates: %v", err)
	}
	if m := res.Evaluate(0); m.Clusters != 2 || res.ModelNote == "" {
		t.Errorf("clusters %d, note %q", m.Clusters, res.ModelNote)
	}
}

// TestLinkClusterIDUnique: in a link run a cluster's cluster_id names its first record's
// side: when A and B share a key, two distinct clusters were written with the same id.
func TestLinkClusterIDUnique(t *testing.T) {
	a, b := twoPeopleOneKey(t)
	cfg := config(t, rules.Default())
	cfg.Train, cfg.Truth = TrainNever, ""
	res, err := Link(context.Background(), cfg, []string{a}, []string{b})
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	if err := res.WriteClusters(&out); err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n")[1:] {
		ids[strings.Split(line, ",")[0]] = true
	}
	if len(ids) != 2 || !ids["0/crm:1"] || !ids["1/crm:1"] {
		t.Errorf("2 clusters written with cluster ids %v, want 0/crm:1 and 1/crm:1", ids)
	}
}
