package recleanse

import (
	"context"
	"os"
	"strconv"
	"testing"

	"github.com/steward-crm/steward/pipeline/match"
	"github.com/steward-crm/steward/rules"
	"github.com/steward-crm/steward/synth"
)

// BenchmarkDedupe10k measures a whole dedupe run (read, normalize, block, train, score,
// cluster) on 10 000 generated records; records/s is reported. `steward dedupe
// -metrics-json` gives the same on larger files (README "Matching").
func BenchmarkDedupe10k(b *testing.B) {
	const n = 10000
	path := genFile(b, synth.Config{N: n, DupRate: 0.35, Corruption: 1, MaxPerEntity: 5, Seed: 2})
	cfg := config(b, rules.Default())
	for b.Loop() {
		if _, err := Dedupe(context.Background(), cfg, []string{path}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkScorePairs measures the score phase alone: every candidate pair of
// STEWARD_BENCH_RECORDS generated records (default 100 000; the run has 1 000 000)
// weighed once per iteration; pairs/s is reported. Scoring is bound by memory latency,
// so it needs a realistic number of records.
func BenchmarkScorePairs(b *testing.B) {
	path := genFile(b, synth.Config{N: benchRecords(100000), DupRate: 0.35, Corruption: 1, MaxPerEntity: 5, Seed: 2})
	cfg := config(b, rules.Default())
	if err := cfg.validate(); err != nil {
		b.Fatal(err)
	}
	base, err := match.New(cfg.Rules)
	if err != nil {
		b.Fatal(err)
	}
	recs, _, err := load(context.Background(), cfg, base, [][]string{{path}})
	if err != nil {
		b.Fatal(err)
	}
	pairs, _ := Pairs(recs, ruleNames(cfg.Rules), cfg.Rules.Match.MaxBlockSize, false)
	feats := features(recs)
	eng, err := engineFor(cfg, base, feats, pairs, &Result{})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		score(eng, feats, pairs, 0, 0)
	}
	b.ReportMetric(float64(len(pairs)*b.N)/b.Elapsed().Seconds(), "pairs/s")
}

// BenchmarkEvaluateOneTruth measures Evaluate(5) on STEWARD_BENCH_RECORDS generated
// records (default 50 000) that all share one truth value (a -truth column mostly
// "unknown", or a file of one entity): nearly every pair of records is a false negative,
// 1.25 billion of them at 50 000.
func BenchmarkEvaluateOneTruth(b *testing.B) {
	res := oneTruth(b, synth.Config{N: benchRecords(50000), DupRate: 0.35, Corruption: 1, MaxPerEntity: 5, Seed: 2})
	for b.Loop() {
		res.Evaluate(5)
	}
}

// benchRecords returns STEWARD_BENCH_RECORDS, or def when it is not a positive number.
func benchRecords(def int) int {
	if v, err := strconv.Atoi(os.Getenv("STEWARD_BENCH_RECORDS")); err == nil && v > 0 {
		return v
	}
	return def
}
