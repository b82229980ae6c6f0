// Package storetest is the contract suite of warehouse.Store: every implementation
// (SQLite, PostgreSQL) runs the same cases with Run.
package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
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
		{"CandidatesAndCap", testCandidates},
		{"MasterVersions", testMasters},
		{"ReviewItemsDeduplicated", testReviewItems},
		{"AuditLogAppendOnly", testEvents},
		{"Outbox", testOutbox},
		{"DeadLetters", testDeadLetters},
		{"RollbackOnError", testRollback},
		{"Stats", testStats},
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

func testCandidates(t *testing.T, h Harness) {
	s := h.Open(t)
	r1, m1 := addRecord(t, s, rec("web", "1", "martin", "a@x.fr"), "email:a@x.fr", "name:martin")
	_, m2 := addRecord(t, s, rec("web", "2", "martin", "b@x.fr"), "email:b@x.fr", "name:martin")
	_, m3 := addRecord(t, s, rec("web", "3", "martin", "c@x.fr"), "email:c@x.fr", "name:martin")
	inTx(t, s, func(ctx context.Context, tx warehouse.Tx) error {
		cands, skipped, err := tx.Candidates(ctx, []string{"email:a@x.fr", "email:b@x.fr", "name:martin"}, 2, 0)
		if err != nil {
			return err
		}
		if !slices.Equal(skipped, []string{"name:martin"}) {
			t.Errorf("skipped = %v, want the key shared by 3 masters", skipped)
		}
		var masters []int64
		for _, c := range cands {
			masters = append(masters, c.MasterID)
		}
		if !slices.Equal(masters, []int64{m1, m2}) {
			t.Errorf("candidate masters = %v, want %v", masters, []int64{m1, m2})
		}
		cands, _, err = tx.Candidates(ctx, []string{"name:martin"}, 10, r1)
		if err != nil {
			return err
		}
		if len(cands) != 2 || cands[0].MasterID != m2 || cands[1].MasterID != m3 {
			t.Errorf("excluding the record itself: %+v", cands)
		}
		// ReplaceBlockKeys drops the keys a row had: record 1 leaves the name block.
		if err := tx.ReplaceBlockKeys(ctx, r1, []string{"email:a@x.fr"}); err != nil {
			return err
		}
		cands, _, err = tx.Candidates(ctx, []string{"name:martin"}, 10, 0)
		if err != nil {
			return err
		}
		if len(cands) != 2 || cands[0].MasterID != m2 {
			t.Errorf("after replacing record 1's keys: %+v", cands)
		}
		none, _, err := tx.Candidates(ctx, []string{"email:nobody"}, 10, 0)
		if err != nil || len(none) != 0 {
			t.Errorf("unknown key: %v %v", none, err)
		}
		return nil
	})
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
}

func testDeadLetters(t *testing.T, h Harness) {
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
	if d := dls[0]; d.Position != "in.jsonl:3" || d.Stage != "normalize/decode" || string(d.Payload) != string(payload) || d.At.IsZero() {
		t.Errorf("dead letter %+v", d)
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
}
