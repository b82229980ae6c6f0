package match

import (
	"math"
	"testing"

	"github.com/xrash/smetrics"
)

// TestJaroWinklerAgreesWithSmetrics: the allocation-free version gives smetrics' values.
func TestJaroWinklerAgreesWithSmetrics(t *testing.T) {
	words := []string{"martin", "martn", "matrin", "dupont", "dupond", "weiningkamp", "weiningkammp", "a", "ab", "ba",
		"jean", "jeanne", "elodie", "melodie", "chapman", "sophie", "sopohie", "x", "crate", "trace", "dixon", "dicksonx"}
	for _, a := range words {
		for _, b := range words {
			want := smetrics.JaroWinkler(a, b, 0.7, 4)
			if got := jaroWinkler(a, b); math.Abs(got-want) > 1e-12 {
				t.Errorf("jaroWinkler(%q, %q) = %v, smetrics %v", a, b, got, want)
			}
		}
	}
}

func BenchmarkJaroWinkler(b *testing.B) {
	for b.Loop() {
		jaroWinkler("weiningkamp", "weiningkammp")
	}
}
