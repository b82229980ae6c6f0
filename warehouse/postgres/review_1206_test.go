package postgres

import (
	"context"
	"fmt"
	neturl "net/url"
	"testing"
	"time"

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

// TestReadOnlyRoleReads: a role that may only read the warehouse (SELECT on its tables,
// an analyst's) opens an up-to-date warehouse and reads it (stats, review, export):
// every start migrated, and the migration's CREATE TABLE IF NOT EXISTS needed the right
// to create in the schema ("permission denied for schema public").
func TestReadOnlyRoleReads(t *testing.T) {
	u := pgtest.URL(t)
	s := open(t, u)
	ctx := context.Background()
	if err := s.InTx(ctx, func(tx warehouse.Tx) error {
		return tx.AppendEvent(ctx, &warehouse.Event{Kind: warehouse.EventNewMaster, MasterID: 1, SourceKey: "crm:1"})
	}); err != nil {
		t.Fatal(err)
	}
	role := fmt.Sprintf("steward_reader_%d", time.Now().UnixNano())
	for _, q := range []string{
		`CREATE ROLE ` + role + ` LOGIN PASSWORD 'reader-pw'`,
		`GRANT SELECT ON ALL TABLES IN SCHEMA public TO ` + role,
		`REVOKE CREATE ON SCHEMA public FROM PUBLIC`,
	} {
		if _, err := s.DB().Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	t.Cleanup(func() {
		s.DB().Exec(`DROP OWNED BY ` + role)
		s.DB().Exec(`DROP ROLE ` + role)
	})
	ro, err := neturl.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	ro.User = neturl.UserPassword(role, "reader-pw")
	r := open(t, ro.String())
	if st, err := r.Stats(ctx); err != nil || st.Events[warehouse.EventNewMaster] != 1 {
		t.Errorf("stats as a reader: %+v, %v", st.Events, err)
	}
}
