package service

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/segmentio/kafka-go"
	"github.com/steward-crm/steward/warehouse"
)

// TestOutboxOversizedEvents: a golden-record change event too large for the golden topic
// neither blocks the outbox nor makes the events published beside it go out again at
// every poll (the broker wrote those, the outbox rolled back and published them again:
// 146 copies in 3 s, the large one pending for ever). The golden topic steward creates
// takes what the publisher sends (2 MiB); an event larger than that is given up before
// it is sent, and one that a golden topic created with the broker's default (1 MiB)
// refuses is given up on the broker's answer: each is marked published and stored as a
// dead letter (stage outbox), and the small event goes out once.
func TestOutboxOversizedEvents(t *testing.T) {
	cases := []struct {
		name             string
		defaultTopic     bool // the golden topic created before, with the broker's default limit
		size             int
		sent, deadLetter int
	}{
		{"fits the golden topic steward creates", false, 1200 << 10, 2, 0},
		{"larger than steward sends", false, maxMessageBytes, 1, 1},
		{"refused by a golden topic of the broker's default", true, 1200 << 10, 1, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			brokers := kafkaCluster(t)
			cfg := Config{Database: filepath.Join(t.TempDir(), "w.db")}
			fastKafka(&cfg, brokers)
			s := openService(t, cfg)
			golden := s.Config.Kafka.Topics.Golden
			if c.defaultTopic {
				createSmallTopic(t, brokers, golden, 0) // the broker's default limit
			}
			if err := s.EnsureTopics(ctx); err != nil {
				t.Fatal(err)
			}
			big := `{"master_id":1,"sources":["` + strings.Repeat("x", c.size) + `"]}`
			if err := s.Store.InTx(ctx, func(tx warehouse.Tx) error {
				if err := tx.AddOutbox(ctx, &warehouse.OutboxEvent{Topic: golden, Key: "1", Payload: json.RawMessage(big)}); err != nil {
					return err
				}
				return tx.AddOutbox(ctx, &warehouse.OutboxEvent{Topic: golden, Key: "2", Payload: json.RawMessage(`{"master_id":2}`)})
			}); err != nil {
				t.Fatal(err)
			}
			pub, err := s.publisher(watermill.NopLogger{}, false)
			if err != nil {
				t.Fatal(err)
			}
			defer pub.Close()
			f := newForwarder(s.Store, pub, golden, time.Hour, time.Hour, nil, slog.New(slog.DiscardHandler))
			f.maxBytes = maxMessageBytes - 4<<10 // as Run sets it
			for range 3 {                        // three polls
				if _, err := f.flush(ctx, nil); err != nil {
					t.Fatalf("flush: %v", err)
				}
			}
			// The counters tell the events that went out from those given up (the
			// given-up ones were counted as published).
			if got, want := testutil.ToFloat64(f.published), float64(c.sent); got != want {
				t.Errorf("outbox_published_total %v, want %v", got, want)
			}
			if got, want := testutil.ToFloat64(f.givenUp), float64(c.deadLetter); got != want {
				t.Errorf("outbox_given_up_total %v, want %v", got, want)
			}
			if n := topicMessages(t, brokers, golden); n != c.sent {
				t.Errorf("%d messages on %s, want %d", n, golden, c.sent)
			}
			st, err := s.Store.Stats(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if st.OutboxPending != 0 {
				t.Errorf("%d events still pending", st.OutboxPending)
			}
			dls, err := s.Store.DeadLetters(ctx, 10)
			if err != nil {
				t.Fatal(err)
			}
			if len(dls) != c.deadLetter {
				t.Fatalf("%d dead letters, want %d: %+v", len(dls), c.deadLetter, dls)
			}
			for _, d := range dls {
				if d.Stage != "outbox" || d.SourceKey != "1" || len(d.Payload) != len(big) || !strings.Contains(d.Reason, "bytes") {
					t.Errorf("dead letter: stage %q key %q, %d bytes, reason %q", d.Stage, d.SourceKey, len(d.Payload), d.Reason)
				}
			}
		})
	}
}

// topicMessages counts the messages of a topic (its partitions' end offsets).
func topicMessages(t *testing.T, brokers []string, topic string) int {
	t.Helper()
	n := 0
	for p := range 3 {
		c, err := kafka.DialLeader(context.Background(), "tcp", brokers[0], topic, p)
		if err != nil {
			t.Fatal(err)
		}
		last, err := c.ReadLastOffset()
		c.Close()
		if err != nil {
			t.Fatal(err)
		}
		n += int(last)
	}
	return n
}

// writeErrPublisher answers each publish with kafka-go's per-message WriteErrors: the
// messages whose outbox_id is in fail get err, the others were written.
type writeErrPublisher struct {
	fail map[string]error
	sent []string // outbox ids written, in order
}

func (p *writeErrPublisher) Publish(_ string, msgs ...*message.Message) error {
	werrs := make(kafka.WriteErrors, len(msgs))
	failed := false
	for i, m := range msgs {
		id := m.Metadata.Get("outbox_id")
		if err := p.fail[id]; err != nil {
			werrs[i], failed = err, true
		} else {
			p.sent = append(p.sent, id)
		}
	}
	if failed {
		return fmt.Errorf("kafkago: publish: %w", werrs)
	}
	return nil
}

func (p *writeErrPublisher) Close() error { return nil }

// TestOutboxPartialPublishKeepsKeyOrder: when the broker writes some of a batch's events
// and not others (a partition without its leader), the written ones are marked
// published, except those of a key after one of its events that was not written: they
// go out again after it, so that a key's events stay in order. The failure is returned.
func TestOutboxPartialPublishKeepsKeyOrder(t *testing.T) {
	ctx := context.Background()
	s := openService(t, Config{Database: filepath.Join(t.TempDir(), "w.db")})
	var ids []string
	if err := s.Store.InTx(ctx, func(tx warehouse.Tx) error {
		for _, key := range []string{"a", "b", "a", "c"} {
			e := &warehouse.OutboxEvent{Topic: "contacts.golden", Key: key, Payload: json.RawMessage(`{}`)}
			if err := tx.AddOutbox(ctx, e); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	pub := &writeErrPublisher{fail: map[string]error{}}
	var all []warehouse.OutboxEvent
	if _, err := s.Store.ForwardOutbox(ctx, 10, func(evs []warehouse.OutboxEvent) error { all = evs; return errors.New("peek") }); err == nil {
		t.Fatal("peek")
	}
	for _, e := range all {
		ids = append(ids, fmt.Sprint(e.ID))
	}
	away := errors.New("leader not available")
	pub.fail[ids[0]] = away // a's first event
	f := newForwarder(s.Store, pub, "", time.Hour, time.Hour, nil, slog.New(slog.DiscardHandler))
	n, err := f.flush(ctx, nil)
	if !errors.Is(err, away) || n != 2 {
		t.Fatalf("flush: %d, %v; want 2 marked (b's and c's) and the publish's error", n, err)
	}
	// b's and c's events were written and are marked; a's second was written too, but
	// waits for a's first.
	var left []string
	if _, err := s.Store.ForwardOutbox(ctx, 10, func(evs []warehouse.OutboxEvent) error {
		for _, e := range evs {
			left = append(left, e.Key)
		}
		return errors.New("peek")
	}); err == nil {
		t.Fatal("peek")
	}
	if fmt.Sprint(left) != "[a a]" {
		t.Errorf("pending after the partial publish: %v, want [a a]", left)
	}
	delete(pub.fail, ids[0])
	pub.sent = nil
	if _, err := f.flush(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(pub.sent) != fmt.Sprint([]string{ids[0], ids[2]}) {
		t.Errorf("the next poll sent %v, want a's two events in order %v", pub.sent, []string{ids[0], ids[2]})
	}
}
