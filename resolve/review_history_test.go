package resolve

import (
	"context"
	"strings"
	"testing"

	"github.com/steward-crm/steward/warehouse"
)

// TestMergeEventNamesMovedRecords: undoing an auto_merge needs to know which
// source records moved from the retired master into the survivor; the merge event is
// the audit log's only trace of that move, and must name them.
func TestMergeEventNamesMovedRecords(t *testing.T) {
	rs, r, st := resolver(t, true)
	outs := resolveAll(t, rs, r, byEmail, byPhone, bridging)
	if len(outs[2].Merged) != 1 {
		t.Fatalf("no merge: %+v", outs[2])
	}
	evs, err := st.Events(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	var merge *warehouse.Event
	for i := range evs {
		if evs[i].Kind == warehouse.EventMerge {
			merge = &evs[i]
		}
	}
	if merge == nil {
		t.Fatalf("no merge event in %+v", evs)
	}
	// crm:2 was the younger master's only record: it moved into the older master.
	if !strings.Contains(string(merge.Details), `"crm:2"`) {
		t.Errorf("merge event (master %d <- %d) does not name the records it moved; details: %s", merge.MasterID, merge.OtherID, merge.Details)
	}
}
