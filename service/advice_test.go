package service

import (
	"strings"
	"testing"
)

func TestPriorAdvice(t *testing.T) {
	for _, c := range []struct {
		prior float64
		live  int64
		want  string
	}{
		{3e-6, 0, ""},
		{3e-6, 30_000, ""},
		{3e-6, 666_666, ""}, // twice one over the base: still fits
		{3e-6, 1_000_000, "match.prior 3e-06 is one in 333333 records, the warehouse holds 1000000 live source records: a prior near 1e-06"},
		{0.2, 100, "a prior near 0.01"},
	} {
		got := PriorAdvice(c.prior, c.live)
		if (c.want == "") != (got == "") || !strings.Contains(got, c.want) {
			t.Errorf("PriorAdvice(%g, %d) = %q, want %q", c.prior, c.live, got, c.want)
		}
	}
}
