package service

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/steward-crm/steward/handlers"
	"github.com/steward-crm/steward/input"
	"github.com/twmb/franz-go/pkg/kfake"
)

// kafkaCluster starts an in-process Kafka-protocol broker (kfake): kafka-go talks to it
// over the real wire protocol.
func kafkaCluster(t testing.TB) []string {
	t.Helper()
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.AllowAutoTopicCreation(), kfake.DefaultNumPartitions(3), kfake.GroupMinSessionTimeout(100*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c.ListenAddrs()
}

// fastKafka lowers consumer-group timings so that tests do not wait for rebalances.
func fastKafka(cfg *Config, brokers []string) {
	cfg.Kafka.Brokers = brokers
	cfg.Kafka.Partitions = 3
	cfg.Kafka.HeartbeatInterval = 200 * time.Millisecond
	cfg.Kafka.SessionTimeout = 2 * time.Second
	cfg.Kafka.RebalanceTimeout = 5 * time.Second
	cfg.Kafka.DrainTimeout = 1500 * time.Millisecond
	cfg.Kafka.JoinGroupBackoff = 200 * time.Millisecond
	cfg.Kafka.CommitInterval = 100 * time.Millisecond
	cfg.Kafka.OutboxInterval = 50 * time.Millisecond
	cfg.HTTP.Addr = "127.0.0.1:0"
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	waitEvery(t, d, time.Second, what, cond)
}

// waitEvery is waitFor polling every interval.
func waitEvery(t testing.TB, d, every time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(every)
	}
}

// TestRunOnKafka runs both stage layouts (kafka.stages) over the same stream: the
// warehouse, the DLQ, the golden topic and the metrics must come out the same, and only
// the separate layout writes the internal topics.
func TestRunOnKafka(t *testing.T) {
	for _, stages := range []string{StagesFused, StagesSeparate} {
		t.Run(stages, func(t *testing.T) { testRunOnKafka(t, stages) })
	}
}

func testRunOnKafka(t *testing.T, stages string) {
	brokers := kafkaCluster(t)
	cfg := Config{Database: filepath.Join(t.TempDir(), "w.db"), Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))}
	fastKafka(&cfg, brokers)
	cfg.Kafka.Stages = stages
	firstHandler := map[string]string{StagesFused: handlers.FusedHandler, StagesSeparate: handlers.NormalizeHandler}[stages]
	s, err := Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()

	// A 1 MB value, then a valid version of the same source record: same key, same
	// partition. The poison message must not stall the partition.
	poison := `{"source":"web","source_id":"p1","given_name":"Big","family_name":"` + strings.Repeat("x", 1000000) + `"}` + "\n" +
		`{"source":"web","source_id":"p1","given_name":"Élodie","family_name":"Poisson","emails":["e.poisson@example.fr"]}` + "\n"
	extra := filepath.Join(t.TempDir(), "poison.jsonl")
	os.WriteFile(extra, []byte(poison), 0o644)
	sum, err := s.Produce(context.Background(), []string{"../testdata/contacts.jsonl", extra}, input.Options{}, 100)
	if err != nil || sum.Published != 309 {
		t.Fatalf("produce: %+v %v", sum, err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	addr := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx, RunOptions{Ready: func(a string) { addr <- a }}) }()
	var httpAddr string
	select {
	case httpAddr = <-addr:
	case err := <-done:
		t.Fatalf("run: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("run never became ready")
	}
	waitFor(t, 60*time.Second, "every record resolved or dead-lettered", func() bool {
		st, err := s.Store.Stats(context.Background())
		return err == nil && st.SourceRecords == 301 && st.DeadLetters == 8
	})
	waitFor(t, 10*time.Second, "the outbox to drain", func() bool {
		return countRows(t, s, `SELECT COUNT(*) FROM outbox WHERE published_at IS NULL`) == 0
	})

	for path, want := range map[string]string{"/healthz": "ok", "/readyz": "ready", "/metrics": `steward_messages_processed_total{handler="` + firstHandler + `",result="dead_lettered"} 8`} {
		resp, err := http.Get("http://" + httpAddr + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(body), want) {
			t.Errorf("%s: %d, want %q in:\n%.2000s", path, resp.StatusCode, want, body)
		}
	}

	// On SQLite the resolve handler's Batcher pipelines: most new records were scored
	// while the batch before them was written.
	resp, err := http.Get("http://" + httpAddr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var reused, reread float64
	for _, l := range strings.Split(string(body), "\n") {
		fmt.Sscanf(l, `steward_resolve_prefetched_records_total{use="reused"} %g`, &reused)
		fmt.Sscanf(l, `steward_resolve_prefetched_records_total{use="reread"} %g`, &reread)
	}
	if reused == 0 || reused+reread > 301 {
		t.Errorf("prefetched records: %g reused, %g read again; want some reused, at most 301 in all", reused, reread)
	}
	// Every topic the layout writes is listed, with no failure.
	written := map[string][]string{StagesFused: {"contacts.dlq", "contacts.golden"}, StagesSeparate: {"contacts.clean", "contacts.enriched", "contacts.dlq", "contacts.golden"}}[stages]
	for _, topic := range written {
		if want := `steward_publish_failures_total{topic="` + topic + `"} 0`; !strings.Contains(string(body), want+"\n") {
			t.Errorf("/metrics: no %q", want)
		}
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("run returned %v after SIGTERM-like cancel", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("run did not stop")
	}

	// Golden events reached the golden topic, one per warehouse change.
	evs, _ := s.Store.Events(context.Background(), 0)
	n := countTopic(t, brokers, "contacts.golden")
	if n != len(evs) {
		t.Errorf("%d golden events on Kafka, %d audit events in the warehouse", n, len(evs))
	}
	// The internal topics carry every valid record in the separate layout only.
	wantInternal := map[string]int{StagesFused: 0, StagesSeparate: 301}[stages]
	for _, topic := range []string{"contacts.clean", "contacts.enriched"} {
		if n := countTopic(t, brokers, topic); n != wantInternal {
			t.Errorf("%s: %d messages, want %d", topic, n, wantInternal)
		}
	}
	// Dead letters on the DLQ topic carry the reason.
	dlq := readTopic(t, brokers, "contacts.dlq")
	if len(dlq) != 8 {
		t.Fatalf("%d messages on the DLQ", len(dlq))
	}
	for _, m := range dlq {
		reason, stage := header(m, "reason_poisoned"), header(m, "stage")
		if reason == "" || !strings.HasPrefix(stage, "normalize/") {
			t.Errorf("DLQ message without reason/stage headers: %q %q", reason, stage)
		}
	}
}

func header(m kafka.Message, k string) string {
	for _, h := range m.Headers {
		if h.Key == k {
			return string(h.Value)
		}
	}
	return ""
}

func readTopic(t *testing.T, brokers []string, topic string) []kafka.Message {
	t.Helper()
	var out []kafka.Message
	c, err := kafka.Dial("tcp", brokers[0])
	if err != nil {
		t.Fatal(err)
	}
	parts, err := c.ReadPartitions(topic)
	c.Close()
	if err != nil {
		t.Fatal(err)
	}
	for _, part := range parts {
		p := part.ID
		r := kafka.NewReader(kafka.ReaderConfig{Brokers: brokers, Topic: topic, Partition: p, MaxWait: 100 * time.Millisecond})
		conn, err := kafka.DialLeader(context.Background(), "tcp", brokers[0], topic, p)
		if err != nil {
			t.Fatal(err)
		}
		last, err := conn.ReadLastOffset()
		conn.Close()
		if err != nil {
			t.Fatal(err)
		}
		for i := int64(0); i < last; i++ {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			m, err := r.ReadMessage(ctx)
			cancel()
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, m)
		}
		r.Close()
	}
	return out
}

func countTopic(t *testing.T, brokers []string, topic string) int {
	return len(readTopic(t, brokers, topic))
}
