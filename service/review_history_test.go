package service

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/steward-crm/steward/warehouse"
)

// TestReplayAfterWithdrawalStaysWithdrawn: a record withdrawn by a newer delete
// must not come back when an older version of it is delivered again (the first file
// ingested a second time).
func TestReplayAfterWithdrawalStaysWithdrawn(t *testing.T) {
	s := open(t)
	v1 := `{"source":"erp","source_id":"42","updated_at":"2026-01-01T00:00:00Z","given_name":"Élodie","family_name":"Martin","emails":["e.martin@example.fr"]}`
	del := `{"source":"erp","source_id":"42","updated_at":"2026-03-01T00:00:00Z","op":"delete"}`
	a := writeFile(t, "a.jsonl", v1+"\n")
	ingest(t, s, a)
	if sum := ingest(t, s, writeFile(t, "b.jsonl", del+"\n")); sum.Withdrawn != 1 {
		t.Fatalf("delete: %+v", sum)
	}
	sum := ingest(t, s, a) // the older version again
	if sum.Stale != 1 || sum.MastersCreated != 0 || sum.Linked != 0 {
		t.Errorf("replaying the version older than the withdrawal: %+v, want it stale", sum)
	}
	st, _ := s.Store.Stats(context.Background())
	if st.SourceRecords != 0 || st.Masters != 0 {
		t.Errorf("withdrawn record came back: %d live records, %d masters", st.SourceRecords, st.Masters)
	}
}

// TestSameFileWithDeleteTwice: a file holding a record and then its withdrawal,
// ingested twice: the second run changes nothing (README: "Ingesting the same file twice
// changes nothing"), it creates no master and appends no audit event.
func TestSameFileWithDeleteTwice(t *testing.T) {
	s := open(t)
	v1 := `{"source":"erp","source_id":"42","updated_at":"2026-01-01T00:00:00Z","given_name":"Élodie","family_name":"Martin","emails":["e.martin@example.fr"]}`
	del := `{"source":"erp","source_id":"42","updated_at":"2026-03-01T00:00:00Z","op":"delete"}`
	f := writeFile(t, "a.jsonl", v1+"\n"+del+"\n")
	ingest(t, s, f)
	evs, _ := s.Store.Events(context.Background(), 0)
	sum := ingest(t, s, f)
	if sum.MastersCreated != 0 || sum.Withdrawn != 0 || sum.Linked != 0 {
		t.Errorf("second run of the same file: %+v", sum)
	}
	evs2, _ := s.Store.Events(context.Background(), 0)
	if len(evs2) != len(evs) {
		t.Errorf("second run of the same file appended %d audit events", len(evs2)-len(evs))
	}
}

// TestWithdrawnRecordLeavesReviewQueue: once a record is withdrawn (op delete),
// `steward review` must not keep asking a steward whether it belongs to another master:
// its open pair/merge items are closed, as its company items are.
func TestWithdrawnRecordLeavesReviewQueue(t *testing.T) {
	s, it := withOpenPair(t)
	ctx := context.Background()
	src, id, _ := strings.Cut(it.SourceKey, ":")
	del := fmt.Sprintf(`{"source":%q,"source_id":%q,"op":"delete"}`, src, id)
	if sum := ingest(t, s, writeFile(t, "del.jsonl", del+"\n")); sum.Withdrawn != 1 {
		t.Fatalf("delete: %+v", sum)
	}
	open, _ := s.Store.ReviewItems(ctx, "open", "", 10000)
	for _, o := range open {
		if o.SourceKey == it.SourceKey {
			t.Errorf("withdrawn record %s still has open review item %d (%s, master %d vs candidate %d)", o.SourceKey, o.ID, o.Kind, o.MasterID, o.CandidateID)
		}
	}
}

// TestRetiredCandidateLeavesReviewQueue: when every record of a review item's
// candidate master is withdrawn, the master is retired; the queue must not keep asking
// whether a record belongs to it.
func TestRetiredCandidateLeavesReviewQueue(t *testing.T) {
	s, it := withOpenPair(t)
	ctx := context.Background()
	var b strings.Builder
	err := s.Store.InTx(ctx, func(tx warehouse.Tx) error {
		rows, err := tx.Members(ctx, it.CandidateID)
		for _, r := range rows {
			fmt.Fprintf(&b, `{"source":%q,"source_id":%q,"op":"delete"}`+"\n", r.Source, r.SourceID)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	ingest(t, s, writeFile(t, "del.jsonl", b.String()))
	st, _ := s.Store.Stats(ctx)
	open, _ := s.Store.ReviewItems(ctx, "open", "", 10000)
	for _, o := range open {
		if o.CandidateID == it.CandidateID || o.MasterID == it.CandidateID {
			t.Errorf("review item %d (%s) is still open on retired master %d (stats: %d masters, %d open items)", o.ID, o.SourceKey, it.CandidateID, st.Masters, st.ReviewOpen)
		}
	}
}

// TestCSVDeadLetterKeepsRow: a CSV row that cannot be mapped is dead-lettered as
// the row itself, so that it can be fixed and ingested again; joining its parsed fields
// with the separator loses the quoting of a field holding the separator.
func TestCSVDeadLetterKeepsRow(t *testing.T) {
	row := `7,Jean,Dupont,"12, rue de la Paix",yesterday`
	path := writeFile(t, "crm.csv", "source_id,given_name,family_name,street,updated_at\n"+row+"\n")
	s := open(t)
	sum := ingest(t, s, path)
	if sum.DeadLettered != 1 {
		t.Fatalf("summary %+v", sum)
	}
	dls, _ := s.Store.DeadLetters(context.Background(), 10)
	if len(dls) != 1 || string(dls[0].Payload) != row {
		t.Errorf("dead letter payload %q, want the row as read %q", dls[0].Payload, row)
	}
}

// withOpenPair is a warehouse of the sample contacts and its first open pair item.
func withOpenPair(t *testing.T) (*Service, warehouse.ReviewItem) {
	t.Helper()
	s := open(t)
	ingest(t, s, "../testdata/contacts.jsonl")
	items, err := s.Store.ReviewItems(context.Background(), "open", "pair", 1)
	if err != nil || len(items) == 0 {
		t.Fatalf("no open pair item to test with (%v)", err)
	}
	return s, items[0]
}
