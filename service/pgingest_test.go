package service

import (
	"context"
	"testing"

	"github.com/steward-crm/steward/internal/pgtest"
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
