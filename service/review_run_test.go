package service

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/steward-crm/steward/contact"
	"github.com/steward-crm/steward/input"
	"github.com/steward-crm/steward/pipeline"
)

// TestStopFinishesInFlightMessage: README (Scale-out): "SIGTERM stops consuming,
// finishes in-flight messages, commits ... and exits 0". A record whose normalize
// stages are still running when the stop comes (here a stage taking 300 ms, well
// inside drain_timeout 1.5 s) must be in the warehouse when Run returns.
func TestStopFinishesInFlightMessage(t *testing.T) {
	brokers := kafkaCluster(t)
	cfg := Config{Database: filepath.Join(t.TempDir(), "w.db"), Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))}
	fastKafka(&cfg, brokers)
	s := openService(t, cfg)
	entered := make(chan struct{}, 1)
	s.NormalizeChain = append(s.NormalizeChain, pipeline.Func{StageName: "test.slow", Fn: func(_ context.Context, r *contact.Record) error {
		if r.FamilyName == "Slow" {
			select {
			case entered <- struct{}{}:
			default:
			}
			time.Sleep(300 * time.Millisecond)
		}
		return nil
	}})
	file := filepath.Join(t.TempDir(), "one.jsonl")
	os.WriteFile(file, []byte(`{"source":"web","source_id":"s1","given_name":"Ann","family_name":"Slow","emails":["ann.slow@example.fr"]}`+"\n"), 0o644)
	if sum, err := s.Produce(context.Background(), []string{file}, input.Options{}, 10); err != nil || sum.Published != 1 {
		t.Fatalf("produce: %+v %v", sum, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx, RunOptions{}) }()
	select {
	case <-entered:
	case err := <-done:
		t.Fatalf("run: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("the record never reached the slow stage")
	}
	cancel() // SIGTERM while the message is in flight
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("run: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("run did not stop")
	}
	if n := countRows(t, s, `SELECT COUNT(*) FROM source_records`); n != 1 {
		t.Errorf("%d source records after the stop, want 1: the in-flight message was not finished", n)
	}
}

// TestDeadLetterPositionOfUpstreamMessages: upstream systems publish to contacts.raw
// with their own clients (README, Scale-out), without steward produce's "position"
// header. Their dead letters must still say where the record was read
// (handlers.PositionMetadata: "topic/partition@offset"; README: contacts.dlq carries a
// position header): without one, two different messages with the same bad payload are
// stored as one dead letter (dead_letters is unique on position + payload hash), and
// the second message's key is lost.
func TestDeadLetterPositionOfUpstreamMessages(t *testing.T) {
	s, brokers, w := upstreamWriter(t, false)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := w.WriteMessages(ctx,
		kafka.Message{Key: []byte("crm:1"), Value: []byte(`{"given_name":"Ann"}`)},
		kafka.Message{Key: []byte("erp:2"), Value: []byte(`{"given_name":"Ann"}`)},
	); err != nil {
		t.Fatal(err)
	}
	stop := startRun(t, s)
	waitFor(t, 30*time.Second, "two messages on the DLQ", func() bool { return countTopic(t, brokers, "contacts.dlq") == 2 })
	time.Sleep(time.Second) // the dead_letters handler stores them
	stop()
	for _, m := range readTopic(t, brokers, "contacts.dlq") {
		if header(m, "position") == "" {
			t.Errorf("dead letter of %s on contacts.dlq without a position header", m.Key)
		}
	}
	if n := countRows(t, s, `SELECT COUNT(*) FROM dead_letters`); n != 2 {
		t.Errorf("%d dead letters stored for 2 bad messages (keys crm:1, erp:2)", n)
	}
}

// TestStopThenRestartRedoesNothing: a stop right after the stream is done, then a
// restart in the same group: every finished message's offset was committed at the stop,
// so the restart re-consumes nothing: no dead letter is published to contacts.dlq
// again nor stored twice. (Passes: no defect found here.)
func TestStopThenRestartRedoesNothing(t *testing.T) {
	for _, stages := range []string{StagesFused, StagesSeparate} {
		t.Run(stages, func(t *testing.T) { testStopThenRestartRedoesNothing(t, stages) })
	}
}

func testStopThenRestartRedoesNothing(t *testing.T, stages string) {
	brokers := kafkaCluster(t)
	cfg := Config{Database: filepath.Join(t.TempDir(), "w.db")}
	fastKafka(&cfg, brokers)
	cfg.Kafka.Stages = stages
	cfg.Kafka.CommitInterval = 5 * time.Second // only the stop's commit counts
	s := openService(t, cfg)
	if sum, err := s.Produce(context.Background(), []string{"../testdata/contacts.jsonl"}, input.Options{}, 100); err != nil {
		t.Fatalf("produce: %+v %v", sum, err)
	}
	stop := startRun(t, s)
	var dead int64
	waitEvery(t, 60*time.Second, 10*time.Millisecond, "the stream", func() bool {
		st, err := s.Store.Stats(context.Background())
		dead = st.DeadLetters
		return err == nil && st.SourceRecords == 300 && st.DeadLetters > 0 && int64(countTopic(t, brokers, "contacts.dlq")) == st.DeadLetters
	})
	stop()
	dlq := countTopic(t, brokers, "contacts.dlq")
	stop = startRun(t, s)
	time.Sleep(4 * time.Second)
	stop()
	if n := countTopic(t, brokers, "contacts.dlq"); n != dlq {
		t.Errorf("contacts.dlq: %d messages before the restart, %d after (%d dead letters)", dlq, n, dead)
	}
	if n := countRows(t, s, `SELECT COUNT(*) FROM dead_letters WHERE seen > 1`); n != 0 {
		t.Errorf("%d dead letters seen twice", n)
	}
}

// TestPoisonNearTheSizeLimitIsDeadLettered: a raw message the broker accepted, a little
// under its message.max.bytes (1 048 588 by default, kfake's and Kafka's), is invalid
// (a 1 MB name). Its dead letter is the same payload plus the poison headers (reason,
// stage, handler, topic, uuid, position): a few hundred bytes more, over the limit. The
// DLQ publish fails, the message is nacked and delivered again forever: no dead letter,
// and the next version of the same record (same key) never gets through. README: "a
// poison record never stalls its partition".
func TestPoisonNearTheSizeLimitIsDeadLettered(t *testing.T) {
	for _, small := range []bool{false, true} {
		// true: a DLQ topic without room for it; the dead letter is stored directly.
		t.Run(fmt.Sprintf("smallDLQ=%v", small), func(t *testing.T) { poisonNearTheSizeLimit(t, small) })
	}
}

func poisonNearTheSizeLimit(t *testing.T, smallDLQ bool) {
	s, _, w := upstreamWriter(t, smallDLQ)
	head, tail := `{"source":"web","source_id":"big","given_name":"`, `"}`
	big := head + strings.Repeat("x", 1048300-len(head)-len(tail)) + tail
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, v := range []string{big, `{"source":"web","source_id":"big","given_name":"Ann","family_name":"Small","emails":["ann.small@example.fr"]}`} {
		if err := w.WriteMessages(ctx, kafka.Message{Key: []byte("web:big"), Value: []byte(v)}); err != nil {
			t.Fatalf("the broker refused the raw message of %d bytes: %v", len(v), err)
		}
	}
	stop := startRun(t, s)
	defer stop()
	deadline := time.Now().Add(20 * time.Second)
	for {
		st, err := s.Store.Stats(context.Background())
		if err == nil && st.DeadLetters == 1 && st.SourceRecords == 1 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 20 s: %d dead letters, %d source records (want 1 and 1): the poison message stalls its key", st.DeadLetters, st.SourceRecords)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// upstreamWriter is a service on kfake with its topics, and a plain kafka-go writer on
// its raw topic, as an upstream system's. With smallDLQ the dead-letter topic exists
// beforehand, at the broker's default message size (an administrator's).
func upstreamWriter(t *testing.T, smallDLQ bool) (*Service, []string, *kafka.Writer) {
	t.Helper()
	brokers := kafkaCluster(t)
	cfg := Config{Database: filepath.Join(t.TempDir(), "w.db")}
	fastKafka(&cfg, brokers)
	s := openService(t, cfg)
	if smallDLQ {
		conn, err := kafka.Dial("tcp", brokers[0])
		if err != nil {
			t.Fatal(err)
		}
		err = conn.CreateTopics(kafka.TopicConfig{Topic: s.Config.Kafka.Topics.DLQ, NumPartitions: 3, ReplicationFactor: 1})
		conn.Close()
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := s.EnsureTopics(context.Background()); err != nil {
		t.Fatal(err)
	}
	w := &kafka.Writer{Addr: kafka.TCP(brokers...), Topic: s.Config.Kafka.Topics.Raw, Balancer: &kafka.Hash{}}
	t.Cleanup(func() { w.Close() })
	return s, brokers, w
}
