package match

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/steward-crm/steward/rules"
)

// TestNumbersWithin: the numeric level compares the numbers two values start with.
func TestNumbersWithin(t *testing.T) {
	within := func(d float64) func(a, b string) bool {
		return func(a, b string) bool { return numbersWithin(a, b, d) }
	}
	checkBothWays(t, "numeric 1", within(1), []pairCase{
		{"1984-03-07", "1985-11-20", true}, // a birth date's year
		{"1984-03-07", "1986-01-01", false},
		{"75009", "75010", true}, // a postcode
		{"75009", "75011", false},
		{"12.5", "13.5", true},
		{"12.5", "13.6", false},
		{"1.1", "2.1", true}, // 1.0000000000000002 apart in floating point
		{"12b", "13", true},  // the digits a value starts with
		{"007", "8", true},
		{"+33612345678", "+33612345678", false}, // no leading digit: no number
		{"abc", "1", false},
		{"", "", false},
		{"1", "", false},
		{"1.", "2", true}, // a point without digits ends the number
	})
	checkBothWays(t, "numeric 0", within(0), []pairCase{
		{"075", "75", true},
		{"1.10", "1.1", true},
		{"1984-01-01", "1984-12-31", true},
		{"1984", "1985", false},
	})
	checkBothWays(t, "numeric 0.1", within(0.1), []pairCase{
		{"1.1", "1.0", true}, // 0.10000000000000009 in floating point
		{"1.2", "1.0", false},
		{"1.10000000001", "1.0", false},
	})
	checkBothWays(t, "numeric 0.3", within(0.3), []pairCase{
		{"1.3", "1.0", true}, // 0.30000000000000004 in floating point, and 0.3 is 0.29999999999999998890
		{"1.31", "1.0", false},
		{"0.000", "0.3", true},
	})
	// Exactly, as decimals: numbers that a float64 rounds to one value are told apart,
	// however many digits they have.
	long := strings.Repeat("9", 400)
	checkBothWays(t, "numeric 0, long numbers", within(0), []pairCase{
		{"12345678901234567890", "12345678901234567891", false},
		{"12345678901234567890", "012345678901234567890.000", true},
		{"9007199254740993", "9007199254740992", false}, // 2^53 + 1 and 2^53
		{"1.0000000001", "1", false},
		{long, long, true},
		{long + "8", long + "9", false},
	})
	checkBothWays(t, "numeric 1, long numbers", within(1), []pairCase{
		{"99999999999999999999", "100000000000000000000", true}, // 20 and 21 digits
		{"99999999999999999999", "100000000000000000001", false},
		{"18446744073709551615", "18446744073709551616", true}, // either side of 2^64
	})
	checkBothWays(t, "numeric +Inf", within(math.Inf(1)), []pairCase{{"1", long, true}, {"1", "x", false}})
}

// TestNumericLevelInRules: a numeric level in the rules (birth years at most one apart)
// is hit, explained and weighed as any other level.
func TestNumericLevelInRules(t *testing.T) {
	r := rules.Default()
	i := slices.IndexFunc(r.Match.Comparisons, func(c rules.Comparison) bool { return c.Field == "birth_date" })
	if i < 0 {
		t.Fatal("no birth_date comparison in the default rules")
	}
	c := &r.Match.Comparisons[i]
	year := rules.Level{Name: "year_within_1", Kind: "numeric", Threshold: 1, M: 0.03, U: 0.02}
	c.Levels = slices.Insert(c.Levels, len(c.Levels)-1, year) // before else
	e, err := New(r)
	if err != nil {
		t.Fatal(err)
	}
	born := func(d string) *Features { return e.Features(person("jean", "lefevre", "", "", "75009", "paris", d)) }
	cases := []struct{ a, b, level string }{
		{"1984-03-07", "1984-03-07", "exact"},
		{"1984-03-07", "1984-03-20", "within_31_days"},
		{"1984-03-07", "1985-11-20", "year_within_1"},
		{"1983-12-30", "1984-06-07", "year_within_1"},
		{"1984-03-07", "1990-01-01", "else"},
	}
	for _, tc := range cases {
		s := e.ScoreFeatures(born(tc.a), born(tc.b))
		j := slices.IndexFunc(s.Fields, func(f FieldScore) bool { return f.Comparison == c.Name || f.Comparison == "birth_date" })
		if j < 0 {
			t.Fatalf("%s ~ %s: no birth date in the explanation %+v", tc.a, tc.b, s.Fields)
		}
		f := s.Fields[j]
		if f.Level != tc.level {
			t.Errorf("%s ~ %s: level %s, want %s", tc.a, tc.b, f.Level, tc.level)
		}
		if tc.level == "year_within_1" && math.Abs(f.Weight-math.Log2(year.M/year.U)) > 1e-9 {
			t.Errorf("%s ~ %s: weight %v, want log2(m/u) = %v", tc.a, tc.b, f.Weight, math.Log2(year.M/year.U))
		}
	}
}
