package storetest

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/steward-crm/steward/warehouse"
)

// The contract cases of this file come from a review of the warehouse (2026-12-06);
// each failed on one store or both before its fix. Run runs them.

// testWithdrawnNotCandidate: a record withdrawn with PutSourceRecord (its keys left in
// place) is no live record holding its keys: Candidates lists, per key, "the active
// masters with a live record holding it", so its master is not listed, and it does not
// count towards a key's cap.
func testWithdrawnNotCandidate(t *testing.T, h Harness) {
	s := h.Open(t)
	_, m1 := addRecord(t, s, rec("web", "1", "martin", "a@x.fr"), "name:martin", "email:a@x.fr")
	_, m2 := addRecord(t, s, rec("web", "2", "martin", "b@x.fr"), "name:martin")
	_, m3 := addRecord(t, s, rec("web", "3", "martin", "c@x.fr"), "name:martin")
	inTx(t, s, func(ctx context.Context, tx warehouse.Tx) error { return withdraw(ctx, tx, "web", "1") })
	inTx(t, s, func(ctx context.Context, tx warehouse.Tx) error {
		set, err := tx.Candidates(ctx, warehouse.CandidateQuery{Keys: []string{"email:a@x.fr", "name:martin"}, MaxMasters: 2, FeaturesVersion: "f1|"})
		if err != nil {
			return err
		}
		if ms, ok := set.Masters["email:a@x.fr"]; ok {
			t.Errorf("the withdrawn record's key finds masters %v (rows %v), want none", ms, set.Rows)
		}
		if len(set.Skipped) != 0 || !slices.Equal(set.Masters["name:martin"], []int64{m2, m3}) {
			t.Errorf("name:martin: masters %v, skipped %v; want [%d %d] (master %d has no live record), not skipped", set.Masters["name:martin"], set.Skipped, m2, m3, m1)
		}
		return nil
	})
}

// testUnlinkedNotCandidate: a record stored without a master (MasterID 0) is no
// master's live record: its keys find nothing.
func testUnlinkedNotCandidate(t *testing.T, h Harness) {
	s := h.Open(t)
	addRecord(t, s, rec("web", "1", "martin", "a@x.fr"), "email:a@x.fr")
	inTx(t, s, func(ctx context.Context, tx warehouse.Tx) error {
		row, err := tx.SourceRecord(ctx, "web", "1")
		if err != nil {
			return err
		}
		row.MasterID = 0
		return tx.PutSourceRecord(ctx, row)
	})
	inTx(t, s, func(ctx context.Context, tx warehouse.Tx) error {
		set, err := tx.Candidates(ctx, warehouse.CandidateQuery{Keys: []string{"email:a@x.fr"}, MaxMasters: 2, FeaturesVersion: "f1|"})
		if err != nil {
			return err
		}
		if len(set.Masters) != 0 {
			t.Errorf("the unlinked record's key finds masters %v (rows %v), want none", set.Masters, set.Rows)
		}
		return nil
	})
}

// testStatsMultiMasters: masters with several records count live records only.
func testStatsMultiMasters(t *testing.T, h Harness) {
	s := h.Open(t)
	_, m := addRecord(t, s, rec("web", "1", "martin", "a@x.fr"), "email:a@x.fr")
	inTx(t, s, func(ctx context.Context, tx warehouse.Tx) error {
		r := rec("web", "2", "martin", "a@x.fr")
		return tx.PutSourceRecord(ctx, &warehouse.SourceRow{Source: "web", SourceID: "2", Hash: "h", Record: r, MasterID: m})
	})
	st, err := s.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if st.MultiMasters != 1 || st.Masters != 1 || st.SourceRecords != 2 {
		t.Errorf("stats %+v, want one master with two records", st)
	}
	inTx(t, s, func(ctx context.Context, tx warehouse.Tx) error { return withdraw(ctx, tx, "web", "2") })
	if st, err = s.Stats(context.Background()); err != nil {
		t.Fatal(err)
	}
	if st.MultiMasters != 0 || st.Deleted != 1 || st.SourceRecords != 1 {
		t.Errorf("after a withdrawal: stats %+v, want no master with several records", st)
	}
	// Two live records without a master are no master with several records.
	inTx(t, s, func(ctx context.Context, tx warehouse.Tx) error {
		for _, id := range []string{"3", "4"} {
			r := rec("web", id, "durand", "d@x.fr")
			if err := tx.PutSourceRecord(ctx, &warehouse.SourceRow{Source: "web", SourceID: id, Hash: "h", Record: r}); err != nil {
				return err
			}
		}
		return nil
	})
	if st, err = s.Stats(context.Background()); err != nil {
		t.Fatal(err)
	}
	if st.MultiMasters != 0 || st.SourceRecords != 3 {
		t.Errorf("with two records without a master: %d masters with several records (%d records), want 0", st.MultiMasters, st.SourceRecords)
	}
}

// testWithdrawnBatchComesBack: a record withdrawn by PutSourceRecords (given its id)
// leaves the candidates of its keys, and when it comes back live (PutSourceRecord of a
// newer version) its master is found by the keys it kept, on every store.
func testWithdrawnBatchComesBack(t *testing.T, h Harness) {
	s := h.Open(t)
	_, m := addRecord(t, s, rec("web", "1", "martin", "a@x.fr"), "email:a@x.fr")
	masters := func() []int64 {
		t.Helper()
		var out []int64
		inTx(t, s, func(ctx context.Context, tx warehouse.Tx) error {
			set, err := tx.Candidates(ctx, warehouse.CandidateQuery{Keys: []string{"email:a@x.fr"}, MaxMasters: 5})
			out = set.Masters["email:a@x.fr"]
			return err
		})
		return out
	}
	inTx(t, s, func(ctx context.Context, tx warehouse.Tx) error {
		row, err := tx.SourceRecord(ctx, "web", "1")
		if err != nil {
			return err
		}
		row.Deleted = true
		return tx.PutSourceRecords(ctx, []*warehouse.SourceRow{row})
	})
	if got := masters(); len(got) != 0 {
		t.Errorf("withdrawn in a batch: its key finds %v, want none", got)
	}
	inTx(t, s, func(ctx context.Context, tx warehouse.Tx) error {
		row, err := tx.SourceRecord(ctx, "web", "1")
		if err != nil {
			return err
		}
		row.Deleted = false
		return tx.PutSourceRecord(ctx, row)
	})
	if got := masters(); !slices.Equal(got, []int64{m}) {
		t.Errorf("back live: its key finds %v, want [%d]", got, m)
	}
}

// testOutboxTimesUTC: the events ForwardOutbox hands to publish carry their creation time
// in UTC, as every other read returns times, whatever the process's zone.
func testOutboxTimesUTC(t *testing.T, h Harness) {
	local := time.Local
	time.Local = time.FixedZone("CET", 3600)
	t.Cleanup(func() { time.Local = local })
	s := h.Open(t)
	created := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	inTx(t, s, func(ctx context.Context, tx warehouse.Tx) error {
		return tx.AddOutbox(ctx, &warehouse.OutboxEvent{CreatedAt: created, Topic: "contacts.golden", Key: "1", Payload: json.RawMessage(`{}`)})
	})
	var got []warehouse.OutboxEvent
	if _, err := s.ForwardOutbox(context.Background(), 10, func(evs []warehouse.OutboxEvent) error { got = evs; return nil }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || !got[0].CreatedAt.Equal(created) || got[0].CreatedAt.Location() != time.UTC {
		t.Errorf("forwarded %+v, want one event created at %v in UTC", got, created)
	}
}
