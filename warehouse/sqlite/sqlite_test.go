package sqlite

import (
	"context"
	"database/sql"
	"path/filepath"
	"slices"
	"testing"

	"github.com/steward-crm/steward/warehouse"
	"github.com/steward-crm/steward/warehouse/sqlstore"
	"github.com/steward-crm/steward/warehouse/storetest"
)

func TestContract(t *testing.T) {
	storetest.Run(t, storetest.Harness{
		Open: func(t *testing.T) warehouse.Store {
			s, err := Open(context.Background(), filepath.Join(t.TempDir(), "w.db"))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		},
		Exec: func(s warehouse.Store, q string) error {
			_, err := s.(*sqlstore.Store).DB().Exec(q)
			return err
		},
	})
}

func TestMigrateTwice(t *testing.T) {
	path := filepath.Join(t.TempDir(), "w.db")
	for i := 0; i < 2; i++ {
		s, err := Open(context.Background(), path)
		if err != nil {
			t.Fatalf("open %d: %v", i, err)
		}
		s.Close()
	}
}

// TestUpgradeKeepsBlockingIndex fills a warehouse at schema 4 (block keys without their
// master), upgrades it, and finds the same candidates: migration 5 copies every key with
// its record's master.
func TestUpgradeKeepsBlockingIndex(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "w.db")
	db, err := sql.Open("sqlite", "file:"+path+"?_time_format=sqlite")
	if err != nil {
		t.Fatal(err)
	}
	old := sqlstore.New(db, Dialect)
	if err := old.MigrateTo(ctx, 4); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO masters (id, golden, created_at, updated_at) VALUES (1, '{}', '2026-01-01', '2026-01-01'), (2, '{}', '2026-01-01', '2026-01-01')`,
		`INSERT INTO source_records (id, source, source_id, hash, record, master_id, created_at, modified_at) VALUES
			(10, 'web', '1', 'h', '{"source":"web","source_id":"1"}', 1, '2026-01-01', '2026-01-01'),
			(11, 'web', '2', 'h', '{"source":"web","source_id":"2"}', 2, '2026-01-01', '2026-01-01')`,
		`INSERT INTO block_keys (key, source_row_id) VALUES ('name:martin', 10), ('name:martin', 11), ('email:a@x.fr', 10)`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	db.Close()
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	err = s.InTx(ctx, func(tx warehouse.Tx) error {
		set, err := tx.Candidates(ctx, []string{"name:martin", "email:a@x.fr"}, 10, "")
		if err != nil {
			return err
		}
		if !slices.Equal(set.Masters["name:martin"], []int64{1, 2}) || !slices.Equal(set.Masters["email:a@x.fr"], []int64{1}) || len(set.Rows[1]) != 1 || set.Rows[1][0].ID != 10 {
			t.Errorf("after the upgrade: %v %+v", set.Masters, set.Rows)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
