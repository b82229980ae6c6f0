package normalize

import (
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/steward-crm/steward/contact"
	"github.com/steward-crm/steward/rules"
)

var (
	testRulesOnce sync.Once
	testRules     *rules.Rules
)

// testNow is the clock of the tests: dates after it are in the future.
var testNow = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

// newTest returns a Normalizer on the embedded default rules with a fixed clock.
func newTest(tb testing.TB) *Normalizer {
	tb.Helper()
	testRulesOnce.Do(func() { testRules = rules.Default() })
	n, err := New(testRules)
	if err != nil {
		tb.Fatal(err)
	}
	n.now = func() time.Time { return testNow }
	return n
}

// checkField compares a field with its expected value, status and issue (one issue code
// that must be present; "" means no issue at all; "-" means do not check issues).
func checkField(t *testing.T, what string, got contact.Field, value string, status contact.Status, issue string) {
	t.Helper()
	if got.Value != value || got.Status != status {
		t.Errorf("%s = %q (%s), want %q (%s); issues %v", what, got.Value, got.Status, value, status, got.Issues)
	}
	switch issue {
	case "-":
	case "":
		if len(got.Issues) > 0 {
			t.Errorf("%s issues = %v, want none", what, got.Issues)
		}
	default:
		for _, want := range strings.Split(issue, ",") {
			if !slices.Contains(got.Issues, want) {
				t.Errorf("%s issues = %v, want %s", what, got.Issues, want)
			}
		}
	}
}

const (
	valid     = contact.StatusValid
	corrected = contact.StatusCorrected
	invalidSt = contact.StatusInvalid
	missing   = contact.StatusMissing
)
