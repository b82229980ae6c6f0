package company

import "testing"

// Run with `go test -run=^$ -bench=. -benchmem ./pipeline/company/`.

func BenchmarkSIRET(b *testing.B) {
	for _, bc := range []struct{ name, raw string }{
		{"canonical", "73282932000074"},
		{"grouped", "732 829 320 00074"},
		{"invalid", "73282932000079"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				SIRET(bc.raw)
			}
		})
	}
}

func BenchmarkVAT(b *testing.B) {
	for _, bc := range []struct{ name, raw string }{
		{"FR", "FR40303265045"},
		{"FR_grouped", "FR 40 303 265 045"},
		{"DE", "DE136695976"},
		{"NL", "NL004495445B01"},
		{"ES", "ESB64717838"},
		{"invalid", "DE136695978"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				VAT(bc.raw)
			}
		})
	}
}

// BenchmarkVATAll validates every published number of every country in turn.
func BenchmarkVATAll(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		for _, s := range publishedVAT {
			VAT(s)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(publishedVAT)), "ns/number")
}
