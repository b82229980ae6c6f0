package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/steward-crm/steward/internal/pgtest"
	"github.com/steward-crm/steward/warehouse"
)

// TestForwardOutboxLargeLimit: the mark of ForwardOutbox binds one parameter per
// event; past 65535 PostgreSQL's protocol refuses it after publish succeeded.
func TestForwardOutboxLargeLimit(t *testing.T) {
	s := open(t, pgtest.URL(t))
	ctx := context.Background()
	const n = 66000
	err := s.InTx(ctx, func(tx warehouse.Tx) error {
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
	got, err := s.ForwardOutbox(ctx, n, func(evs []warehouse.OutboxEvent) error { published += len(evs); return nil })
	if err != nil || got != n {
		t.Fatalf("ForwardOutbox(limit %d) = %d, %v (handed to publish: %d)", n, got, err, published)
	}
}

// TestDeadLetterAtUTC: every read of the store returns its times in UTC
// (scanMaster, Events, ReviewItems, source rows) except DeadLetters, whose At comes in
// the driver's zone: the process's local zone on PostgreSQL.
func TestDeadLetterAtUTC(t *testing.T) {
	local := time.Local
	time.Local = time.FixedZone("CET", 3600)
	t.Cleanup(func() { time.Local = local })
	s := open(t, pgtest.URL(t))
	ctx := context.Background()
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
