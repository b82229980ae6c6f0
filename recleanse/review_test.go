package recleanse

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/steward-crm/steward/contact"
	"github.com/steward-crm/steward/pipeline"
	"github.com/steward-crm/steward/rules"
	"github.com/steward-crm/steward/synth"
)

// TestThresholdNaNRefused: a NaN threshold passes validate (NaN < 0 and NaN >= 1 are
// both false); the run then links nothing (every weight compares false against NaN) and
// reports success.
func TestThresholdNaNRefused(t *testing.T) {
	path := genFile(t, synth.Config{N: 300, DupRate: 0.35, Corruption: 0.3, Seed: 2})
	cfg := config(t, rules.Default())
	cfg.Train = TrainNever
	cfg.Threshold = math.NaN()
	res, err := Dedupe(context.Background(), cfg, []string{path})
	if err == nil {
		t.Fatalf("threshold NaN accepted: %d edges, %d records", res.Edges, len(res.Records))
	}
}

// TestRejectedFirstInInputOrder: Rejected.First is documented as "the first
// reasons"; it must name the first rejected records in input order, and not depend on
// which worker finished first.
func TestRejectedFirstInInputOrder(t *testing.T) {
	bad := map[int]bool{}
	for _, n := range []int{3, 9, 40, 300, 600, 900, 1200, 1400} { // 1-based line numbers
		bad[n] = true
	}
	path := mixedFile(t, func(n int) bool { return bad[n] })
	var want []string
	for _, n := range []int{3, 9, 40, 300, 600} {
		want = append(want, fmt.Sprintf("%s:%d", path, n))
	}
	for run := range 6 {
		cfg := config(t, rules.Default())
		cfg.Train, cfg.Workers = TrainNever, 4
		res, err := Dedupe(context.Background(), cfg, []string{path})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, f := range res.Rejected.First {
			got = append(got, f[:strings.Index(f, ": ")])
		}
		if res.Rejected.Count != len(bad) || !slices.Equal(got, want) {
			t.Fatalf("run %d: rejected %d, first %q, want %d and %q", run, res.Rejected.Count, got, len(bad), want)
		}
	}
}

// TestDedupeClusterIDUnique: two files of one dedupe run may hold one key (two CSV
// exports named contacts.csv, two systems' files): two distinct clusters must not be
// written with one cluster_id (the defect fixed for link, still there for dedupe).
func TestDedupeClusterIDUnique(t *testing.T) {
	a, b := twoPeopleOneKey(t)
	res := dedupeByRules(t, a, b)
	clusters := map[int32]bool{}
	for _, l := range res.Labels {
		clusters[l] = true
	}
	var out strings.Builder
	if err := res.WriteClusters(&out); err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n")[1:] {
		ids[strings.Split(line, ",")[0]] = true
	}
	if len(ids) != len(clusters) {
		t.Errorf("%d clusters written with %d distinct cluster ids:\n%s", len(clusters), len(ids), out.String())
	}
}

// TestInfrastructureErrorNotRejected: ARCHITECTURE "Errors: two kinds": only an
// ErrInvalidRecord is a data problem (dead-letter/reject); anything else is
// infrastructure and must never be counted as a rejected record. A Normalizer that fails
// with a non-data error (a registry lookup that timed out) makes the run "succeed" with
// every record rejected.
func TestInfrastructureErrorNotRejected(t *testing.T) {
	path := genFile(t, synth.Config{N: 100, DupRate: 0.3, Seed: 6})
	cfg := config(t, rules.Default())
	cfg.Train, cfg.Truth = TrainNever, ""
	infra := errors.New("registry lookup: connection refused")
	cfg.Normalize = func(ctx context.Context, r *contact.Record) error { return infra }
	res, err := Dedupe(context.Background(), cfg, []string{path})
	if !errors.Is(err, infra) {
		t.Fatalf("infrastructure error: run error %v; %d records, %d rejected (%q)", err, len(res.Records), res.Rejected.Count, res.Rejected.First)
	}
}

// TestRejectedFirstDeterministic: the same input gives the same Rejected.First
// (printed by dedupe/link as "rejected: ..." lines) whatever the scheduling of workers.
func TestRejectedFirstDeterministic(t *testing.T) {
	path := mixedFile(t, func(n int) bool { return n%100 == 8 }) // 15 spread over every batch of 256
	seen := map[string]int{}
	for range 12 {
		cfg := config(t, rules.Default())
		cfg.Train, cfg.Workers = TrainNever, 4
		res, err := Dedupe(context.Background(), cfg, []string{path})
		if err != nil {
			t.Fatal(err)
		}
		seen[strings.Join(res.Rejected.First, "\n")]++
	}
	if len(seen) != 1 {
		t.Errorf("12 runs on one input gave %d different Rejected.First lists", len(seen))
	}
}

// TestRejectedReasonValidUTF8: a reason longer than 200 bytes is cut; the cut must
// not split a character (the reason is printed and joined into messages).
func TestRejectedReasonValidUTF8(t *testing.T) {
	key := "a" + strings.Repeat("é", 150) // an unknown field holding an over-long value
	line := `{"source":"crm","source_id":"3","` + key + `":{"a":"` + strings.Repeat("x", 5000) + `"}}`
	path := filepath.Join(t.TempDir(), "x.jsonl")
	os.WriteFile(path, []byte(line+"\n"), 0o644)
	res := dedupeByRules(t, path)
	if res.Rejected.Count != 1 || !utf8.ValidString(res.Rejected.First[0]) {
		t.Errorf("rejected %d, reason %q: not valid UTF-8", res.Rejected.Count, res.Rejected.First)
	}
}

// TestEvaluateMemoryBounded: -truth naming a column that many records share (a
// segment, a country: an easy slip) makes Evaluate hold every false-negative pair
// (16 bytes each, all scored) although it reports only the top few: quadratic memory,
// 631 MB at 4 000 records, tens of GB at 30 000. Evaluate(5) must not need memory in
// proportion to the false-negative pairs.
func TestEvaluateMemoryBounded(t *testing.T) {
	src := genFile(t, synth.Config{N: 2000, DupRate: 0.3, Corruption: 0.5, Seed: 3})
	data, _ := os.ReadFile(src)
	var out strings.Builder
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var r map[string]any
		json.Unmarshal([]byte(line), &r)
		r["attributes"].(map[string]any)["segment"] = "B2C"
		b, _ := json.Marshal(r)
		out.Write(append(b, '\n'))
	}
	path := filepath.Join(t.TempDir(), "seg.jsonl")
	os.WriteFile(path, []byte(out.String()), 0o644)
	cfg := config(t, rules.Default())
	cfg.Truth, cfg.Train = "segment", TrainNever
	res, err := Dedupe(context.Background(), cfg, []string{path})
	if err != nil {
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	rep := res.Evaluate(5)
	runtime.ReadMemStats(&after)
	if mb := (after.TotalAlloc - before.TotalAlloc) >> 20; mb > 16 {
		t.Errorf("Evaluate(5) on %d records (%d false-negative pairs) allocated %d MB", len(res.Records), rep.Metrics.FalseNegatives, mb)
	}
}

// mixedFile writes a generated file of 1 500 records whose lines bad says (1-based) are
// records with an unknown op, rejected.
func mixedFile(t *testing.T, bad func(n int) bool) string {
	t.Helper()
	data, err := os.ReadFile(genFile(t, synth.Config{N: 1500, DupRate: 0.3, Corruption: 0.3, Seed: 4}))
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	for i, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		if bad(i + 1) {
			l = fmt.Sprintf(`{"source":"crm","source_id":"bad-%d","op":"frobnicate"}`, i+1)
		}
		out.WriteString(l + "\n")
	}
	path := filepath.Join(t.TempDir(), "mixed.jsonl")
	if err := os.WriteFile(path, []byte(out.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// dedupeByRules dedupes files with the default rules' m/u, no truth.
func dedupeByRules(t *testing.T, files ...string) *Result {
	t.Helper()
	cfg := config(t, rules.Default())
	cfg.Train, cfg.Truth = TrainNever, ""
	res, err := Dedupe(context.Background(), cfg, files)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// twoPeopleOneKey writes two files holding one record each, two different people under
// one key (crm:1).
func twoPeopleOneKey(t *testing.T) (a, b string) {
	t.Helper()
	dir := t.TempDir()
	a, b = filepath.Join(dir, "a.jsonl"), filepath.Join(dir, "b.jsonl")
	for path, rec := range map[string]string{
		a: `{"source":"crm","source_id":"1","given_name":"Zed","family_name":"Aaronson","emails":["zed@x.fr"]}`,
		b: `{"source":"crm","source_id":"1","given_name":"Quin","family_name":"Bellweather","emails":["quin@y.fr"]}`,
	} {
		if err := os.WriteFile(path, []byte(rec+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return a, b
}

// panicky is a stage that panics on one family name.
type panicky struct{}

func (panicky) Name() string { return "test.panicky" }

func (panicky) Process(_ context.Context, r *contact.Record) error {
	if r.FamilyName == "Panic" {
		panic("boom")
	}
	return nil
}

// TestStagePanicIsRejected: a stage that panics on one record rejects that record,
// naming the stage (the loader's goroutines have no recover: the panic ended the run).
func TestStagePanicIsRejected(t *testing.T) {
	path := filepath.Join(t.TempDir(), "p.jsonl")
	data := `{"source":"crm","source_id":"1","given_name":"Ann","family_name":"Panic"}` + "\n" +
		`{"source":"crm","source_id":"2","given_name":"Bob","family_name":"Durand"}` + "\n"
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := config(t, rules.Default())
	cfg.Train, cfg.Truth = TrainNever, ""
	cfg.Normalize = func(ctx context.Context, r *contact.Record) error { return pipeline.Chain{panicky{}}.Process(ctx, r) }
	res, err := Dedupe(context.Background(), cfg, []string{path})
	if err != nil {
		t.Fatal(err)
	}
	if res.Rejected.Count != 1 || len(res.Records) != 1 || !strings.Contains(strings.Join(res.Rejected.First, " "), "test.panicky") {
		t.Errorf("rejected %d %q, records %d", res.Rejected.Count, res.Rejected.First, len(res.Records))
	}
}
