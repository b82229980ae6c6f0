// Package storetest is the contract suite of warehouse.Store: every implementation
// (SQLite, PostgreSQL) runs the same cases with Run.
package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/steward-crm/steward/contact"
	"github.com/steward-crm/steward/warehouse"
)

// Harness opens a fresh, empty, migrated store for each case, and runs raw SQL on it
// (for the append-only checks).
type Harness struct {
	Open func(t *testing.T) warehouse.Store
	Exec func(s warehouse.Store, query string) error
}

// Run runs the contract suite.
func Run(t *testing.T, h Harness) {
	cases := []struct {
		name string
		fn   func(t *testing.T, h Harness)
	}{
		{"SourceRecordRoundTrip", testSourceRecord},
		{"SourceRecordNumbersKept", testSourceRecordNumbers},
		{"CandidatesAndCap", testCandidates},
		{"BatchMethods", testBatch},
		{"MasterVersions", testMasters},
		{"ReviewItemsDeduplicated", testReviewItems},
		{"ReviewItemsFollowMerges", testRedirectReviewItems},
		{"MergeItemsOnePerPair", testMergeItemsOnePerPair},
		{"MergeItemsFollowMergesOnePerPair", testRedirectMergeItems},
		{"MergeItemsConcurrentWriters", testMergeItemsConcurrent},
		{"ReviewItemsClosed", testCloseReviewItems},
		{"ReviewItemsClosedByKind", testCloseReviewItemsByKind},
		{"OpenReviewItemsByRowOrCandidate", testOpenReviewItems},
		{"ReviewItemRescoredInPlace", testRescoreReviewItem},
		{"BlockKeysChecked", testBlockKeysChecked},
		{"AuditLogAppendOnly", testEvents},
		{"LastEvent", testLastEvent},
		{"Outbox", testOutbox},
		{"OutboxLargeLimit", testOutboxLargeLimit},
		{"OutboxPartialPublish", testOutboxPartialPublish},
		{"DeadLetters", testDeadLetters},
		{"RollbackOnError", testRollback},
		{"PanicRollsBack", testPanicRollsBack},
		{"Stats", testStats},
		{"EachSourceRecord", testEachSourceRecord},
		{"CompanyCandidates", testCompanyCandidates},
		{"CompanyBySIRETOfMappedKey", testCompanyBySIRET},
		// From a review (2026-12-06), review_1206.go.
		{"WithdrawnRecordNotACandidate", testWithdrawnNotCandidate},
		{"UnlinkedRecordNotACandidate", testUnlinkedNotCandidate},
		{"StatsMultiMastersLiveOnly", testStatsMultiMasters},
		{"WithdrawnInABatchComesBackWithItsKeys", testWithdrawnBatchComesBack},
		{"OutboxTimesInUTC", testOutboxTimesUTC},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { c.fn(t, h) })
	}
}

func rec(src, id, family, email string) *contact.Record {
	return &contact.Record{Source: src, SourceID: id, FamilyName: family, Emails: []string{email},
		UpdatedAt: time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC),
		Norm:      &contact.Normalized{FamilyKey: family, Emails: []contact.Email{{Field: contact.Field{Value: email, Status: contact.StatusValid}, Key: email}}, Quality: 40}}
}

func inTx(t *testing.T, s warehouse.Store, fn func(ctx context.Context, tx warehouse.Tx) error) {
	t.Helper()
	ctx := context.Background()
	if err := s.InTx(ctx, func(tx warehouse.Tx) error { return fn(ctx, tx) }); err != nil {
		t.Fatal(err)
	}
}

// withdraw marks a stored source record withdrawn (op delete), as the resolver does.
func withdraw(ctx context.Context, tx warehouse.Tx, source, sourceID string) error {
	row, err := tx.SourceRecord(ctx, source, sourceID)
	if err != nil {
		return err
	}
	row.Deleted = true
	return tx.PutSourceRecord(ctx, row)
}

// addRecord creates a master holding one source record with the given keys.
func addRecord(t *testing.T, s warehouse.Store, r *contact.Record, keys ...string) (rowID, masterID int64) {
	t.Helper()
	inTx(t, s, func(ctx context.Context, tx warehouse.Tx) error {
		m := &contact.Master{Golden: contact.Golden{FamilyName: r.FamilyName}}
		if err := tx.CreateMaster(ctx, m); err != nil {
			return err
		}
		row := &warehouse.SourceRow{Source: r.Source, SourceID: r.SourceID, Hash: "h1", UpdatedAt: r.UpdatedAt, Record: r, MasterID: m.ID, Position: "f.jsonl:1"}
		if err := tx.PutSourceRecord(ctx, row); err != nil {
			return err
		}
		rowID, masterID = row.ID, m.ID
		return tx.AddBlockKeys(ctx, row.ID, keys)
	})
	return rowID, masterID
}

func testSourceRecord(t *testing.T, h Harness) {
	s := h.Open(t)
	r := rec("web", "1", "martin", "a@x.fr")
	id, mid := addRecord(t, s, r, "email:a@x.fr")
	inTx(t, s, func(ctx context.Context, tx warehouse.Tx) error {
		got, err := tx.SourceRecord(ctx, "web", "1")
		if err != nil {
			return err
		}
		if got.ID != id || got.MasterID != mid || got.Hash != "h1" || got.Position != "f.jsonl:1" || !got.UpdatedAt.Equal(r.UpdatedAt) {
			t.Errorf("round trip: %+v", got)
		}
		if got.Record.Norm == nil || got.Record.Norm.Quality != 40 || got.Record.Emails[0] != "a@x.fr" {
			t.Errorf("record JSON round trip: %+v", got.Record)
		}
		if _, err := tx.SourceRecord(ctx, "web", "2"); !errors.Is(err, warehouse.ErrNotFound) {
			t.Errorf("missing record: err = %v, want ErrNotFound", err)
		}
		// SourceState: the same row without the record.
		state, err := tx.SourceState(ctx, "web", "1")
		if err != nil {
			return err
		}
		if state.Record != nil || state.ID != id || state.MasterID != mid || state.Hash != "h1" || state.Position != "f.jsonl:1" || !state.UpdatedAt.Equal(r.UpdatedAt) || state.Deleted {
			t.Errorf("SourceState: %+v", state)
		}
		if _, err := tx.SourceState(ctx, "web", "2"); !errors.Is(err, warehouse.ErrNotFound) {
			t.Errorf("missing record state: err = %v, want ErrNotFound", err)
		}
		// Upsert keeps the id.
		got.Hash, got.Deleted = "h2", true
		if err := tx.PutSourceRecord(ctx, got); err != nil {
			return err
		}
		again, err := tx.SourceRecord(ctx, "web", "1")
		if err != nil {
			return err
		}
		if again.ID != id || again.Hash != "h2" || !again.Deleted {
			t.Errorf("upsert: %+v", again)
		}
		return nil
	})
}

// masterIDs lists the masters of a candidate set's rows, in order.
func candidateMasters(set *warehouse.CandidateSet) []int64 {
	var out []int64
	for m := range set.Rows {
		out = append(out, m)
	}
	slices.Sort(out)
	return out
}

// testSourceRecordNumbers: a record read from the store and written back (a merge moves
// it, a withdrawal marks it) keeps its attributes' numbers as written: a customer number
// of 19 digits, an amount of 1.50 (read into float64 they became ...992 and 1.5).
func testSourceRecordNumbers(t *testing.T, h Harness) {
	s := h.Open(t)
	r, err := contact.Decode([]byte(`{"source":"web","source_id":"n1","family_name":"martin","attributes":{"customer_no":9007199254740993,"amount":1.50},"loyalty":{"points":12345678901234567890}}`))
	if err != nil {
		t.Fatal(err)
	}
	row, _ := addRecord(t, s, r)
	for range 2 {
		inTx(t, s, func(ctx context.Context, tx warehouse.Tx) error {
			got, err := tx.SourceRecord(ctx, "web", "n1")
			if err != nil {
				return err
			}
			got.Position = "again"
			return tx.PutSourceRecord(ctx, got)
		})
	}
	var got *warehouse.SourceRow
	inTx(t, s, func(ctx context.Context, tx warehouse.Tx) (err error) {
		got, err = tx.SourceRecord(ctx, "web", "n1")
		return err
	})
	b, err := contact.Encode(got.Record)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"9007199254740993", "1.50", "12345678901234567890"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("row %d read and written back twice: %s lost %s", row, b, want)
		}
	}
}

func testCandidates(t *testing.T, h Harness) {
	s := h.Open(t)
	r1, m1 := addRecord(t, s, rec("web", "1", "martin", "a@x.fr"), "email:a@x.fr", "name:martin")
	_, m2 := addRecord(t, s, rec("web", "2", "martin", "b@x.fr"), "email:b@x.fr", "name:martin")
	_, m3 := addRecord(t, s, rec("web", "3", "martin", "c@x.fr"), "email:c@x.fr", "name:martin")
	inTx(t, s, func(ctx context.Context, tx warehouse.Tx) error {
		set, err := tx.Candidates(ctx, warehouse.CandidateQuery{Keys: []string{"email:a@x.fr", "email:b@x.fr", "name:martin", "email:a@x.fr"}, MaxMasters: 2, FeaturesVersion: "f1|"})
		if err != nil {
			return err
		}
		if !slices.Equal(set.Skipped, []string{"name:martin"}) {
			t.Errorf("skipped = %v, want the key shared by 3 masters", set.Skipped)
		}
		if got := candidateMasters(set); !slices.Equal(got, []int64{m1, m2}) {
			t.Errorf("candidate masters = %v, want %v", got, []int64{m1, m2})
		}
		if !slices.Equal(set.Masters["email:a@x.fr"], []int64{m1}) || !slices.Equal(set.Masters["email:b@x.fr"], []int64{m2}) || set.Masters["name:martin"] != nil {
			t.Errorf("masters by key = %v", set.Masters)
		}
		// Rows stored without features come with their record.
		if c := set.Rows[m1]; len(c) != 1 || c[0].ID != r1 || c[0].Key() != "web:1" || c[0].Record == nil || c[0].Record.FamilyName != "martin" || c[0].Features != "" {
			t.Errorf("candidate row of master %d: %+v", m1, c)
		}
		// At the cap exactly, a key is expanded.
		set, err = tx.Candidates(ctx, warehouse.CandidateQuery{Keys: []string{"name:martin"}, MaxMasters: 3, FeaturesVersion: "f1|"})
		if err != nil {
			return err
		}
		if len(set.Skipped) != 0 || !slices.Equal(set.Masters["name:martin"], []int64{m1, m2, m3}) {
			t.Errorf("at the cap: skipped %v, masters %v", set.Skipped, set.Masters)
		}
		// A rule's own cap (rules match.blocking[].max_masters) holds for its keys, below
		// the cap of the others or above it.
		set, err = tx.Candidates(ctx, warehouse.CandidateQuery{Keys: []string{"name:martin", "email:a@x.fr"}, MaxMasters: 10, RuleMaxMasters: map[string]int{"name": 2}, FeaturesVersion: "f1|"})
		if err != nil {
			return err
		}
		if !slices.Equal(set.Skipped, []string{"name:martin"}) || !slices.Equal(candidateMasters(set), []int64{m1}) {
			t.Errorf("name keys capped at 2: skipped %v, masters %v", set.Skipped, set.Masters)
		}
		set, err = tx.Candidates(ctx, warehouse.CandidateQuery{Keys: []string{"name:martin"}, MaxMasters: 2, RuleMaxMasters: map[string]int{"name": 3, "email": 1}, FeaturesVersion: "f1|"})
		if err != nil {
			return err
		}
		if len(set.Skipped) != 0 || !slices.Equal(set.Masters["name:martin"], []int64{m1, m2, m3}) {
			t.Errorf("name keys capped at 3 over a cap of 2: skipped %v, masters %v", set.Skipped, set.Masters)
		}
		set, err = tx.Candidates(ctx, warehouse.CandidateQuery{Keys: []string{"name:martin"}, MaxMasters: 10, FeaturesVersion: "f1|"})
		if err != nil {
			return err
		}
		if got := candidateMasters(set); !slices.Equal(got, []int64{m1, m2, m3}) || !slices.Equal(set.Masters["name:martin"], got) {
			t.Errorf("name block: %v %v", got, set.Masters)
		}
		// KeyRows: per key used, the candidate rows holding it; only when asked.
		if set.KeyRows != nil {
			t.Errorf("key rows not asked for: %v", set.KeyRows)
		}
		r2, r3 := set.Rows[m2][0].ID, set.Rows[m3][0].ID
		set, err = tx.Candidates(ctx, warehouse.CandidateQuery{Keys: []string{"name:martin", "email:b@x.fr", "email:nobody"}, MaxMasters: 10, FeaturesVersion: "f1|", KeyRows: true})
		if err != nil {
			return err
		}
		want := map[string][]int64{"name:martin": {r1, r2, r3}, "email:b@x.fr": {r2}}
		if !maps.EqualFunc(set.KeyRows, want, slices.Equal) {
			t.Errorf("key rows = %v, want %v", set.KeyRows, want)
		}
		set, err = tx.Candidates(ctx, warehouse.CandidateQuery{Keys: []string{"name:martin", "email:c@x.fr"}, MaxMasters: 2, KeyRows: true})
		if err != nil {
			return err
		}
		if want := map[string][]int64{"email:c@x.fr": {r3}}; !maps.EqualFunc(set.KeyRows, want, slices.Equal) {
			t.Errorf("key rows with name:martin over the cap = %v, want %v", set.KeyRows, want)
		}
		// ReplaceBlockKeys drops the keys a row had: record 1 leaves the name block.
		if err := tx.ReplaceBlockKeys(ctx, r1, []string{"email:a@x.fr"}); err != nil {
			return err
		}
		set, err = tx.Candidates(ctx, warehouse.CandidateQuery{Keys: []string{"name:martin"}, MaxMasters: 10, FeaturesVersion: "f1|"})
		if err != nil {
			return err
		}
		if got := candidateMasters(set); !slices.Equal(got, []int64{m2, m3}) {
			t.Errorf("after replacing record 1's keys: %v", got)
		}
		// A record moved to another master (a merge) takes its keys along, with
		// PutSourceRecord and with PutSourceRecords given the row's id.
		row, err := tx.SourceRecord(ctx, "web", "1")
		if err != nil {
			return err
		}
		row.MasterID = m2
		if err := tx.PutSourceRecord(ctx, row); err != nil {
			return err
		}
		if set, err = tx.Candidates(ctx, warehouse.CandidateQuery{Keys: []string{"email:a@x.fr"}, MaxMasters: 10, FeaturesVersion: "f1|"}); err != nil {
			return err
		}
		if !slices.Equal(set.Masters["email:a@x.fr"], []int64{m2}) || len(set.Rows[m2]) != 2 || set.Rows[m1] != nil {
			t.Errorf("after moving record 1 to master %d: %v %+v", m2, set.Masters, set.Rows)
		}
		row.MasterID = m3
		if err := tx.PutSourceRecords(ctx, []*warehouse.SourceRow{row}); err != nil {
			return err
		}
		if set, err = tx.Candidates(ctx, warehouse.CandidateQuery{Keys: []string{"email:a@x.fr"}, MaxMasters: 10, FeaturesVersion: "f1|"}); err != nil {
			return err
		}
		if !slices.Equal(set.Masters["email:a@x.fr"], []int64{m3}) {
			t.Errorf("after moving record 1 to master %d in a batch: %v", m3, set.Masters)
		}
		none, err := tx.Candidates(ctx, warehouse.CandidateQuery{Keys: []string{"email:nobody"}, MaxMasters: 10, FeaturesVersion: "f1|"})
		if err != nil || len(none.Rows) != 0 || len(none.Masters) != 0 {
			t.Errorf("unknown key: %+v %v", none, err)
		}
		return nil
	})
}

// testBatch covers the set-based methods a resolver batch uses.
func testBatch(t *testing.T, h Harness) {
	s := h.Open(t)
	_, old := addRecord(t, s, rec("web", "0", "martin", "z@x.fr"), "name:martin")
	ctx := context.Background()
	var ids []int64
	var rows []*warehouse.SourceRow
	inTx(t, s, func(ctx context.Context, tx warehouse.Tx) error {
		var err error
		ids, err = tx.NewMasterIDs(ctx, 3)
		if err != nil {
			return err
		}
		if len(ids) != 3 || ids[0] <= old || !slices.IsSorted(ids) {
			t.Errorf("new master ids %v after master %d", ids, old)
		}
		var ms []*contact.Master
		for i, id := range ids {
			ms = append(ms, &contact.Master{ID: id, Version: i + 1, Status: contact.MasterActive, Golden: contact.Golden{FamilyName: fmt.Sprint("f", i)}, Quality: 10 * i})
		}
		if err := tx.InsertMasters(ctx, ms); err != nil {
			return err
		}
		// A master created afterwards the usual way never reuses a reserved id.
		m := &contact.Master{Golden: contact.Golden{FamilyName: "later"}}
		if err := tx.CreateMaster(ctx, m); err != nil {
			return err
		}
		if m.ID <= ids[2] {
			t.Errorf("master created after reserving %v got id %d", ids, m.ID)
		}
		for i := range 5 {
			r := rec("crm", fmt.Sprint(i), "durand", fmt.Sprintf("d%d@x.fr", i))
			if i == 0 {
				// Attributes, which MembersOf reads and MemberRecords leaves out.
				r.Attributes = map[string]any{"entity_id": "E1", "n": json.Number("9007199254740993"), "tags": []any{"a", map[string]any{"b": "c"}}}
			}
			rows = append(rows, &warehouse.SourceRow{Source: "crm", SourceID: fmt.Sprint(i), Hash: fmt.Sprint("h", i), Record: r,
				MasterID: ids[i%3], Position: fmt.Sprint("p", i), Features: fmt.Sprint("f1|", i)})
		}
		rows[4].Features = "f0|old"
		// A row given its record encoded already is written as given (a resolver
		// encodes new records before their transaction).
		pre, err := contact.Encode(rec("crm", "3", "durand", "encoded@x.fr"))
		if err != nil {
			return err
		}
		rows[3].RecordJSON = string(pre)
		if err := tx.PutSourceRecords(ctx, rows); err != nil {
			return err
		}
		var keys []warehouse.RowKey
		for i, r := range rows {
			if r.ID == 0 {
				t.Errorf("row %d has no id", i)
			}
			keys = append(keys, warehouse.RowKey{Key: "name:durand", MasterID: r.MasterID, RowID: r.ID}, warehouse.RowKey{Key: fmt.Sprint("email:d", i), MasterID: r.MasterID, RowID: r.ID})
		}
		if err := tx.AddRowBlockKeys(ctx, keys); err != nil {
			return err
		}
		if err := tx.PutSourceRecords(ctx, []*warehouse.SourceRow{rows[0], rows[0]}); err == nil {
			t.Error("a record twice in one batch was accepted")
		}
		return nil
	})
	inTx(t, s, func(ctx context.Context, tx warehouse.Tx) error {
		states, err := tx.SourceStates(ctx, []warehouse.SourceKey{{Source: "crm", SourceID: "0"}, {Source: "crm", SourceID: "4"}, {Source: "crm", SourceID: "nope"}, {Source: "web", SourceID: "0"}})
		if err != nil {
			return err
		}
		if len(states) != 3 || states["crm:0"] == nil || states["crm:0"].ID != rows[0].ID || states["crm:0"].Hash != "h0" || states["crm:4"].MasterID != ids[1] || states["crm:0"].Record != nil {
			t.Errorf("source states %+v", states)
		}
		for id, want := range map[string]string{"2": "d2@x.fr", "3": "encoded@x.fr"} {
			row, err := tx.SourceRecord(ctx, "crm", id)
			if err != nil {
				return err
			}
			if row.Record == nil || !slices.Equal(row.Record.Emails, []string{want}) {
				t.Errorf("record crm:%s stored as %+v, want e-mail %s", id, row.Record, want)
			}
		}
		set, err := tx.Candidates(ctx, warehouse.CandidateQuery{Keys: []string{"name:durand", "email:d1"}, MaxMasters: 10, FeaturesVersion: "f1|"})
		if err != nil {
			return err
		}
		if got := candidateMasters(set); !slices.Equal(got, ids) || !slices.Equal(set.Masters["email:d1"], ids[1:2]) {
			t.Errorf("candidates %v %v", got, set.Masters)
		}
		for _, c := range set.Rows[ids[1]] {
			switch c.SourceID {
			case "1":
				if c.Features != "f1|1" || c.Record != nil {
					t.Errorf("current features: %+v", c)
				}
			case "4":
				// Features of another version: the record instead.
				if c.Features != "" || c.Record == nil || c.Record.Emails[0] != "d4@x.fr" {
					t.Errorf("stale features: %+v", c)
				}
			default:
				t.Errorf("row %s in master %d", c.SourceID, ids[1])
			}
		}
		members, err := tx.MembersOf(ctx, []int64{ids[0], ids[2], old, ids[0]})
		if err != nil {
			return err
		}
		if len(members) != 3 || len(members[ids[0]]) != 2 || members[ids[0]][0].SourceID != "0" || members[ids[0]][1].SourceID != "3" || members[ids[0]][0].Features != "f1|0" || members[old][0].SourceID != "0" {
			t.Errorf("members %+v", members)
		}
		if a := members[ids[0]][0].Record.Attributes; a["entity_id"] != "E1" || a["n"] != json.Number("9007199254740993") {
			t.Errorf("member crm:0's attributes %v", a)
		}
		// MemberRecords: the same records in the same order, without their attributes.
		recs, err := tx.MemberRecords(ctx, []int64{ids[0], ids[2], old, ids[0]})
		if err != nil {
			return err
		}
		if len(recs) != len(members) {
			t.Errorf("member records of %d masters, members of %d", len(recs), len(members))
		}
		for m, rows := range members {
			if len(recs[m]) != len(rows) {
				t.Errorf("master %d: %d member records, %d members", m, len(recs[m]), len(rows))
				continue
			}
			for i, row := range rows {
				want := *row.Record
				want.Attributes = nil
				if !reflect.DeepEqual(*recs[m][i], want) {
					t.Errorf("master %d, record %d: %+v, want %+v", m, i, *recs[m][i], want)
				}
			}
		}
		ms, err := tx.MastersByID(ctx, []int64{ids[1], ids[2], 999999})
		if err != nil {
			return err
		}
		if len(ms) != 2 || ms[ids[1]].Version != 2 || ms[ids[2]].Golden.FamilyName != "f2" || ms[ids[2]].Quality != 20 {
			t.Errorf("masters by id %+v", ms)
		}
		// MasterStates: the same masters, but for their golden records.
		mstates, err := tx.MasterStates(ctx, []int64{ids[2], 999999, ids[1], ids[2]})
		if err != nil {
			return err
		}
		for _, id := range ids[1:] {
			want := *ms[id]
			want.Golden = contact.Golden{}
			if got := mstates[id]; got == nil || !reflect.DeepEqual(*got, want) {
				t.Errorf("master state %d = %+v, want %+v", id, got, want)
			}
		}
		if len(mstates) != 2 {
			t.Errorf("master states %+v", mstates)
		}
		ms[ids[1]].Version, ms[ids[1]].Golden.GivenName, ms[ids[1]].Status = 5, "anne", contact.MasterRetired
		ms[ids[2]].Version, ms[ids[2]].Quality = 3, 99
		if err := tx.SaveMasters(ctx, []*contact.Master{ms[ids[1]], ms[ids[2]]}); err != nil {
			return err
		}
		var evs []*warehouse.Event
		var obs []*warehouse.OutboxEvent
		for i := range 3 {
			evs = append(evs, &warehouse.Event{Kind: warehouse.EventLink, MasterID: ids[i], SourceKey: fmt.Sprint("crm:", i), Score: 0.5})
			obs = append(obs, &warehouse.OutboxEvent{Topic: "golden", Key: fmt.Sprint(i), Payload: json.RawMessage(fmt.Sprintf(`{"n":%d}`, i))})
		}
		if err := tx.AppendEvents(ctx, evs); err != nil {
			return err
		}
		return tx.AddOutboxes(ctx, obs)
	})
	inTx(t, s, func(ctx context.Context, tx warehouse.Tx) error {
		m, err := tx.Master(ctx, ids[1])
		if err != nil {
			return err
		}
		if m.Version != 5 || m.Golden.GivenName != "anne" || m.Status != contact.MasterRetired || m.Golden.FamilyName != "f1" {
			t.Errorf("saved master %+v", m)
		}
		if m, _ := tx.Master(ctx, ids[2]); m.Version != 3 || m.Quality != 99 {
			t.Errorf("saved master %+v", m)
		}
		return nil
	})
	evs, err := s.Events(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, e := range evs {
		if e.Kind == warehouse.EventLink {
			keys = append(keys, e.SourceKey)
		}
	}
	if !slices.Equal(keys, []string{"crm:0", "crm:1", "crm:2"}) {
		t.Errorf("events in order: %v", keys)
	}
	var got []string
	if _, err := s.ForwardOutbox(ctx, 10, func(es []warehouse.OutboxEvent) error {
		for _, e := range es {
			got = append(got, string(e.Payload))
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, []string{`{"n":0}`, `{"n":1}`, `{"n":2}`}) {
		t.Errorf("outbox in order: %v", got)
	}
}

func testMasters(t *testing.T, h Harness) {
	s := h.Open(t)
	_, mid := addRecord(t, s, rec("web", "1", "martin", "a@x.fr"), "k")
	inTx(t, s, func(ctx context.Context, tx warehouse.Tx) error {
		m, err := tx.Master(ctx, mid)
		if err != nil {
			return err
		}
		if m.Version != 1 || m.Status != contact.MasterActive || m.Golden.FamilyName != "martin" {
			t.Errorf("new master %+v", m)
		}
		m.Golden.GivenName, m.Quality = "élodie", 77
		if err := tx.UpdateMaster(ctx, m); err != nil {
			return err
		}
		if m.Version != 2 {
			t.Errorf("version after update = %d, want 2", m.Version)
		}
		members, err := tx.Members(ctx, mid)
		if err != nil || len(members) != 1 || members[0].SourceID != "1" {
			t.Errorf("members %+v %v", members, err)
		}
		if _, err := tx.Master(ctx, mid+1000); !errors.Is(err, warehouse.ErrNotFound) {
			t.Errorf("missing master: %v", err)
		}
		return nil
	})
	var seen []*contact.Master
	if err := s.EachMaster(context.Background(), func(m *contact.Master) error { seen = append(seen, m); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(seen) != 1 || seen[0].Golden.GivenName != "élodie" || seen[0].Quality != 77 || seen[0].Version != 2 {
		t.Errorf("EachMaster: %+v", seen)
	}
}

// testEachSourceRecord: every live source record in id order (not key order), with JSON
// that decodes (contact.Decode) into the record as received; a withdrawn one is left out;
// more records than one page of the store's reads; fn's error ends the walk.
func testEachSourceRecord(t *testing.T, h Harness) {
	s := h.Open(t)
	addRecord(t, s, rec("web", "1", "martin", "a@x.fr"))
	addRecord(t, s, rec("crm", "7", "durand", "b@x.fr"))
	addRecord(t, s, rec("web", "2", "petit", "c@x.fr"))
	const many = 2500
	inTx(t, s, func(ctx context.Context, tx warehouse.Tx) error {
		if err := withdraw(ctx, tx, "crm", "7"); err != nil {
			return err
		}
		m := &contact.Master{Golden: contact.Golden{FamilyName: "bulk"}}
		if err := tx.CreateMaster(ctx, m); err != nil {
			return err
		}
		rows := make([]*warehouse.SourceRow, many)
		for i := range rows {
			r := rec("bulk", fmt.Sprintf("%04d", many-i), "bulk", fmt.Sprintf("b%d@x.fr", i))
			rows[i] = &warehouse.SourceRow{Source: r.Source, SourceID: r.SourceID, Hash: "h", UpdatedAt: r.UpdatedAt, Record: r, MasterID: m.ID, Position: "p"}
		}
		return tx.PutSourceRecords(ctx, rows)
	})
	var got []string
	err := s.EachSourceRecord(context.Background(), func(k warehouse.SourceKey, data json.RawMessage) error {
		r, err := contact.Decode(data)
		if err != nil {
			return fmt.Errorf("%s: %w", k.Key(), err)
		}
		got = append(got, k.Key()+" "+r.Key()+" "+r.FamilyName+" "+r.Emails[0])
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"web:1 web:1 martin a@x.fr", "web:2 web:2 petit c@x.fr"}
	for i := range many {
		want = append(want, fmt.Sprintf("bulk:%04d bulk:%04d bulk b%d@x.fr", many-i, many-i, i))
	}
	if !slices.Equal(got, want) {
		t.Errorf("EachSourceRecord: %d records, want %d; first %q", len(got), len(want), got[:min(len(got), 4)])
	}
	stop := errors.New("stop")
	calls := 0
	if err := s.EachSourceRecord(context.Background(), func(warehouse.SourceKey, json.RawMessage) error { calls++; return stop }); !errors.Is(err, stop) || calls != 1 {
		t.Errorf("fn's error: %v after %d calls, want it after 1", err, calls)
	}
}

func testReviewItems(t *testing.T, h Harness) {
	s := h.Open(t)
	row, mid := addRecord(t, s, rec("web", "1", "martin", "a@x.fr"), "k")
	expl := json.RawMessage(`{"weight":3.5}`)
	inTx(t, s, func(ctx context.Context, tx warehouse.Tx) error {
		for i, want := range []bool{true, false} {
			added, err := tx.AddReviewItem(ctx, &warehouse.ReviewItem{Kind: warehouse.ReviewPair, SourceRowID: row, SourceKey: "web:1", MasterID: mid, CandidateID: 99, Score: 0.8, Explanation: expl})
			if err != nil {
				return err
			}
			if added != want {
				t.Errorf("attempt %d: added = %v, want %v (one open item per pair)", i, added, want)
			}
		}
		no, err := tx.NotAMatch(ctx, row, 99)
		if err != nil || no {
			t.Errorf("NotAMatch = %v, %v", no, err)
		}
		return nil
	})
	items, err := s.ReviewItems(context.Background(), warehouse.ReviewOpen, "", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 1 || items[0].CandidateID != 99 || string(items[0].Explanation) != string(expl) || items[0].Score != 0.8 {
		t.Errorf("review items %+v", items)
	}

	// Company items: one open item per record and registry entry, beside the pair item;
	// superseding keeps the named entry's item and closes the others of that kind only.
	inTx(t, s, func(ctx context.Context, tx warehouse.Tx) error {
		for i, c := range []struct {
			key  string
			want bool
		}{{"73282932000074", true}, {"73282932000074", false}, {"55208131700017", true}} {
			added, err := tx.AddReviewItem(ctx, &warehouse.ReviewItem{Kind: warehouse.ReviewCompany, SourceRowID: row, SourceKey: "web:1", MasterID: mid, CompanyKey: c.key, Score: 0.6})
			if err != nil {
				return err
			}
			if added != c.want {
				t.Errorf("company item %d: added = %v, want %v", i, added, c.want)
			}
		}
		n, err := tx.SupersedeReviewItems(ctx, row, warehouse.ReviewCompany, "55208131700017")
		if err != nil || n != 1 {
			t.Errorf("SupersedeReviewItems = %d, %v; want 1 closed", n, err)
		}
		return nil
	})
	items, err = s.ReviewItems(context.Background(), warehouse.ReviewOpen, "", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 2 || items[0].Kind != warehouse.ReviewPair || items[1].Kind != warehouse.ReviewCompany || items[1].CompanyKey != "55208131700017" {
		t.Errorf("open items after supersede: %+v", items)
	}
	closed, err := s.ReviewItems(context.Background(), warehouse.ReviewSuperseded, "", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(closed) != 1 || closed[0].CompanyKey != "73282932000074" {
		t.Errorf("superseded items: %+v", closed)
	}
}

// testRedirectReviewItems: when master B is merged into A, B's open items point at A;
// an item between A and B is closed, and so is one that would repeat an open item of A;
// items already decided and other masters' items are left as they are.
func testRedirectReviewItems(t *testing.T, h Harness) {
	s := h.Open(t)
	r1, a := addRecord(t, s, rec("web", "1", "martin", "a@x.fr"), "k1")
	r2, b := addRecord(t, s, rec("web", "2", "martin", "b@x.fr"), "k2")
	r3, c := addRecord(t, s, rec("web", "3", "durand", "c@x.fr"), "k3")
	type item struct {
		row, master, candidate int64
		status                 string
	}
	add := []item{
		{r2, b, a, warehouse.ReviewOpen},     // between B and A: closed
		{r1, a, b, warehouse.ReviewOpen},     // between A and B: closed
		{r3, c, b, warehouse.ReviewOpen},     // C's record may belong to B: now to A
		{r3, c, a, warehouse.ReviewOpen},     // ... it may belong to A already: the one above is closed instead
		{r2, b, c, warehouse.ReviewOpen},     // B's record may belong to C: now A's record
		{r1, a, b, warehouse.ReviewRejected}, // decided: left alone
	}
	inTx(t, s, func(ctx context.Context, tx warehouse.Tx) error {
		for i, it := range add {
			if _, err := tx.AddReviewItem(ctx, &warehouse.ReviewItem{Kind: warehouse.ReviewPair, Status: it.status, SourceRowID: it.row, SourceKey: fmt.Sprint("web:", i), MasterID: it.master, CandidateID: it.candidate, Score: 0.7}); err != nil {
				return err
			}
		}
		redirected, closed, err := tx.RedirectReviewItems(ctx, b, a)
		if err != nil {
			return err
		}
		if redirected != 1 || closed != 3 {
			t.Errorf("RedirectReviewItems = %d redirected, %d closed; want 1 and 3", redirected, closed)
		}
		return nil
	})
	all := itemsByStatus(t, s, warehouse.ReviewOpen, warehouse.ReviewSuperseded, warehouse.ReviewRejected)
	want := map[string][]string{
		warehouse.ReviewOpen:       {fmt.Sprintf("web:3 m%d c%d", c, a), fmt.Sprintf("web:4 m%d c%d", a, c)},
		warehouse.ReviewSuperseded: {fmt.Sprintf("web:0 m%d c%d", b, a), fmt.Sprintf("web:1 m%d c%d", a, b), fmt.Sprintf("web:2 m%d c%d", c, b)},
		warehouse.ReviewRejected:   {fmt.Sprintf("web:5 m%d c%d", a, b)},
	}
	if fmt.Sprint(all) != fmt.Sprint(want) {
		t.Errorf("review items after merging %d into %d:\n got %v\nwant %v", b, a, all, want)
	}
}

// itemsByStatus lists the review items of each status as "source key, master,
// candidate", oldest first.
func itemsByStatus(t *testing.T, s warehouse.Store, statuses ...string) map[string][]string {
	t.Helper()
	all := map[string][]string{}
	for _, st := range statuses {
		items, err := s.ReviewItems(context.Background(), st, "", 20)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range items {
			all[st] = append(all[st], fmt.Sprintf("%s m%d c%d", it.SourceKey, it.MasterID, it.CandidateID))
		}
	}
	return all
}

// testMergeItemsOnePerPair: one open merge item per two masters, whichever of their
// records raised it and in either direction; the first is kept, score included. Pair
// items are not merge items, and once the open merge item is closed the pair of masters
// can get another.
func testMergeItemsOnePerPair(t *testing.T, h Harness) {
	s := h.Open(t)
	r1, a := addRecord(t, s, rec("web", "1", "martin", "a@x.fr"), "k1")
	r3, b := addRecord(t, s, rec("web", "3", "martin", "b@x.fr"), "k3")
	r4, c := addRecord(t, s, rec("web", "4", "durand", "c@x.fr"), "k4")
	var r2 int64 // A's second record
	inTx(t, s, func(ctx context.Context, tx warehouse.Tx) error {
		r := rec("web", "2", "martin", "a2@x.fr")
		row := &warehouse.SourceRow{Source: r.Source, SourceID: r.SourceID, Hash: "h1", UpdatedAt: r.UpdatedAt, Record: r, MasterID: a, Position: "f.jsonl:2"}
		err := tx.PutSourceRecord(ctx, row)
		r2 = row.ID
		return err
	})
	add := func(ctx context.Context, tx warehouse.Tx, kind string, row, master, candidate int64, score float64, want bool, why string) error {
		added, err := tx.AddReviewItem(ctx, &warehouse.ReviewItem{Kind: kind, SourceRowID: row, SourceKey: fmt.Sprint("r", row), MasterID: master, CandidateID: candidate, Score: score})
		if err == nil && added != want {
			t.Errorf("%s item of record %d, masters %d and %d: added = %v, want %v (%s)", kind, row, master, candidate, added, want, why)
		}
		return err
	}
	inTx(t, s, func(ctx context.Context, tx warehouse.Tx) error {
		steps := []struct {
			kind                   string
			row, master, candidate int64
			score                  float64
			want                   bool
			why                    string
		}{
			{warehouse.ReviewMerge, r1, a, b, 0.9, true, "the first of A and B"},
			{warehouse.ReviewMerge, r2, a, b, 0.99, false, "another record of A"},
			{warehouse.ReviewMerge, r3, b, a, 0.99, false, "a record of B: the other direction"},
			{warehouse.ReviewPair, r4, c, a, 0.8, true, "a pair item"},
			{warehouse.ReviewMerge, r1, a, c, 0.9, true, "A and C"},
			{warehouse.ReviewMerge, r4, c, b, 0.9, true, "C and B"},
		}
		for _, st := range steps {
			if err := add(ctx, tx, st.kind, st.row, st.master, st.candidate, st.score, st.want, st.why); err != nil {
				return err
			}
		}
		// r1's version is replaced: its items are closed, and A and B's question is
		// open again, to another record.
		if _, err := tx.CloseReviewItems(ctx, r1, 0, "updated", warehouse.ReviewMerge); err != nil {
			return err
		}
		if err := add(ctx, tx, warehouse.ReviewMerge, r3, b, a, 0.95, true, "A and B's item was closed"); err != nil {
			return err
		}
		return add(ctx, tx, warehouse.ReviewMerge, r2, a, b, 0.99, false, "B's record raised it again")
	})
	open, err := s.ReviewItems(context.Background(), warehouse.ReviewOpen, "", 20)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, it := range open {
		got = append(got, fmt.Sprintf("%s r%d m%d c%d %.2f", it.Kind, it.SourceRowID, it.MasterID, it.CandidateID, it.Score))
	}
	want := []string{
		fmt.Sprintf("pair r%d m%d c%d 0.80", r4, c, a),
		fmt.Sprintf("merge r%d m%d c%d 0.90", r4, c, b),
		fmt.Sprintf("merge r%d m%d c%d 0.95", r3, b, a),
	}
	if !slices.Equal(got, want) {
		t.Errorf("open review items:\n got %q\nwant %q", got, want)
	}
}

// testMergeItemsConcurrent: writers that each lock the two masters (as the resolver
// does) and queue a merge item between them, from records of either, at once, queue one
// (PostgreSQL: each in its own transaction; the check reads what the previous holder of
// the locks committed).
func testMergeItemsConcurrent(t *testing.T, h Harness) {
	s := h.Open(t)
	ctx := context.Background()
	var rows [8]int64
	var masters [8]int64
	for i := range rows {
		rows[i], masters[i] = addRecord(t, s, rec("web", fmt.Sprint(i), "martin", fmt.Sprintf("%d@x.fr", i)), fmt.Sprint("k", i))
	}
	// Records 0, 2, ... stay in master 0, records 1, 3, ... in master 1.
	inTx(t, s, func(ctx context.Context, tx warehouse.Tx) error {
		for i := 2; i < len(rows); i++ {
			row, err := tx.SourceRecord(ctx, "web", fmt.Sprint(i))
			if err != nil {
				return err
			}
			row.MasterID = masters[i%2]
			if err := tx.PutSourceRecord(ctx, row); err != nil {
				return err
			}
		}
		return nil
	})
	var added atomic.Int64
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range rows {
		wg.Go(func() {
			<-start
			master, candidate := masters[i%2], masters[1-i%2]
			err := s.InTx(ctx, func(tx warehouse.Tx) error {
				if _, err := tx.MastersByID(ctx, []int64{master, candidate}); err != nil {
					return err
				}
				ok, err := tx.AddReviewItem(ctx, &warehouse.ReviewItem{Kind: warehouse.ReviewMerge, SourceRowID: rows[i], SourceKey: fmt.Sprint("web:", i), MasterID: master, CandidateID: candidate, Score: 0.9})
				if ok {
					added.Add(1)
				}
				return err
			})
			if err != nil {
				t.Errorf("writer %d: %v", i, err)
			}
		})
	}
	close(start)
	wg.Wait()
	open, err := s.ReviewItems(ctx, warehouse.ReviewOpen, warehouse.ReviewMerge, 20)
	if err != nil {
		t.Fatal(err)
	}
	if len(open) != 1 || added.Load() != 1 {
		t.Errorf("%d open merge items, %d reported added; want 1 and 1", len(open), added.Load())
	}
}

// testRedirectMergeItems: when master B is merged into A, a merge item of B that would
// repeat an open merge item of A (the same other master, in either direction) is
// closed; B's other merge items point at A.
func testRedirectMergeItems(t *testing.T, h Harness) {
	s := h.Open(t)
	r1, a := addRecord(t, s, rec("web", "1", "martin", "a@x.fr"), "k1")
	r2, b := addRecord(t, s, rec("web", "2", "martin", "b@x.fr"), "k2")
	r3, c := addRecord(t, s, rec("web", "3", "durand", "c@x.fr"), "k3")
	r4, d := addRecord(t, s, rec("web", "4", "petit", "d@x.fr"), "k4")
	r5, e := addRecord(t, s, rec("web", "5", "leroy", "e@x.fr"), "k5")
	add := []*warehouse.ReviewItem{
		{SourceRowID: r3, MasterID: c, CandidateID: a}, // C and A: kept
		{SourceRowID: r2, MasterID: b, CandidateID: c}, // B and C, then A and C: closed
		{SourceRowID: r1, MasterID: a, CandidateID: e}, // A and E: kept
		{SourceRowID: r5, MasterID: e, CandidateID: b}, // E and B, then E and A: closed
		{SourceRowID: r4, MasterID: d, CandidateID: b}, // D and B: now D and A
	}
	inTx(t, s, func(ctx context.Context, tx warehouse.Tx) error {
		for i, it := range add {
			it.Kind, it.SourceKey, it.Score = warehouse.ReviewMerge, fmt.Sprint("web:", i), 0.9
			if added, err := tx.AddReviewItem(ctx, it); err != nil || !added {
				return fmt.Errorf("item %d: added %v, %v", i, added, err)
			}
		}
		redirected, closed, err := tx.RedirectReviewItems(ctx, b, a)
		if err != nil {
			return err
		}
		if redirected != 1 || closed != 2 {
			t.Errorf("RedirectReviewItems = %d redirected, %d closed; want 1 and 2", redirected, closed)
		}
		return nil
	})
	all := itemsByStatus(t, s, warehouse.ReviewOpen, warehouse.ReviewSuperseded)
	want := map[string][]string{
		warehouse.ReviewOpen:       {fmt.Sprintf("web:0 m%d c%d", c, a), fmt.Sprintf("web:2 m%d c%d", a, e), fmt.Sprintf("web:4 m%d c%d", d, a)},
		warehouse.ReviewSuperseded: {fmt.Sprintf("web:1 m%d c%d", b, c), fmt.Sprintf("web:3 m%d c%d", e, b)},
	}
	if fmt.Sprint(all) != fmt.Sprint(want) {
		t.Errorf("review items after merging %d into %d:\n got %v\nwant %v", b, a, all, want)
	}
}

// testBlockKeysChecked: an empty key or one holding a line break is refused (SQLite's
// row_keys joins a row's keys with line breaks: the index read again from the file
// would find its pieces).
func testBlockKeysChecked(t *testing.T, h Harness) {
	s := h.Open(t)
	row, _ := addRecord(t, s, rec("web", "1", "martin", "a@x.fr"), "k1")
	for _, key := range []string{"street:1 rue x\nbat b", "", "family_initial:иванов|\xd0"} {
		err := s.InTx(context.Background(), func(tx warehouse.Tx) error {
			return tx.AddBlockKeys(context.Background(), row, []string{key})
		})
		if !errors.Is(err, contact.ErrInvalid) {
			t.Errorf("block key %q: %v, want a data error (dead-lettered, not retried)", key, err)
		}
	}
}

// testCloseReviewItems: CloseReviewItems closes the open items of a source row, and
// those naming a master as the record's master or the candidate; nothing else (a
// company item's candidate is 0: closing a row's items must not close every company
// item).
func testCloseReviewItems(t *testing.T, h Harness) {
	s := h.Open(t)
	r1, a := addRecord(t, s, rec("web", "1", "martin", "a@x.fr"), "k1")
	r2, b := addRecord(t, s, rec("web", "2", "martin", "b@x.fr"), "k2")
	r3, c := addRecord(t, s, rec("web", "3", "durand", "c@x.fr"), "k3")
	items := []*warehouse.ReviewItem{
		{Kind: warehouse.ReviewPair, SourceRowID: r1, SourceKey: "web:1", MasterID: a, CandidateID: b},
		{Kind: warehouse.ReviewCompany, SourceRowID: r2, SourceKey: "web:2", MasterID: b, CompanyKey: "73282932000074"},
		{Kind: warehouse.ReviewPair, SourceRowID: r3, SourceKey: "web:3", MasterID: c, CandidateID: b},
		{Kind: warehouse.ReviewCompany, SourceRowID: r3, SourceKey: "web:3", MasterID: c, CompanyKey: "55210055400013"},
	}
	inTx(t, s, func(ctx context.Context, tx warehouse.Tx) error {
		for _, it := range items {
			it.Score = 0.7
			if _, err := tx.AddReviewItem(ctx, it); err != nil {
				return err
			}
		}
		if n, err := tx.CloseReviewItems(ctx, r1, 0, "withdrawn"); err != nil || n != 1 {
			t.Errorf("CloseReviewItems(row %d) = %d, %v; want 1", r1, n, err)
		}
		if n, err := tx.CloseReviewItems(ctx, 0, b, "retired"); err != nil || n != 2 {
			t.Errorf("CloseReviewItems(master %d) = %d, %v; want 2 (its company item, the pair naming it)", b, n, err)
		}
		return nil
	})
	open, err := s.ReviewItems(context.Background(), warehouse.ReviewOpen, "", 20)
	if err != nil {
		t.Fatal(err)
	}
	if len(open) != 1 || open[0].CompanyKey != "55210055400013" {
		t.Errorf("open items left: %+v; want only web:3's company item", open)
	}
}

// testCloseReviewItemsByKind: CloseReviewItems with kinds closes only the items of
// those kinds (an updated record's pair and merge items, not its company item).
func testCloseReviewItemsByKind(t *testing.T, h Harness) {
	s := h.Open(t)
	r1, a := addRecord(t, s, rec("web", "1", "martin", "a@x.fr"), "k1")
	r2, b := addRecord(t, s, rec("web", "2", "martin", "b@x.fr"), "k2")
	_, c := addRecord(t, s, rec("web", "3", "durand", "c@x.fr"), "k3")
	items := []*warehouse.ReviewItem{
		{Kind: warehouse.ReviewPair, SourceRowID: r1, SourceKey: "web:1", MasterID: a, CandidateID: b},
		{Kind: warehouse.ReviewMerge, SourceRowID: r1, SourceKey: "web:1", MasterID: a, CandidateID: c},
		{Kind: warehouse.ReviewCompany, SourceRowID: r1, SourceKey: "web:1", MasterID: a, CompanyKey: "73282932000074"},
		{Kind: warehouse.ReviewPair, SourceRowID: r2, SourceKey: "web:2", MasterID: b, CandidateID: a},
	}
	inTx(t, s, func(ctx context.Context, tx warehouse.Tx) error {
		for _, it := range items {
			it.Score = 0.7
			if _, err := tx.AddReviewItem(ctx, it); err != nil {
				return err
			}
		}
		if n, err := tx.CloseReviewItems(ctx, r1, 0, "updated", warehouse.ReviewPair, warehouse.ReviewMerge); err != nil || n != 2 {
			t.Errorf("CloseReviewItems(row %d, pair and merge) = %d, %v; want 2", r1, n, err)
		}
		if n, err := tx.CloseReviewItems(ctx, 0, a, "retired", warehouse.ReviewPair); err != nil || n != 1 {
			t.Errorf("CloseReviewItems(master %d, pair) = %d, %v; want 1 (web:2's pair naming it, not its company item)", a, n, err)
		}
		return nil
	})
	var got []string
	for _, st := range []string{warehouse.ReviewOpen, warehouse.ReviewSuperseded} {
		listed, err := s.ReviewItems(context.Background(), st, "", 20)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range listed {
			got = append(got, fmt.Sprintf("%s %s %s c%d", st, it.Kind, it.SourceKey, it.CandidateID))
		}
	}
	want := []string{
		"open company web:1 c0",
		fmt.Sprintf("superseded pair web:1 c%d", b), fmt.Sprintf("superseded merge web:1 c%d", c), fmt.Sprintf("superseded pair web:2 c%d", a),
	}
	if !slices.Equal(got, want) {
		t.Errorf("review items:\n got %q\nwant %q", got, want)
	}
}

// itemLine is a review item as "kind source-key master candidate status score
// explanation", with masters named by names.
func itemLine(it warehouse.ReviewItem, names map[int64]string) string {
	return fmt.Sprintf("%s %s %s %s %s %.2f %s", it.Kind, it.SourceKey, names[it.MasterID], names[it.CandidateID], it.Status, it.Score, it.Explanation)
}

// testOpenReviewItems: OpenReviewItems lists the open items raised by a source row, and
// those naming a master as the candidate, of the kinds asked for, oldest first, each
// once; not the items decided or closed, nor company items (candidate 0) when a master
// is asked for.
func testOpenReviewItems(t *testing.T, h Harness) {
	s := h.Open(t)
	r1, a := addRecord(t, s, rec("web", "1", "martin", "a@x.fr"), "k1")
	r2, b := addRecord(t, s, rec("web", "2", "martin", "b@x.fr"), "k2")
	r3, c := addRecord(t, s, rec("web", "3", "durand", "c@x.fr"), "k3")
	names := map[int64]string{a: "A", b: "B", c: "C", 0: "-"}
	items := []*warehouse.ReviewItem{
		{Kind: warehouse.ReviewPair, SourceRowID: r1, SourceKey: "web:1", MasterID: a, CandidateID: b, Explanation: json.RawMessage(`{"weight":1}`)},
		{Kind: warehouse.ReviewMerge, SourceRowID: r1, SourceKey: "web:1", MasterID: a, CandidateID: c},
		{Kind: warehouse.ReviewCompany, SourceRowID: r1, SourceKey: "web:1", MasterID: a, CompanyKey: "73282932000074"},
		{Kind: warehouse.ReviewPair, SourceRowID: r3, SourceKey: "web:3", MasterID: c, CandidateID: b},
		{Kind: warehouse.ReviewMerge, SourceRowID: r3, SourceKey: "web:3", MasterID: c, CandidateID: b, Status: warehouse.ReviewRejected},
		{Kind: warehouse.ReviewMerge, SourceRowID: r2, SourceKey: "web:2", MasterID: b, CandidateID: a},
	}
	inTx(t, s, func(ctx context.Context, tx warehouse.Tx) error {
		for i, it := range items {
			it.Score = 0.5 + float64(i)/100
			if _, err := tx.AddReviewItem(ctx, it); err != nil {
				return err
			}
		}
		// web:2's merge item was queued (A and B had none), then closed.
		if _, err := tx.CloseReviewItems(ctx, r2, 0, "withdrawn"); err != nil {
			return err
		}
		for _, c := range []struct {
			name           string
			row, candidate int64
			kinds          []string
			want           []string
		}{
			{"raised by web:1", r1, 0, nil, []string{`pair web:1 A B open 0.50 {"weight":1}`, "merge web:1 A C open 0.51 ", "company web:1 A - open 0.52 "}},
			{"raised by web:1, pair and merge", r1, 0, []string{warehouse.ReviewPair, warehouse.ReviewMerge}, []string{`pair web:1 A B open 0.50 {"weight":1}`, "merge web:1 A C open 0.51 "}},
			{"against B", 0, b, nil, []string{`pair web:1 A B open 0.50 {"weight":1}`, "pair web:3 C B open 0.53 "}},
			{"against B, merge", 0, b, []string{warehouse.ReviewMerge}, nil},
			{"raised by web:3 or against C", r3, c, []string{warehouse.ReviewPair, warehouse.ReviewMerge}, []string{"merge web:1 A C open 0.51 ", "pair web:3 C B open 0.53 "}},
			{"raised by web:1 or against B, each once", r1, b, []string{warehouse.ReviewPair}, []string{`pair web:1 A B open 0.50 {"weight":1}`, "pair web:3 C B open 0.53 "}},
			{"raised by web:2 (closed)", r2, 0, nil, nil},
			{"none asked", 0, 0, nil, nil},
		} {
			got, err := tx.OpenReviewItems(ctx, c.row, c.candidate, c.kinds...)
			if err != nil {
				return err
			}
			var lines []string
			for _, it := range got {
				lines = append(lines, itemLine(it, names))
			}
			if !slices.Equal(lines, c.want) {
				t.Errorf("%s:\n got %q\nwant %q", c.name, lines, c.want)
			}
		}
		return nil
	})
}

// testRescoreReviewItem: RescoreReviewItem changes an open item's score and explanation
// in place (same id, same place in the queue) and leaves a closed item alone;
// CloseReviewItem closes one item, once.
func testRescoreReviewItem(t *testing.T, h Harness) {
	s := h.Open(t)
	r1, a := addRecord(t, s, rec("web", "1", "martin", "a@x.fr"), "k1")
	r2, b := addRecord(t, s, rec("web", "2", "martin", "b@x.fr"), "k2")
	r3, c := addRecord(t, s, rec("web", "3", "durand", "c@x.fr"), "k3")
	names := map[int64]string{a: "A", b: "B", c: "C"}
	items := []*warehouse.ReviewItem{
		{Kind: warehouse.ReviewPair, SourceRowID: r1, SourceKey: "web:1", MasterID: a, CandidateID: b, Score: 0.8, Explanation: json.RawMessage(`{"weight":2}`)},
		{Kind: warehouse.ReviewMerge, SourceRowID: r3, SourceKey: "web:3", MasterID: c, CandidateID: b, Score: 0.97, Explanation: json.RawMessage(`{"weight":5}`)},
		{Kind: warehouse.ReviewPair, SourceRowID: r2, SourceKey: "web:2", MasterID: b, CandidateID: c, Score: 0.6},
	}
	inTx(t, s, func(ctx context.Context, tx warehouse.Tx) error {
		for _, it := range items {
			if _, err := tx.AddReviewItem(ctx, it); err != nil {
				return err
			}
		}
		steps := []struct {
			name string
			do   func() (bool, error)
			want bool
		}{
			{"rescore web:1's item", func() (bool, error) {
				return tx.RescoreReviewItem(ctx, items[0].ID, 0.55, json.RawMessage(`{"weight":0.3}`))
			}, true},
			{"close web:3's item", func() (bool, error) { return tx.CloseReviewItem(ctx, items[1].ID, "candidate master changed") }, true},
			{"close web:3's item again", func() (bool, error) { return tx.CloseReviewItem(ctx, items[1].ID, "again") }, false},
			{"rescore web:3's closed item", func() (bool, error) {
				return tx.RescoreReviewItem(ctx, items[1].ID, 0.1, json.RawMessage(`{"weight":-3}`))
			}, false},
		}
		for _, st := range steps {
			got, err := st.do()
			if err != nil {
				return fmt.Errorf("%s: %w", st.name, err)
			}
			if got != st.want {
				t.Errorf("%s: reported %v, want %v", st.name, got, st.want)
			}
		}
		return nil
	})
	var got []string
	for _, st := range []string{warehouse.ReviewOpen, warehouse.ReviewSuperseded} {
		listed, err := s.ReviewItems(context.Background(), st, "", 20)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range listed {
			got = append(got, fmt.Sprintf("#%d %s", slices.IndexFunc(items, func(x *warehouse.ReviewItem) bool { return x.ID == it.ID }), itemLine(it, names)))
		}
	}
	want := []string{
		`#0 pair web:1 A B open 0.55 {"weight":0.3}`, // in place: first in the queue still
		"#2 pair web:2 B C open 0.60 ",
		`#1 merge web:3 C B superseded 0.97 {"weight":5}`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("review items:\n got %q\nwant %q", got, want)
	}
}

func testEvents(t *testing.T, h Harness) {
	s := h.Open(t)
	inTx(t, s, func(ctx context.Context, tx warehouse.Tx) error {
		for _, k := range []string{warehouse.EventNewMaster, warehouse.EventLink} {
			if err := tx.AppendEvent(ctx, &warehouse.Event{Kind: k, MasterID: 7, SourceKey: "web:1", Details: json.RawMessage(`{"a":1}`)}); err != nil {
				return err
			}
		}
		return nil
	})
	evs, err := s.Events(context.Background(), 7)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 2 || evs[0].Kind != warehouse.EventNewMaster || evs[1].Kind != warehouse.EventLink || evs[0].Actor != "engine" || string(evs[1].Details) != `{"a":1}` {
		t.Errorf("events %+v", evs)
	}
	if err := h.Exec(s, `UPDATE merge_events SET kind = 'x'`); err == nil {
		t.Error("UPDATE on merge_events succeeded: the audit log must be append-only")
	}
	if err := h.Exec(s, `DELETE FROM merge_events`); err == nil {
		t.Error("DELETE on merge_events succeeded: the audit log must be append-only")
	}
	if evs, _ := s.Events(context.Background(), 0); len(evs) != 2 {
		t.Errorf("events after tampering attempts: %d", len(evs))
	}
}

// testLastEvent: a master's newest event, one appended in the same transaction
// included; another master's events and a merge naming the master as the other one do
// not count.
func testLastEvent(t *testing.T, h Harness) {
	s := h.Open(t)
	inTx(t, s, func(ctx context.Context, tx warehouse.Tx) error {
		if _, err := tx.LastEvent(ctx, 7); !errors.Is(err, warehouse.ErrNotFound) {
			t.Errorf("LastEvent of a master without events: %v, want ErrNotFound", err)
		}
		for _, e := range []*warehouse.Event{
			{Kind: warehouse.EventNewMaster, MasterID: 7, SourceKey: "web:1"},
			{Kind: warehouse.EventWithdraw, MasterID: 7, SourceKey: "web:1", Details: json.RawMessage(`{"a":1}`)},
			{Kind: warehouse.EventNewMaster, MasterID: 8, SourceKey: "web:2"},
			{Kind: warehouse.EventMerge, MasterID: 9, OtherID: 7, SourceKey: "web:3"},
		} {
			if err := tx.AppendEvent(ctx, e); err != nil {
				return err
			}
		}
		e, err := tx.LastEvent(ctx, 7)
		if err != nil {
			return err
		}
		if e.Kind != warehouse.EventWithdraw || e.MasterID != 7 || e.SourceKey != "web:1" || e.Actor != "engine" || string(e.Details) != `{"a":1}` || e.At.IsZero() {
			t.Errorf("LastEvent(7) in the transaction: %+v, want web:1's withdrawal", e)
		}
		return nil
	})
	inTx(t, s, func(ctx context.Context, tx warehouse.Tx) error {
		if err := tx.AppendEvent(ctx, &warehouse.Event{Kind: warehouse.EventRestore, MasterID: 7, SourceKey: "web:1"}); err != nil {
			return err
		}
		for id, want := range map[int64]string{7: warehouse.EventRestore, 8: warehouse.EventNewMaster, 9: warehouse.EventMerge} {
			e, err := tx.LastEvent(ctx, id)
			if err != nil {
				return err
			}
			if e.Kind != want || e.MasterID != id {
				t.Errorf("LastEvent(%d): %s of master %d, want %s", id, e.Kind, e.MasterID, want)
			}
		}
		return nil
	})
}

func testOutbox(t *testing.T, h Harness) {
	s := h.Open(t)
	ctx := context.Background()
	inTx(t, s, func(ctx context.Context, tx warehouse.Tx) error {
		for i := 0; i < 3; i++ {
			if err := tx.AddOutbox(ctx, &warehouse.OutboxEvent{Topic: "contacts.golden", Key: "1", Payload: json.RawMessage(`{"v":1}`)}); err != nil {
				return err
			}
		}
		return nil
	})
	pending := func() int64 {
		t.Helper()
		st, err := s.Stats(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return st.OutboxPending
	}
	var got []warehouse.OutboxEvent
	n, err := s.ForwardOutbox(ctx, 2, func(evs []warehouse.OutboxEvent) error { got = evs; return nil })
	if err != nil || n != 2 || len(got) != 2 || got[0].ID >= got[1].ID {
		t.Fatalf("forwarded %d %+v %v", n, got, err)
	}
	if p := pending(); p != 1 {
		t.Errorf("after publish: %d pending, want 1", p)
	}

	// A failed publish sees the event left, and leaves it pending.
	n, err = s.ForwardOutbox(ctx, 10, func(evs []warehouse.OutboxEvent) error { got = evs; return errors.New("broker down") })
	if err == nil || n != 0 || len(got) != 1 || string(got[0].Payload) != `{"v":1}` {
		t.Errorf("failed publish: n %d, events %+v, err %v", n, got, err)
	}
	if p := pending(); p != 1 {
		t.Errorf("after a failed publish: %d pending, want 1", p)
	}
	// Four forwarders at once (as four processes would) publish every event once, each
	// batch in id order.
	inTx(t, s, func(ctx context.Context, tx warehouse.Tx) error {
		for i := 0; i < 49; i++ {
			if err := tx.AddOutbox(ctx, &warehouse.OutboxEvent{Topic: "contacts.golden", Key: fmt.Sprint(i), Payload: json.RawMessage(`{}`)}); err != nil {
				return err
			}
		}
		return nil
	})
	var mu sync.Mutex
	seen := map[int64]int{}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for {
				n, err := s.ForwardOutbox(ctx, 7, func(evs []warehouse.OutboxEvent) error {
					mu.Lock()
					defer mu.Unlock()
					for i, e := range evs {
						seen[e.ID]++
						if i > 0 && evs[i-1].ID >= e.ID {
							t.Errorf("batch out of order: %d then %d", evs[i-1].ID, e.ID)
						}
					}
					time.Sleep(2 * time.Millisecond) // hold the claim a little
					return nil
				})
				if err != nil {
					t.Error(err)
					return
				}
				if n == 0 && pending() == 0 {
					return
				}
			}
		})
	}
	wg.Wait()
	if len(seen) != 50 {
		t.Errorf("%d events published, want 50", len(seen))
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("event %d published %d times", id, n)
		}
	}

	// Pruning deletes published events only, those published before the cut, oldest
	// first, at most limit at a time.
	inTx(t, s, func(ctx context.Context, tx warehouse.Tx) error {
		return tx.AddOutbox(ctx, &warehouse.OutboxEvent{Topic: "contacts.golden", Key: "late", Payload: json.RawMessage(`{}`)})
	})
	if n, err := s.PruneOutbox(ctx, time.Now().Add(-time.Hour), 100); err != nil || n != 0 {
		t.Errorf("prune before the events were published: %d deleted, %v", n, err)
	}
	cut := time.Now().Add(time.Second)
	if n, err := s.PruneOutbox(ctx, cut, 30); err != nil || n != 30 {
		t.Errorf("prune limit 30: %d deleted, %v", n, err)
	}
	if n, err := s.PruneOutbox(ctx, cut, 100); err != nil || n != 22 {
		t.Errorf("prune the rest: %d deleted, want the other 22 published events: %v", n, err)
	}
	if n, err := s.PruneOutbox(ctx, cut, 100); err != nil || n != 0 {
		t.Errorf("prune again: %d deleted, %v", n, err)
	}
	if p := pending(); p != 1 {
		t.Errorf("%d events pending after pruning, want the unpublished one", p)
	}
	var left []warehouse.OutboxEvent
	if _, err := s.ForwardOutbox(ctx, 10, func(evs []warehouse.OutboxEvent) error { left = evs; return nil }); err != nil || len(left) != 1 || left[0].Key != "late" {
		t.Errorf("after pruning, the outbox forwards %+v (%v), want the one unpublished event", left, err)
	}
}

// testOutboxPartialPublish: a publish that wrote some events, gave up one and failed on
// the others (warehouse.PartialPublish) marks the written and the given-up ones
// published, stores a dead letter for the given-up one, leaves the others pending and
// returns its error; a publish that only gave up events returns no error.
func testOutboxPartialPublish(t *testing.T, h Harness) {
	s := h.Open(t)
	ctx := context.Background()
	inTx(t, s, func(ctx context.Context, tx warehouse.Tx) error {
		for i := range 5 {
			if err := tx.AddOutbox(ctx, &warehouse.OutboxEvent{Topic: "contacts.golden", Key: fmt.Sprint(i), Payload: json.RawMessage(fmt.Sprintf(`{"n":%d}`, i))}); err != nil {
				return err
			}
		}
		return nil
	})
	away := errors.New("partition leader away")
	var ids []int64
	n, err := s.ForwardOutbox(ctx, 4, func(evs []warehouse.OutboxEvent) error {
		for _, e := range evs {
			ids = append(ids, e.ID)
		}
		return &warehouse.PartialPublish{Done: []int64{ids[0], ids[2]}, GiveUp: map[int64]string{ids[1]: "too large"}, Err: away}
	})
	if n != 3 || !errors.Is(err, away) {
		t.Fatalf("partial publish: n %d, err %v; want 3 and the publish's error", n, err)
	}
	var left []int64
	if _, err := s.ForwardOutbox(ctx, 10, func(evs []warehouse.OutboxEvent) error {
		for _, e := range evs {
			left = append(left, e.ID)
		}
		return &warehouse.PartialPublish{GiveUp: map[int64]string{evs[0].ID: "too large"}}
	}); err != nil {
		t.Fatalf("a publish that only gave up events: %v", err)
	}
	if len(left) != 2 || left[0] != ids[3] {
		t.Fatalf("pending after the partial publish: %v, want the fourth and fifth events (%v)", left, ids)
	}
	dls, err := s.DeadLetters(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, d := range dls {
		if d.Stage != "outbox" || d.Reason != "too large" {
			t.Errorf("dead letter %+v", d)
		}
		got[d.Position] = d.SourceKey + " " + string(d.Payload)
	}
	want := map[string]string{fmt.Sprintf("outbox:%d", ids[1]): `1 {"n":1}`, fmt.Sprintf("outbox:%d", ids[3]): `3 {"n":3}`}
	if !maps.Equal(got, want) {
		t.Errorf("dead letters %v, want %v", got, want)
	}
	st, err := s.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.OutboxPending != 1 {
		t.Errorf("%d events pending, want 1 (the fifth)", st.OutboxPending)
	}
}

// testOutboxLargeLimit: ForwardOutbox with a limit past the bound-parameter limits
// (SQLite 32766, PostgreSQL 65535) marks every event it published (one parameter per
// event in one statement failed after publish, and every later call published them
// again).
func testOutboxLargeLimit(t *testing.T, h Harness) {
	s := h.Open(t)
	ctx := context.Background()
	const n = 66000
	inTx(t, s, func(ctx context.Context, tx warehouse.Tx) error {
		evs := make([]*warehouse.OutboxEvent, n)
		for i := range evs {
			evs[i] = &warehouse.OutboxEvent{Topic: "contacts.golden", Key: fmt.Sprint(i), Payload: json.RawMessage(`{}`)}
		}
		return tx.AddOutboxes(ctx, evs)
	})
	published := 0
	for i, want := range []int{n, 0} {
		got, err := s.ForwardOutbox(ctx, n, func(evs []warehouse.OutboxEvent) error { published += len(evs); return nil })
		if err != nil || got != want {
			t.Fatalf("call %d: ForwardOutbox(limit %d) = %d, %v, want %d (events handed to publish so far: %d)", i+1, n, got, err, want, published)
		}
	}
	if published != n {
		t.Errorf("%d events handed to publish, want each of the %d once", published, n)
	}
}

func testDeadLetters(t *testing.T, h Harness) {
	// Times come back in UTC, as from every other read, whatever the process's zone
	// (PostgreSQL's driver gave the local zone).
	local := time.Local
	time.Local = time.FixedZone("CET", 3600)
	t.Cleanup(func() { time.Local = local })
	s := h.Open(t)
	ctx := context.Background()
	payload := []byte("{\"broken\": \xff")
	if err := s.AddDeadLetter(ctx, warehouse.DeadLetter{Position: "in.jsonl:3", Stage: "normalize/decode", Reason: "not valid UTF-8", Payload: payload}); err != nil {
		t.Fatal(err)
	}
	// The same line seen again (a re-run) is counted, not stored twice.
	if err := s.AddDeadLetter(ctx, warehouse.DeadLetter{Position: "in.jsonl:3", Stage: "normalize/decode", Reason: "not valid UTF-8", Payload: payload}); err != nil {
		t.Fatal(err)
	}
	dls, err := s.DeadLetters(ctx, 10)
	if err != nil || len(dls) != 1 || dls[0].Seen != 2 {
		t.Fatalf("%+v %v", dls, err)
	}
	if d := dls[0]; d.Position != "in.jsonl:3" || d.Stage != "normalize/decode" || string(d.Payload) != string(payload) || d.At.IsZero() || d.At.Location() != time.UTC {
		t.Errorf("dead letter %+v", d)
	}
	// A Kafka key and position header that are not UTF-8 or hold a NUL (any producer can
	// write them), and a reason quoting them: stored with those bytes written \xHH
	// (PostgreSQL's text refuses them, and a dead letter that cannot be stored is
	// retried forever, holding its partition), the payload as it came.
	odd := warehouse.DeadLetter{Position: "contacts.raw/0@17\xff", Stage: "normalize/decode", Reason: "bad key \x00\xfe", SourceKey: "crm:a\x00b\xff\xfe", Payload: []byte("\x00\xff")}
	if err := s.AddDeadLetter(ctx, odd); err != nil {
		t.Fatalf("a dead letter with text that is not UTF-8: %v", err)
	}
	if dls, err = s.DeadLetters(ctx, 1); err != nil || len(dls) != 1 {
		t.Fatalf("%+v %v", dls, err)
	}
	if d := dls[0]; d.Position != `contacts.raw/0@17\xff` || d.Reason != `bad key \x00\xfe` || d.SourceKey != `crm:a\x00b\xff\xfe` || string(d.Payload) != "\x00\xff" {
		t.Errorf("dead letter stored as %q %q %q %q", d.Position, d.Reason, d.SourceKey, d.Payload)
	}
}

func testRollback(t *testing.T, h Harness) {
	s := h.Open(t)
	ctx := context.Background()
	boom := errors.New("boom")
	err := s.InTx(ctx, func(tx warehouse.Tx) error {
		m := &contact.Master{}
		if err := tx.CreateMaster(ctx, m); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("InTx error = %v", err)
	}
	st, err := s.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Masters != 0 {
		t.Errorf("rolled-back master is visible: %d masters", st.Masters)
	}
}

// testPanicRollsBack: a panic inside InTx rolls the transaction back on its way out, so
// that the next transaction gets a connection (SQLite has one writer connection) and the
// panicking one left nothing behind.
func testPanicRollsBack(t *testing.T, h Harness) {
	s := h.Open(t)
	func() {
		defer func() {
			if p := recover(); p != "boom" {
				t.Fatalf("recovered %v, want the panic to go on", p)
			}
		}()
		_ = s.InTx(context.Background(), func(tx warehouse.Tx) error {
			if err := tx.CreateMaster(context.Background(), &contact.Master{}); err != nil {
				return err
			}
			panic("boom")
		})
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.InTx(ctx, func(tx warehouse.Tx) error { return tx.CreateMaster(ctx, &contact.Master{}) }); err != nil {
		t.Fatalf("the next transaction: %v", err)
	}
	if st, err := s.Stats(ctx); err != nil || st.Masters != 1 {
		t.Errorf("after the panic and one master: %+v %v", st, err)
	}
}

func testStats(t *testing.T, h Harness) {
	s := h.Open(t)
	addRecord(t, s, rec("web", "1", "martin", "a@x.fr"), "k")
	addRecord(t, s, rec("web", "2", "durand", "b@x.fr"), "k2")
	st, err := s.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if st.SourceRecords != 2 || st.Masters != 2 || st.AverageQuality != 40 || st.FieldStatuses["email"]["valid"] != 2 {
		t.Errorf("stats %+v", st)
	}
	// More records than fieldStats hands its decoders at once (256): the counts of
	// several decoders add up.
	for i := range 300 {
		addRecord(t, s, rec("bulk", strconv.Itoa(i), "bulk", fmt.Sprintf("b%d@x.fr", i)), fmt.Sprint("bulk", i))
	}
	if st, err = s.Stats(context.Background()); err != nil {
		t.Fatal(err)
	}
	if st.SourceRecords != 302 || st.FieldStatuses["email"]["valid"] != 302 || st.AverageQuality != 40 {
		t.Errorf("stats over 302 records: %d records, %d valid e-mails, quality %v", st.SourceRecords, st.FieldStatuses["email"]["valid"], st.AverageQuality)
	}
	// A record without a phone (none has one) is a missing phone; every one has an
	// e-mail (they counted nothing, and the phone row was absent).
	if st.FieldStatuses["phone"]["missing"] != 302 || st.FieldStatuses["email"]["missing"] != 0 {
		t.Errorf("stats over 302 records: phones %v, e-mails %v; want 302 missing phones, no missing e-mail", st.FieldStatuses["phone"], st.FieldStatuses["email"])
	}
	// LiveSourceRecords is Stats's count alone: a withdrawn record is not counted.
	if n, err := s.LiveSourceRecords(context.Background()); err != nil || n != 302 {
		t.Errorf("LiveSourceRecords = %d, %v; want 302", n, err)
	}
	inTx(t, s, func(ctx context.Context, tx warehouse.Tx) error { return withdraw(ctx, tx, "web", "2") })
	if n, err := s.LiveSourceRecords(context.Background()); err != nil || n != 301 {
		t.Errorf("LiveSourceRecords after a withdrawal = %d, %v; want 301", n, err)
	}
}

// testCompanyCandidates pins the order of Registry.CompanyCandidates: exact name keys (by
// SIRET), then the other keys of the same first token (by key, SIRET), then the
// companies at the postcode (by SIRET), each part at most limit. AnyCompany says no
// before the import and yes after it.
func testCompanyCandidates(t *testing.T, h Harness) {
	reg, ok := h.Open(t).(warehouse.Registry)
	if !ok {
		t.Fatal("the store is not a warehouse.Registry")
	}
	ctx := context.Background()
	if some, err := reg.AnyCompany(ctx); err != nil || some {
		t.Fatalf("AnyCompany on an empty registry: %v, %v", some, err)
	}
	co := func(siret, nameKey, postcode string) warehouse.Company {
		return warehouse.Company{Key: siret, SIREN: siret[:9], Name: nameKey, NameKey: nameKey, Postcode: postcode, Country: "FR"}
	}
	err := reg.UpsertCompanies(ctx, []warehouse.Company{
		co("20000000000002", "acme industrie", "75001"),
		co("10000000000001", "acme industrie", "69001"),
		co("30000000000003", "acme zeta", "13001"),
		co("40000000000004", "acme batiment", "13001"),
		co("50000000000005", "zenith", "75001"),
		co("60000000000006", "zenith", "69002"),
		co("70000000000007", "acmeco", "75002"),
	}, warehouse.ImportCheckpoint{File: "storetest", Format: "csv"})
	if err != nil {
		t.Fatal(err)
	}
	if some, err := reg.AnyCompany(ctx); err != nil || !some {
		t.Fatalf("AnyCompany after an import: %v, %v", some, err)
	}
	keys := func(nameKey, postcode string, limit int) []string {
		t.Helper()
		cs, err := reg.CompanyCandidates(ctx, nameKey, postcode, limit)
		if err != nil {
			t.Fatal(err)
		}
		out := []string{}
		for _, c := range cs {
			out = append(out, c.Key[:1])
		}
		return out
	}
	for _, c := range []struct {
		nameKey, postcode string
		limit             int
		want              []string
	}{
		// exact 1, 2; same first token by key: batiment 4, zeta 3; at 75001: 2, 5.
		{"acme industrie", "75001", 10, []string{"1", "2", "4", "3", "2", "5"}},
		{"acme industrie", "75001", 1, []string{"1", "4", "2"}},
		{"acme industrie", "", 10, []string{"1", "2", "4", "3"}},
		{"", "75001", 10, []string{"2", "5"}},
		{"acme", "", 10, []string{"4", "1", "2", "3"}}, // no exact key: "acme batiment" < "acme industrie" (by SIRET) < "acme zeta"
		{"", "", 10, []string{}},
		{"nobody", "99999", 10, []string{}},
	} {
		if got := keys(c.nameKey, c.postcode, c.limit); !slices.Equal(got, c.want) {
			t.Errorf("CompanyCandidates(%q, %q, %d) = %v, want %v", c.nameKey, c.postcode, c.limit, got, c.want)
		}
	}
}

// testCompanyBySIRET: an entry keyed otherwise than by its SIRET (a mapped CSV's own key)
// keeps its key and its SIRET: found by the SIRET (the entry keyed by the SIRET first,
// then the others by key), read back with it by key and by SIREN, with or without the
// secondary indexes; written again without a SIRET, it has none.
func testCompanyBySIRET(t *testing.T, h Harness) {
	reg, ok := h.Open(t).(warehouse.Registry)
	if !ok {
		t.Fatal("the store is not a warehouse.Registry")
	}
	ctx := context.Background()
	cp := warehouse.ImportCheckpoint{File: "storetest", Format: "csv"}
	co := func(key, siret, siren string) warehouse.Company {
		return warehouse.Company{Key: key, SIRET: siret, SIREN: siren, Name: key, NameKey: strings.ToLower(key), Country: "FR"}
	}
	err := reg.UpsertCompanies(ctx, []warehouse.Company{
		co("73282932000074", "73282932000074", "732829320"), // SIRENE
		co("C043", "73282932000074", "732829320"),           // the same establishment in the ERP
		co("C042", "55210055400013", "552100554"),
		co("C041", "55210055400013", "552100554"), // a duplicate customer
		co("C044", "", "404833048"),
	}, cp)
	if err != nil {
		t.Fatal(err)
	}
	// show is a lookup's answer as "key SIRET SIREN", "-" when nothing is found.
	show := func(c warehouse.Company, ok bool, err error) string {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			return "-"
		}
		return c.Key + " " + c.SIRET + " " + c.SIREN
	}
	bySIRET := func(siret string) string { return show(reg.CompanyBySIRET(ctx, siret)) }
	byKey := func(key string) string { return show(reg.CompanyByKey(ctx, key)) }
	check := func(when string) {
		t.Helper()
		for _, c := range []struct{ got, want string }{
			{bySIRET("73282932000074"), "73282932000074 73282932000074 732829320"},
			{bySIRET("55210055400013"), "C041 55210055400013 552100554"},
			{bySIRET("40483304800022"), "-"},
			{bySIRET("C042"), "-"},
			{bySIRET(""), "-"},
			{byKey("C043"), "C043 73282932000074 732829320"},
			{byKey("C044"), "C044  404833048"},
			{byKey("73282932000074"), "73282932000074 73282932000074 732829320"},
			{byKey("55210055400013"), "-"},
		} {
			if c.got != c.want {
				t.Errorf("%s: %q, want %q", when, c.got, c.want)
			}
		}
		es, err := reg.CompaniesBySIREN(ctx, "552100554")
		if err != nil || len(es) != 2 || es[0].SIRET != "55210055400013" || es[1].SIRET != "55210055400013" {
			t.Errorf("%s: by siren: %+v %v, want C041 and C042 with their SIRET", when, es, err)
		}
	}
	check("indexed")
	if err := reg.DropCompanyIndexes(ctx); err != nil {
		t.Fatal(err)
	}
	check("without the secondary indexes")
	if err := reg.EnsureCompanyIndexes(ctx); err != nil {
		t.Fatal(err)
	}
	if err := reg.UpsertCompanies(ctx, []warehouse.Company{co("C041", "", "552100554")}, cp); err != nil {
		t.Fatal(err)
	}
	if got := bySIRET("55210055400013"); got != "C042 55210055400013 552100554" {
		t.Errorf("C041 written again without its SIRET: by siret %q, want C042", got)
	}
	if got := byKey("C041"); got != "C041  552100554" {
		t.Errorf("C041 written again without its SIRET: %q", got)
	}
}
