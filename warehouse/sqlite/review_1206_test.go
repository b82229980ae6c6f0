package sqlite

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/steward-crm/steward/contact"
	"github.com/steward-crm/steward/warehouse"
)

// TestReview1206NULKeyAfterRestart: a blocking key holding a NUL byte (valid UTF-8, accepted by
// AddRowBlockKeys) is found the same before and after the index is read again from
// row_keys (a restart).
func TestReview1206NULKeyAfterRestart(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "w.db")
	a, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	keys := []string{"email:a\x00b@x.fr", "name:zoé"}
	err = a.InTx(ctx, func(tx warehouse.Tx) error {
		m := &contact.Master{}
		if err := tx.CreateMaster(ctx, m); err != nil {
			return err
		}
		r := &contact.Record{Source: "crm", SourceID: "1", FamilyName: "x"}
		row := &warehouse.SourceRow{Source: "crm", SourceID: "1", Hash: "h", Record: r, MasterID: m.ID}
		if err := tx.PutSourceRecord(ctx, row); err != nil {
			return err
		}
		return tx.AddBlockKeys(ctx, row.ID, keys)
	})
	if err != nil {
		t.Fatal(err)
	}
	warm := candidatesOf(t, a, keys)
	b, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if cold := candidatesOf(t, b, keys); cold != warm {
		t.Errorf("warm index finds\n%s\nthe file holds\n%s", warm, cold)
	}
}

// TestReview1206AuditReplaceRefused: the audit log refuses INSERT OR REPLACE of an event.
func TestReview1206AuditReplaceRefused(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "w.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.InTx(ctx, func(tx warehouse.Tx) error {
		return tx.AppendEvent(ctx, &warehouse.Event{Kind: warehouse.EventNewMaster, MasterID: 1, SourceKey: "crm:1"})
	}); err != nil {
		t.Fatal(err)
	}
	_, err = s.DB().Exec(`INSERT OR REPLACE INTO merge_events (id, at, kind, master_id, actor) VALUES (1, '2026-01-01 00:00:00+00:00', 'forged', 1, 'x')`)
	evs, _ := s.Events(ctx, 0)
	if err == nil || len(evs) != 1 || evs[0].Kind != warehouse.EventNewMaster {
		t.Errorf("INSERT OR REPLACE: err %v, events now %+v", err, evs)
	}
}

// TestReview1206PathWithURICharacters: Open writes the warehouse to the path it is given,
// also when the path holds a character that a URI reads otherwise ('#', '?', '%'), with
// its settings (WAL journal).
func TestReview1206PathWithURICharacters(t *testing.T) {
	for _, name := range []string{"w#1.db", "w?x.db", "w%41.db", "w é.db"} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			dir := t.TempDir()
			path := filepath.Join(dir, name)
			s, err := Open(ctx, path)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			var mode string
			if err := s.DB().QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil {
				t.Fatal(err)
			}
			var file string
			if err := s.DB().QueryRow(`SELECT file FROM pragma_database_list WHERE name = 'main'`).Scan(&file); err != nil {
				t.Fatal(err)
			}
			if file != path || mode != "wal" {
				t.Errorf("Open(%q) writes %q in journal mode %q, want %q in wal", path, file, mode, path)
			}
		})
	}
}
