package service

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/steward-crm/steward/internal/pgtest"
	"github.com/steward-crm/steward/warehouse/sqlstore"
)

// TestIngestPostgres runs the embedded pipeline into PostgreSQL: the same Store contract,
// the other dialect.
func TestIngestPostgres(t *testing.T) {
	s, err := Open(context.Background(), Config{Database: pgtest.URL(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	first := ingest(t, s, "../testdata/contacts.jsonl")
	second := ingest(t, s, "../testdata/contacts.jsonl")
	t.Logf("first run %+v", first)
	if first.Accepted != 300 || first.DeadLettered != 7 || second.Unchanged != 300 || second.MastersCreated != 0 {
		t.Errorf("first %+v second %+v", first, second)
	}
}

// TestIngestPostgresLongValues: values at the size limits (a 4 000-byte family name and
// given name, whose blocking keys would exceed what a PostgreSQL B-tree entry holds) are
// written like any other (the keys are bounded), and never fail the run nor the records
// around them.
func TestIngestPostgresLongValues(t *testing.T) {
	s, err := Open(context.Background(), Config{Database: pgtest.URL(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	// Letters that do not compress (PostgreSQL compresses a long index entry first).
	var b strings.Builder
	x := uint32(2463534242)
	for b.Len() < 4000 {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b.WriteByte(byte('a' + x%26))
	}
	long := b.String()
	path := writeFile(t, "long.jsonl", `{"source":"web","source_id":"1","given_name":"Ann","family_name":"Fine","emails":["ann@example.org"]}
{"source":"web","source_id":"2","given_name":"`+long+`","family_name":"`+long+`","emails":["long@example.org"]}
{"source":"web","source_id":"3","given_name":"Cid","family_name":"Alsofine","emails":["cid@example.org"]}
`)
	sum, err := s.Ingest(context.Background(), IngestOptions{Inputs: []string{path}})
	if err != nil {
		t.Fatalf("ingest: %v (%+v)", err, sum)
	}
	if sum.Read != 3 || sum.Accepted != 3 || sum.DeadLettered != 0 || sum.MastersCreated != 3 {
		t.Errorf("summary %+v, want the 3 records written, each its own master", sum)
	}
	var n int
	err = s.Store.(*sqlstore.Store).DB().QueryRow(`SELECT COUNT(*) FROM source_records s JOIN masters m ON m.id = s.master_id
WHERE s.source = 'web' AND s.source_id = '2' AND length(s.record) > 8000`).Scan(&n)
	if err != nil || n != 1 {
		t.Errorf("the long record stored with its master: %d rows (%v), want 1", n, err)
	}
}

// TestIngestStopWithHungWarehouse: a stopped ingest whose warehouse does not answer (here
// a lock another session holds on the masters table, as a hung server or a network
// dropping packets would leave it) abandons the writes in flight after StopGrace and
// returns an error saying so; it waited for them for good, deaf to the first signal.
// The records not written are not stored (the transaction rolled back).
func TestIngestStopWithHungWarehouse(t *testing.T) {
	url := pgtest.URL(t)
	s, err := Open(context.Background(), Config{Database: url})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	grace := StopGrace
	StopGrace = 300 * time.Millisecond
	t.Cleanup(func() { StopGrace = grace })
	db := s.Store.(*sqlstore.Store).DB()
	lock, err := db.BeginTx(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Rollback()
	if _, err := lock.Exec(`LOCK TABLE masters IN ACCESS EXCLUSIVE MODE`); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(500*time.Millisecond, cancel) // the signal, once the writer waits
	start := time.Now()
	sum, err := s.Ingest(ctx, IngestOptions{Inputs: []string{"../testdata/contacts.jsonl"}})
	took := time.Since(start)
	if err == nil || !strings.Contains(err.Error(), "did not finish the writes in flight") {
		t.Errorf("ingest: %v (%+v), want the abandoned writes named", err, sum)
	}
	if took > 30*time.Second {
		t.Errorf("the stopped ingest took %s", took)
	}
	lock.Rollback()
	var n int
	if err := db.QueryRow(`SELECT COUNT(*) FROM source_records`).Scan(&n); err != nil || n != 0 {
		t.Errorf("%d source records stored (%v), want none: the batch rolled back", n, err)
	}
}
