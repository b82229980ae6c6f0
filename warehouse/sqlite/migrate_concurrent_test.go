package sqlite

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/steward-crm/steward/warehouse/sqlstore"
)

// TestConcurrentOpenMigrates: two processes opening one SQLite file at once (a
// consumer and `steward migrate`, two consumers after an upgrade) both read the schema
// version before either applies a migration; the second then applies migration 1 again
// on top of the first's ("table masters already exists") and its Open fails.
// PostgreSQL's Open serializes migrations with an advisory lock; SQLite's does not.
func TestConcurrentOpenMigrates(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "w.db")
	db0, err := open(path, []string{"journal_mode(WAL)", "busy_timeout(10000)"})
	if err != nil {
		t.Fatal(err)
	}
	defer db0.Close()
	// An empty warehouse file: schema_migrations only (version 0).
	if err := sqlstore.New(db0, Dialect).MigrateTo(ctx, 0); err != nil {
		t.Fatal(err)
	}
	// Someone else writes the file for a moment (another process's transaction), so
	// that both Opens below read the version before either migrates.
	conn, err := db0.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	hold, err := conn.BeginTx(ctx, nil) // _txlock=immediate: the write lock
	if err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 2)
	for range 2 {
		go func() {
			s, err := Open(ctx, path)
			if err == nil {
				s.Close()
			}
			errs <- err
		}()
	}
	time.Sleep(500 * time.Millisecond)
	hold.Rollback()
	conn.Close()
	for range 2 {
		if err := <-errs; err != nil {
			t.Errorf("Open while another process opens the same file: %v", err)
		}
	}
}

// TestNewWarehouseOwnerOnly: a new warehouse file and its log are readable by their
// owner only (they hold personal data; SQLite created them 0644 under the usual umask).
func TestNewWarehouseOwnerOnly(t *testing.T) {
	path := filepath.Join(t.TempDir(), "w.db")
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm()&0o077 != 0 {
			t.Errorf("%s: mode %v, want no access for group and others", filepath.Base(p), fi.Mode().Perm())
		}
	}
}
