package postgres

import (
	"context"
	"testing"

	"github.com/steward-crm/steward/internal/pgtest"
	"github.com/steward-crm/steward/warehouse"
)

// TestReview1206AuditUpsertRefused: an INSERT ... ON CONFLICT DO UPDATE of an event
// (PostgreSQL's way to overwrite a row by inserting) is refused like an UPDATE.
func TestReview1206AuditUpsertRefused(t *testing.T) {
	s := open(t, pgtest.URL(t))
	ctx := context.Background()
	if err := s.InTx(ctx, func(tx warehouse.Tx) error {
		return tx.AppendEvent(ctx, &warehouse.Event{Kind: warehouse.EventNewMaster, MasterID: 1, SourceKey: "crm:1"})
	}); err != nil {
		t.Fatal(err)
	}
	_, err := s.DB().Exec(`INSERT INTO merge_events (id, at, kind, master_id, actor) VALUES (1, now(), 'forged', 1, 'x')
ON CONFLICT (id) DO UPDATE SET kind = excluded.kind`)
	evs, _ := s.Events(ctx, 0)
	if err == nil || len(evs) != 1 || evs[0].Kind != warehouse.EventNewMaster {
		t.Errorf("upsert of an event: err %v, events now %+v", err, evs)
	}
}
