package postgres

import (
	"context"
	"errors"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/steward-crm/steward/contact"
	"github.com/steward-crm/steward/internal/pgtest"
	"github.com/steward-crm/steward/warehouse"
)

// TestMastersByIDLocksInIDOrder: MastersByID locks its masters one by one in id order,
// whatever the order asked in and the rows' places in the table (the resolver takes each
// step's masters with it so that transactions lock masters in one order): FOR UPDATE
// locks the rows as ORDER BY id hands them over (the plan: LockRows over a Sort over a
// bitmap heap scan, which meets the rows in table order). While it waits for the second
// master it holds the first and not yet the third.
func TestMastersByIDLocksInIDOrder(t *testing.T) {
	s := open(t, pgtest.URL(t))
	ctx := context.Background()
	var ids [3]int64
	if err := s.InTx(ctx, func(tx warehouse.Tx) error {
		for i := range ids {
			m := &contact.Master{Status: contact.MasterActive}
			if err := tx.CreateMaster(ctx, m); err != nil {
				return err
			}
			ids[i] = m.ID
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	// The first master's row is rewritten: its new version lies after the others in the
	// table, where a sequential scan meets it last.
	if err := s.InTx(ctx, func(tx warehouse.Tx) error {
		m, err := tx.Master(ctx, ids[0])
		if err != nil {
			return err
		}
		m.Quality = 7
		return tx.UpdateMaster(ctx, m)
	}); err != nil {
		t.Fatal(err)
	}
	holder, err := s.DB().BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Rollback()
	if _, err := holder.ExecContext(ctx, `SELECT id FROM masters WHERE id = $1 FOR UPDATE`, ids[1]); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		done <- s.InTx(ctx, func(tx warehouse.Tx) error {
			_, err := tx.MastersByID(ctx, []int64{ids[2], ids[0], ids[1]})
			return err
		})
	}()
	waitFor(t, "MastersByID to wait for the held master", func() (bool, error) {
		var n int
		err := s.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM pg_stat_activity
WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%FROM masters WHERE id = ANY%'`).Scan(&n)
		return n == 1, err
	})
	// lockable reports whether the master can be locked at once by a third transaction.
	lockable := func(id int64) bool {
		t.Helper()
		tx, err := s.DB().BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		_, err = tx.ExecContext(ctx, `SELECT id FROM masters WHERE id = $1 FOR UPDATE NOWAIT`, id)
		var pe *pgconn.PgError
		if errors.As(err, &pe) && pe.Code == "55P03" { // lock_not_available
			return false
		}
		if err != nil {
			t.Fatal(err)
		}
		return true
	}
	if lockable(ids[0]) || !lockable(ids[2]) {
		t.Errorf("while MastersByID waits for master %d: master %d lockable %v (want false: taken first), master %d lockable %v (want true: not yet taken)",
			ids[1], ids[0], lockable(ids[0]), ids[2], lockable(ids[2]))
	}
	holder.Rollback()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
