package normalize

import (
	"testing"

	"github.com/steward-crm/steward/contact"
)

// TestReview2PhoneTruncatedNotSaintPierre: a metropolitan number written nationally with
// digits missing ("04 12 34 5", three digits short) is invalid in France; the overseas
// fallback must not read it as Saint-Pierre-et-Miquelon's +508 41 23 45 (PM's six-digit
// plan also takes a trunk 0): someone else's valid number.
func TestReview2PhoneTruncatedNotSaintPierre(t *testing.T) {
	n := newTest(t)
	for _, raw := range []string{"04 12 34 5", "05 51 23 4", "04 11 22 3"} {
		got := n.Phone(raw, "FR")
		if len(got) != 1 || got[0].Status != contact.StatusInvalid {
			t.Errorf("Phone(%q, FR) = %+v, want invalid (as before the fallback)", raw, got)
		}
	}
}
