package match_test

import (
	"fmt"
	"testing"

	"github.com/steward-crm/steward/internal/synthtest"
	"github.com/steward-crm/steward/pipeline/match"
	"github.com/steward-crm/steward/rules"
	"github.com/steward-crm/steward/synth"
)

// BenchmarkSurvive builds golden records of masters of 1 and 3 normalized records under
// the default rules (a stream's resolver does it for every master a batch creates or
// joins, on its writer).
func BenchmarkSurvive(b *testing.B) {
	r := rules.Default()
	recs := synthtest.Normalized(b, r, synth.Config{N: 300, Seed: 3, Corruption: 1, DupRate: 0.35, MaxPerEntity: 5})
	for _, n := range []int{1, 3} {
		b.Run(fmt.Sprintf("members=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if i+n > len(recs) {
					i = 0
				}
				match.Survive(recs[i:i+n], r.Survivorship)
				i += n
			}
		})
	}
}
