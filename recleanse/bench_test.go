package recleanse

import (
	"context"
	"testing"

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
