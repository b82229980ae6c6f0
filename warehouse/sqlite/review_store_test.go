package sqlite

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/steward-crm/steward/warehouse"
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

// TestForwardOutboxLargeLimit: ForwardOutbox marks what it published with one
// "id IN (?, ?, ...)" of one parameter per event: past SQLite's 32766 bound variables
// the mark fails after publish succeeded, the transaction rolls back and every later
// call publishes the same events again.
func TestForwardOutboxLargeLimit(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "w.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	const n = 33000
	err = s.InTx(ctx, func(tx warehouse.Tx) error {
		os := make([]*warehouse.OutboxEvent, n)
		for i := range os {
			os[i] = &warehouse.OutboxEvent{Topic: "contacts.golden", Key: fmt.Sprint(i), Payload: json.RawMessage(`{}`)}
		}
		return tx.AddOutboxes(ctx, os)
	})
	if err != nil {
		t.Fatal(err)
	}
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

// TestDeadLetterAtUTC: DeadLetters returns At in whatever zone the driver gives
// (here time.Local; a caller's own zone when it set At), where every other read returns
// UTC.
func TestDeadLetterAtUTC(t *testing.T) {
	local := time.Local
	time.Local = time.FixedZone("CET", 3600)
	t.Cleanup(func() { time.Local = local })
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "w.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.AddDeadLetter(ctx, warehouse.DeadLetter{Position: "in:1", Stage: "read", Reason: "bad", Payload: []byte("x")}); err != nil {
		t.Fatal(err)
	}
	dls, err := s.DeadLetters(ctx, 10)
	if err != nil || len(dls) != 1 {
		t.Fatal(dls, err)
	}
	if dls[0].At.Location() != time.UTC {
		t.Errorf("dead letter At %v in zone %q, want UTC as every other read", dls[0].At, dls[0].At.Location())
	}
}
