package resolve

import (
	"fmt"
	"strings"
	"testing"

	"github.com/steward-crm/steward/rules"
	"github.com/steward-crm/steward/warehouse/sqlstore"
)

const (
	// bridgingShop bridges byEmail's and byPhone's masters as bridging does, from
	// another source: it joins the master bridging joined.
	bridgingShop = `{"source":"shop","source_id":"4","given_name":"Elodie","family_name":"Weiningkamp","emails":["e.weiningkamp@example.fr"],"phones":["+33 6 12 34 56 78"]}`
	// bastienOrlowitz is bastien's newer version with master A's e-mail address: it
	// stays in C and resembles A, as orlowitzCRMMobile (of A) resembles C.
	bastienOrlowitz = `{"source":"erp","source_id":"C1","updated_at":"2024-03-01T00:00:00Z","given_name":"Bastien","family_name":"Orlowicz","phones":["+33 7 81 22 45 19"],"emails":["b.orlowicz@example.net","bastien.o@example.com"]}`
)

// mergeReviewScenarios raise the question "are these two masters one person?" twice:
// two records of one master bridging it to the same other master, and an update in each
// direction (a record of A resembling C, then a record of C resembling A). want gives the
// review items left (formatted with the masters of the first two records) and the
// reviews each record's outcome counts.
var mergeReviewScenarios = []struct {
	name    string
	records []string
	want    string
	reviews []int
}{
	{"two records bridge the same masters", []string{byEmail, byPhone, bridging, bridgingShop},
		"merge erp:3 m%[1]d c%[2]d open\n", []int{0, 0, 1, 0}},
	{"an update in each direction", []string{bastien, orlowitz, orlowitzCRM, orlowitzCRMMobile, bastienOrlowitz},
		"merge crm:Y1 m%[2]d c%[1]d open\n", []int{0, 0, 0, 1, 0}},
}

// mergeReviewRows returns the review items as text, oldest first: kind, source key,
// masters and status.
func mergeReviewRows(t *testing.T, st *sqlstore.Store) string {
	t.Helper()
	return dump(t, st.DB(), `SELECT kind || ' ' || source_key || ' m' || master_id || ' c' || candidate_id || ' ' || status FROM review_items ORDER BY id`)
}

// TestOneMergeReviewPerPairOfMasters: a steward answers "are masters X and Y one
// person?" once. However many records raise it, in either direction, the queue holds one
// open merge item for the pair (the first raised), and only that one counts in the
// outcomes' reviews.
func TestOneMergeReviewPerPairOfMasters(t *testing.T) {
	for _, c := range mergeReviewScenarios {
		t.Run(c.name, func(t *testing.T) {
			rs, r, st := resolver(t, false)
			outs := resolveAll(t, rs, r, c.records...)
			want := fmt.Sprintf(c.want, outs[0].MasterID, outs[1].MasterID)
			if got := mergeReviewRows(t, st.(*sqlstore.Store)); got != want {
				t.Errorf("review items:\n got %swant %s", got, want)
			}
			for i, o := range outs {
				if o.Reviews != c.reviews[i] {
					t.Errorf("record %d: %d review(s) counted, want %d (outcome %+v)", i, o.Reviews, c.reviews[i], o)
				}
			}
		})
	}
}

// TestOneMergeReviewBatchMatchRecordAtATime: the scenarios above resolved record at a
// time, in one batch and through the Batcher leave the same review items (scores and
// explanations included) and count the same reviews.
func TestOneMergeReviewBatchMatchRecordAtATime(t *testing.T) {
	r := rules.Default()
	for _, c := range mergeReviewScenarios {
		t.Run(c.name, func(t *testing.T) {
			run := func(how string) (string, []Outcome) {
				st, outs := resolveAs(t, r, how, 2, c.records, nil)
				return dump(t, st.DB(), `SELECT kind || ' ' || source_key || ' m' || master_id || ' c' || candidate_id || ' ' || status || ' ' || score || ' ' ||
COALESCE(explanation, '') FROM review_items ORDER BY id`), outs
			}
			want, wantOuts := run("record at a time")
			if n := strings.Count(want, " open "); n != 1 {
				t.Errorf("record at a time: %d open items, want 1:\n%s", n, want)
			}
			for _, how := range []string{"one batch", "batcher"} {
				got, outs := run(how)
				sameReviews(t, how, want, got, wantOuts, outs)
			}
		})
	}
}
