package resolve

import (
	"fmt"
	"testing"

	"github.com/steward-crm/steward/warehouse/sqlstore"
)

// TestReview2SplitClosedWhenFellowWithdrawn: crm:Y1's newer version (another person under
// a reused id) queues a split item against web:A1, its only fellow member. web:A1 is then
// withdrawn: crm:Y1 is alone in its master, there is nobody to split it from, and the
// item must be closed (a record alone queues none); it stays open, asking a steward to
// part a record from "its fellow members" that no longer exist.
func TestReview2SplitClosedWhenFellowWithdrawn(t *testing.T) {
	const orlowitzGone = `{"source":"web","source_id":"A1","updated_at":"2024-05-01T00:00:00Z","op":"delete"}`
	rs, r, st := resolver(t, false)
	outs := resolveAll(t, rs, r, orlowitz, orlowitzCRM, orlowitzCRMReused)
	a := outs[0].MasterID
	if outs[2].Reviews != 1 {
		t.Fatalf("setup: %+v, want a split item", outs)
	}
	if out := resolveAll(t, rs, r, orlowitzGone)[0]; out.Action != ActionWithdrawn {
		t.Fatalf("withdrawal: %+v", out)
	}
	got := reviewRows(t, st.(*sqlstore.Store))
	if open := fmt.Sprintf("split crm:Y1 m%d c0 open []\n", a); got == open {
		t.Errorf("after web:A1's withdrawal the split item is still open:\n%s", got)
	}
}

// TestReview2SplitClosedWhenFellowMatchesAgain: crm:Y1's split item was raised because
// it no longer matched web:A1. web:A1's newer version holds the same person as crm:Y1
// now (the other source reused the same id for the same new person): the two match, so
// the split question is answered; the item stays open.
func TestReview2SplitClosedWhenFellowMatchesAgain(t *testing.T) {
	const orlowitzNowDurouvard = `{"source":"web","source_id":"A1","updated_at":"2024-05-01T00:00:00Z","given_name":"Patrick","family_name":"Durouvard","emails":["patrick.durouvard@example.fr"],"address":{"city":"Caen"}}`
	rs, r, st := resolver(t, false)
	outs := resolveAll(t, rs, r, orlowitz, orlowitzCRM, orlowitzCRMReused)
	a := outs[0].MasterID
	if outs[2].Reviews != 1 {
		t.Fatalf("setup: %+v, want a split item", outs)
	}
	if out := resolveAll(t, rs, r, orlowitzNowDurouvard)[0]; out.Action != ActionUpdated || out.Reviews != 0 {
		t.Fatalf("update: %+v", out)
	}
	got := reviewRows(t, st.(*sqlstore.Store))
	if open := fmt.Sprintf("split crm:Y1 m%d c0 open []\n", a); got == open {
		t.Errorf("crm:Y1 and web:A1 match again, the split item is still open:\n%s", got)
	}
}
