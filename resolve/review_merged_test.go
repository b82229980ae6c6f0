package resolve

import (
	"context"
	"fmt"
	"testing"

	"github.com/steward-crm/steward/rules"
	"github.com/steward-crm/steward/warehouse"
)

// TestReviewOfMasterMergedMeanwhile: on PostgreSQL, a record bridging two masters (X by
// its e-mail, Y by its phone) joins X and queues a merge review of X and Y; another
// consumer merges Y into A between the read of its candidates and its write. The review
// names the survivor A, not the merged Y (the merge had redirected the open items before
// this one was written). (Suspected by a review.)
func TestReviewOfMasterMergedMeanwhile(t *testing.T) {
	for _, oneByOne := range []bool{false, true} {
		t.Run(fmt.Sprint("record_at_a_time=", oneByOne), func(t *testing.T) {
			ctx := context.Background()
			r := rules.Default()
			plain, st := postgresResolver(t, r)
			stranger := `{"source":"web","source_id":"0","given_name":"Jean","family_name":"Dupont","emails":["jean.dupont@example.org"]}`
			outs := resolveAll(t, plain, r, stranger, byEmail, byPhone)
			a, x, y := outs[0].MasterID, outs[1].MasterID, outs[2].MasterID
			race := &racingStore{Store: st, merge: func(tx warehouse.Tx) error {
				return plain.merge(ctx, tx, a, y, 1, nil, "another consumer")
			}}
			rs := &Resolver{Store: race, Engine: plain.Engine, oneByOne: oneByOne}
			out := resolveAll(t, rs, r, bridging)[0]
			if race.err != nil {
				t.Fatalf("the concurrent merge failed: %v", race.err)
			}
			items, err := st.ReviewItems(ctx, warehouse.ReviewOpen, "", 10)
			if err != nil {
				t.Fatal(err)
			}
			for _, it := range items {
				if it.MasterID == y || it.CandidateID == y {
					t.Errorf("open %s review item of masters %d and %d names the merged master %d (survivor %d, X %d; outcome %s in %d)", it.Kind, it.MasterID, it.CandidateID, y, a, x, out.Action, out.MasterID)
				}
			}
			if len(items) != 1 || items[0].Kind != warehouse.ReviewMerge || items[0].MasterID != x || items[0].CandidateID != a {
				t.Errorf("%d open review items, want one merge review of X %d and the survivor %d", len(items), x, a)
			}
		})
	}
}
