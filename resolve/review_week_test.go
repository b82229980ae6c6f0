package resolve

import (
	"context"
	"fmt"
	"testing"

	"github.com/steward-crm/steward/rules"
	"github.com/steward-crm/steward/warehouse"
)

// A withdrawal that arrives before the record it withdraws (a source's delta loaded
// before its late full export): the warehouse never held crm:W9.
const (
	wkWithdraw = `{"source":"crm","source_id":"W9","updated_at":"2026-12-01T00:00:00Z","op":"delete"}`
	wkOlder    = `{"source":"crm","source_id":"W9","updated_at":"2026-11-01T00:00:00Z","given_name":"Anouk","family_name":"Verlaine","emails":["anouk.verlaine@example.org"]}`
	wkNewer    = `{"source":"crm","source_id":"W9","updated_at":"2026-12-05T00:00:00Z","given_name":"Anouk","family_name":"Verlaine","emails":["anouk.verlaine@example.org"]}`
)

// TestWithdrawalOfUnknownRecordIsKept: the withdrawal of a record never received is
// remembered (reported withdrawn_unknown, not unchanged), so that an older version
// arriving after it is stale and makes no master; a newer version still comes in. It
// was reported unchanged and forgotten: the older version made a master of a person
// the source had withdrawn.
func TestWithdrawalOfUnknownRecordIsKept(t *testing.T) {
	r := rules.Default()
	for _, mode := range []string{"one by one", "one batch", "a batch each"} {
		t.Run(mode, func(t *testing.T) {
			var outs []Outcome
			var st warehouse.Store
			switch mode {
			case "one by one":
				outs, st = comebackRun(t, r, false, wkWithdraw, wkOlder, wkNewer)
			case "one batch":
				outs, st = comebackRun(t, r, true, wkWithdraw, wkOlder, wkNewer)
			default:
				rs, s := sqliteResolver(t, r)
				st = s
				for i, l := range []string{wkWithdraw, wkOlder, wkNewer} {
					o, err := rs.ResolveBatch(context.Background(), normalized(t, r, l), []string{fmt.Sprint("p", i)})
					if err != nil {
						t.Fatal(err)
					}
					outs = append(outs, o...)
				}
			}
			want := []Action{ActionWithdrawnUnknown, ActionStale, ActionNewMaster}
			for i, o := range outs {
				if o.Action != want[i] {
					t.Errorf("record %d: %s, want %s", i, o.Action, want[i])
				}
			}
			if outs[1].MasterID != 0 {
				t.Errorf("the older version has master %d, want none", outs[1].MasterID)
			}
			var row *warehouse.SourceRow
			err := st.InTx(context.Background(), func(tx warehouse.Tx) (err error) {
				row, err = tx.SourceState(context.Background(), "crm", "W9")
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			if row.Deleted || row.MasterID == 0 || row.MasterID != outs[2].MasterID {
				t.Errorf("stored crm:W9: deleted %v, master %d; want live in master %d", row.Deleted, row.MasterID, outs[2].MasterID)
			}
		})
	}
}

// TestResendWithNewTimeOnlyKeepsGolden: a source's re-export whose only change is
// updated_at (a full export stamped with its export time) updates the source record but
// leaves the golden record as it was: no new master version, no change event. Each such
// record gave its master a new version, identical to the one before, and an event that
// downstream systems had to process for nothing.
func TestResendWithNewTimeOnlyKeepsGolden(t *testing.T) {
	r := rules.Default()
	first := `{"source":"crm","source_id":"T1","updated_at":"2026-11-01T00:00:00Z","given_name":"Anouk","family_name":"Verlaine","emails":["anouk.verlaine@example.org"]}`
	again := `{"source":"crm","source_id":"T1","updated_at":"2026-12-01T00:00:00Z","given_name":"Anouk","family_name":"Verlaine","emails":["anouk.verlaine@example.org"]}`
	outs, st := comebackRun(t, r, false, first, again)
	if outs[1].Action != ActionUpdated {
		t.Fatalf("re-export with a new time: %s, want updated", outs[1].Action)
	}
	if m := master(t, st, outs[0].MasterID); m.Version != 1 {
		t.Errorf("master version %d after a re-export that changes no golden value, want 1", m.Version)
	}
	var events int
	if _, err := st.ForwardOutbox(context.Background(), 100, func(evs []warehouse.OutboxEvent) error {
		events += len(evs)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if events != 1 {
		t.Errorf("%d change events, want 1 (the new master's)", events)
	}
}
