package synth

import (
	"io"
	"testing"
)

// BenchmarkNext measures record generation in a 10-million-record stream (its company
// universe sized accordingly); records/s is reported.
func BenchmarkNext(b *testing.B) {
	cfg := Config{N: 10_000_000, Seed: 1, Corruption: 0.5}
	g, err := New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, err := g.Next(); err == io.EOF {
			cfg.Seed++
			g, _ = New(cfg)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
}
