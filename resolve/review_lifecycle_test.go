package resolve

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/steward-crm/steward/rules"
	"github.com/steward-crm/steward/warehouse/sqlstore"
)

// batchOf resolves lines (normalized) as one ResolveBatch.
func batchOf(t *testing.T, rs *Resolver, r *rules.Rules, lines ...string) []Outcome {
	t.Helper()
	recs := normalized(t, r, lines...)
	pos := make([]string, len(recs))
	for i := range pos {
		pos[i] = fmt.Sprint("b", i)
	}
	outs, err := rs.ResolveBatch(context.Background(), recs, pos)
	if err != nil {
		t.Fatal(err)
	}
	return outs
}

// batcherOf resolves lines (normalized) through a Batcher of one worker and batches of
// up to size records.
func batcherOf(t *testing.T, rs *Resolver, r *rules.Rules, size int, lines ...string) []Outcome {
	t.Helper()
	return submitAll(t, &Batcher{Resolver: rs, Max: size, Workers: 1}, normalized(t, r, lines...))
}

// TestBatchUnchangedAfterMergeInSameBatch: with auto_merge, a batch whose first record
// bridges two masters (merging the younger into the older) and whose second record is
// a redelivery of a record of the younger master must report the redelivered record's
// master as Resolve does (the survivor), not the master it had when the batch began.
func TestBatchUnchangedAfterMergeInSameBatch(t *testing.T) {
	// Record at a time.
	rs1, r, _ := resolver(t, true)
	first := resolveAll(t, rs1, r, byEmail, byPhone)
	older, younger := first[0].MasterID, first[1].MasterID
	one := resolveAll(t, rs1, r, bridging, byPhone)
	if len(one[0].Merged) != 1 || one[1].Action != ActionUnchanged || one[1].MasterID != older {
		t.Fatalf("record at a time: %+v, want the redelivery unchanged in master %d", one, older)
	}
	// The same in one batch.
	rs2, _, _ := resolver(t, true)
	resolveAll(t, rs2, r, byEmail, byPhone)
	outs := batchOf(t, rs2, r, bridging, byPhone)
	if len(outs[0].Merged) != 1 {
		t.Fatalf("batch: the bridging record merged nothing: %+v", outs[0])
	}
	if outs[1].Action != ActionUnchanged || outs[1].MasterID != older {
		t.Errorf("batch: redelivery after the merge: %s in master %d, want unchanged in master %d (record at a time; %d is merged)", outs[1].Action, outs[1].MasterID, older, younger)
	}
}

const (
	upsertT1     = `{"source":"crm","source_id":"77","updated_at":"2024-01-01T00:00:00Z","given_name":"Oscar","family_name":"Wildebrand","emails":["oscar.wildebrand@example.com"]}`
	deleteNoTime = `{"source":"crm","source_id":"77","op":"delete"}`
)

// TestFileWithUndatedDeleteIngestedTwice: README "Ingesting the same file twice changes
// nothing". A file holding an upsert and then its withdrawal without updated_at (a CSV
// delete row with only the key), resolved twice: the second pass must write nothing.
func TestFileWithUndatedDeleteIngestedTwice(t *testing.T) {
	rs, r, st := resolver(t, false)
	resolveAll(t, rs, r, upsertT1, deleteNoTime)
	db := st.(*sqlstore.Store).DB()
	before := dump(t, db, `SELECT id || ' ' || version || ' ' || status FROM masters ORDER BY id`)
	events := dump(t, db, `SELECT COUNT(*) FROM merge_events`)
	again := resolveAll(t, rs, r, upsertT1, deleteNoTime)
	after := dump(t, db, `SELECT id || ' ' || version || ' ' || status FROM masters ORDER BY id`)
	if again[0].Action == ActionNewMaster || again[0].Action == ActionLinked || before != after || events != dump(t, db, `SELECT COUNT(*) FROM merge_events`) {
		t.Errorf("second pass: %s then %s; masters before:\n%safter:\n%s", again[0].Action, again[1].Action, before, after)
	}
}

// TestOlderVersionAfterRepeatedWithdrawalIsStale: a record withdrawn at T2 and withdrawn
// again at T4 (a newer withdrawal) must not come back with a version of T3 delivered
// late: it is older than the newest version received.
func TestOlderVersionAfterRepeatedWithdrawalIsStale(t *testing.T) {
	rs, r, _ := resolver(t, false)
	outs := resolveAll(t, rs, r,
		`{"source":"crm","source_id":"78","updated_at":"2024-01-01T00:00:00Z","given_name":"Oscar","family_name":"Wildebrand","emails":["oscar.wildebrand@example.com"]}`,
		`{"source":"crm","source_id":"78","updated_at":"2024-02-01T00:00:00Z","op":"delete"}`,
		`{"source":"crm","source_id":"78","updated_at":"2024-04-01T00:00:00Z","op":"delete"}`,
		`{"source":"crm","source_id":"78","updated_at":"2024-03-01T00:00:00Z","given_name":"Oscar","family_name":"Wildebrand","emails":["o.wildebrand@example.com"]}`,
	)
	if outs[3].Action != ActionStale {
		t.Errorf("version of March after a withdrawal of April: %s, want stale (outcomes %v %v %v)", outs[3].Action, outs[0].Action, outs[1].Action, outs[2].Action)
	}
}

// TestUndatedUpdateKeepsNewestTime: an update without updated_at must not erase the
// stored time: a version older than one already applied, delivered afterwards, is stale
// (the withdrawal keeps the newest time for the same reason).
func TestUndatedUpdateKeepsNewestTime(t *testing.T) {
	rs, r, _ := resolver(t, false)
	outs := resolveAll(t, rs, r,
		`{"source":"crm","source_id":"79","updated_at":"2024-01-01T00:00:00Z","given_name":"Oscar","family_name":"Wildebrand","job_title":"Clerk"}`,
		`{"source":"crm","source_id":"79","updated_at":"2024-03-01T00:00:00Z","given_name":"Oscar","family_name":"Wildebrand","job_title":"Director"}`,
		`{"source":"crm","source_id":"79","given_name":"Oscar","family_name":"Wildebrand","job_title":"Director","emails":["oscar.wildebrand@example.com"]}`,
		`{"source":"crm","source_id":"79","updated_at":"2024-01-01T00:00:00Z","given_name":"Oscar","family_name":"Wildebrand","job_title":"Clerk"}`,
	)
	if outs[3].Action != ActionStale {
		t.Errorf("the January version after March's and an undated one: %s, want stale", outs[3].Action)
	}
}

// TestAutoMergeOneEventPerChange: with auto_merge, a record that bridges two masters
// changes the survivor once (it joins, the younger master's records move in): each
// outbox event of a master must carry a change, not repeat the version before it.
func TestAutoMergeOneEventPerChange(t *testing.T) {
	rs, r, st := resolver(t, true)
	resolveAll(t, rs, r, byEmail, byPhone, bridging)
	db := st.(*sqlstore.Store).DB()
	prev := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(dump(t, db, `SELECT key || '|' || json_extract(payload, '$.version') || '|' ||
json_extract(payload, '$.status') || ' q' || json_extract(payload, '$.master.quality') || ' ' || json_extract(payload, '$.master.golden') FROM outbox ORDER BY id`)), "\n") {
		parts := strings.SplitN(line, "|", 3)
		if prev[parts[0]] == parts[2] {
			t.Errorf("master %s: version %s repeats the version before it: %s", parts[0], parts[1], parts[2])
		}
		prev[parts[0]] = parts[2]
	}
}

// resolveAs resolves first, then later, on a new SQLite warehouse, as how says:
// "record at a time", "one batch" (first and later together), "two batches" (first,
// then later) or "batcher" (through a Batcher of batches of at most size records); it
// returns the warehouse and the outcomes, for sameReviews to compare the ways.
func resolveAs(t *testing.T, r *rules.Rules, how string, size int, first, later []string) (*sqlstore.Store, []Outcome) {
	t.Helper()
	rs, st := sqliteResolver(t, r)
	all := slices.Concat(first, later)
	switch how {
	case "record at a time":
		rs.oneByOne = true
		return st, resolveAll(t, rs, r, all...)
	case "one batch":
		return st, batchOf(t, rs, r, all...)
	case "two batches":
		return st, append(batchOf(t, rs, r, first...), batchOf(t, rs, r, later...)...)
	case "batcher":
		return st, batcherOf(t, rs, r, size, all...)
	}
	t.Fatalf("resolveAs: no way %q", how)
	return nil, nil
}

// sameReviews reports where a run (how) left other review items (as text) or other
// outcomes than the run record at a time.
func sameReviews(t *testing.T, how, want, got string, wantOuts, outs []Outcome) {
	t.Helper()
	if got != want {
		t.Errorf("%s: review items differ:\n%s", how, firstDiff(want, got))
	}
	for i := range outs {
		if a, b := wantOuts[i], outs[i]; a.Action != b.Action || a.MasterID != b.MasterID || a.Reviews != b.Reviews {
			t.Errorf("%s: record %d: %+v, record at a time %+v", how, i, b, a)
		}
	}
}
