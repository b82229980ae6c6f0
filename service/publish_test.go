package service

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/segmentio/kafka-go"
	"github.com/steward-crm/steward/handlers"
	"github.com/steward-crm/steward/input"
	"github.com/steward-crm/steward/warehouse"
)

// TestPublishFailuresCounted: a topic steward publishes to refuses its messages (created
// by hand with a max.message.bytes below their size): the normalize handler's outputs to
// contacts.clean, the outbox's events to contacts.golden, a dead letter to contacts.dlq.
// Each refused publish is counted under its topic in steward_publish_failures_total. A
// message whose outputs were refused is not counted "ok": the metrics middleware counted
// it "ok" when the handler returned, and Watermill's router published (failed, nacked)
// only after that, so the dashboards showed a healthy pipeline while nothing reached
// contacts.clean. Refused for their size, the outputs' messages are dead-lettered
// (TestRefusedOutputIsDeadLettered), and counted so.
func TestPublishFailuresCounted(t *testing.T) {
	for _, c := range []struct {
		name, stages, topic string
		handler             string // publishes its outputs to topic; "": none does
	}{
		{"router output", StagesSeparate, "contacts.clean", handlers.NormalizeHandler},
		{"outbox", StagesFused, "contacts.golden", ""},
		{"dead letter", StagesFused, "contacts.dlq", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			brokers := kafkaCluster(t)
			createSmallTopic(t, brokers, c.topic, 100)
			cfg := Config{Database: filepath.Join(t.TempDir(), "w.db")}
			fastKafka(&cfg, brokers)
			cfg.Kafka.Stages = c.stages
			s := openService(t, cfg)
			file := filepath.Join(t.TempDir(), "in.jsonl")
			os.WriteFile(file, []byte(`{"source":"web","source_id":"1","given_name":"Élodie","family_name":"Poisson","emails":["e.poisson@example.fr"]}`+"\n"+
				`{"source_id":"no source"}`+"\n"), 0o644)
			if sum, err := s.Produce(context.Background(), []string{file}, input.Options{}, 10); err != nil || sum.Published != 2 {
				t.Fatalf("produce: %+v %v", sum, err)
			}
			stop, addr := startRunAddr(t, s)
			defer stop()
			if c.handler != "" {
				// Both records dead-lettered: the invalid one, and the valid one whose
				// output contacts.clean refused.
				dead := `steward_messages_processed_total{handler="` + c.handler + `",result="dead_lettered"}`
				waitFor(t, 30*time.Second, dead+" 2", func() bool {
					n, _ := metricValue(t, addr, dead)
					return n >= 2
				})
				ok := `steward_messages_processed_total{handler="` + c.handler + `",result="ok"}`
				if n, found := metricValue(t, addr, ok); found {
					t.Errorf("%s %g: no output of %s reached %s", ok, n, c.handler, c.topic)
				}
			}
			failures := `steward_publish_failures_total{topic="` + c.topic + `"}`
			waitFor(t, 30*time.Second, failures, func() bool {
				n, _ := metricValue(t, addr, failures)
				return n > 0
			})
			if c.topic == "contacts.golden" {
				// Refused for its size, the event is given up: a dead letter (stage
				// outbox), the outbox empty — it held the outbox before, each poll
				// failing at its publish step and publishing the batch again.
				waitFor(t, 30*time.Second, "the event's dead letter", func() bool {
					dls, err := s.Store.DeadLetters(context.Background(), 10)
					return err == nil && slices.ContainsFunc(dls, func(d warehouse.DeadLetter) bool {
						return d.Stage == "outbox" && strings.Contains(d.Reason, "too large")
					})
				})
				if st, err := s.Store.Stats(context.Background()); err != nil || st.OutboxPending != 0 {
					t.Errorf("outbox pending %d (%v), want 0", st.OutboxPending, err)
				}
				// Both steps' series are there from the start (the two needed telling
				// apart); neither failed.
				for _, step := range []string{"publish", "prune"} {
					polls := `steward_outbox_poll_failures_total{step="` + step + `"}`
					if n, found := metricValue(t, addr, polls); !found || n != 0 {
						t.Errorf(`%s = %g (present %v), want 0`, polls, n, found)
					}
				}
			}
		})
	}
}

// createSmallTopic creates topic with a max.message.bytes of maxBytes (0: the broker's
// default), as an operator might by hand, before steward creates the others.
func createSmallTopic(t *testing.T, brokers []string, topic string, maxBytes int) {
	t.Helper()
	conn, err := kafka.Dial("tcp", brokers[0])
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	tc := kafka.TopicConfig{Topic: topic, NumPartitions: 3, ReplicationFactor: 1}
	if maxBytes > 0 {
		tc.ConfigEntries = []kafka.ConfigEntry{{ConfigName: "max.message.bytes", ConfigValue: strconv.Itoa(maxBytes)}}
	}
	if err := conn.CreateTopics(tc); err != nil {
		t.Fatal(err)
	}
}

// metricValue reads one series (name{labels}, as /metrics writes it) from a run's
// /metrics, and whether it is there.
func metricValue(t *testing.T, addr, series string) (float64, bool) {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), series+" "); ok {
			var n float64
			fmt.Sscan(v, &n)
			return n, true
		}
	}
	return 0, false
}

// TestRefusedOutputIsDeadLettered: with kafka.stages separate, the normalize handler
// publishes each record, normalized (larger than its raw form), to contacts.clean. A
// contacts.clean that refuses one for its size (created by hand, small, or at the
// broker's default 1 MiB while the raw record is near it) refused it at every
// delivery: Watermill's router publishes a handler's outputs after the middleware,
// poison queue included, has returned, and nacks the message when that fails. The
// message was delivered again forever, never dead-lettered, and its partition's
// committed offset stayed behind it (past MaxUncommitted messages, the partition
// stalls). It is dead-lettered instead, its raw payload with a reason naming the topic,
// and the records after it on its partition are processed and committed.
func TestRefusedOutputIsDeadLettered(t *testing.T) {
	for _, c := range []struct {
		name     string
		maxBytes int // contacts.clean's max.message.bytes; 0: the broker's default
		poison   string
	}{
		{"small topic", 2000, `{"source":"web","source_id":"long","given_name":"` + strings.Repeat("é", 1000) + `","family_name":"Poisson"}`},
		{"1 MB record", 0, bigRecord("big")},
	} {
		t.Run(c.name, func(t *testing.T) {
			brokers := kafkaCluster(t)
			createSmallTopic(t, brokers, "contacts.clean", c.maxBytes)
			cfg := Config{Database: filepath.Join(t.TempDir(), "w.db")}
			fastKafka(&cfg, brokers)
			cfg.Kafka.Stages = StagesSeparate
			s := openService(t, cfg)
			// The poison record, then three others, all on partition 0.
			values := []string{c.poison}
			for _, id := range []string{"1", "2", "3"} {
				values = append(values, `{"source":"web","source_id":"`+id+`","given_name":"Ann","family_name":"Small`+id+`","emails":["ann.small`+id+`@example.fr"]}`)
			}
			writeRaw(t, s, brokers, values...)
			stop := startRun(t, s)
			defer stop()

			lag := newLagCollector(brokers, nil, prometheus.NewRegistry())
			group := s.Config.Kafka.Group + "." + handlers.NormalizeHandler
			var last string
			waitFor(t, 30*time.Second, "the poison record dead-lettered and its partition committed past it", func() bool {
				st, _ := s.Store.Stats(context.Background())
				behind, err := lag.lag(context.Background(), group, "contacts.raw")
				if st.DeadLetters == 1 && st.SourceRecords == 3 && err == nil && behind == 0 {
					return true
				}
				if now := fmt.Sprintf("%d dead letters, %d source records, %s's lag on contacts.raw %d (%v); want 1, 3, 0", st.DeadLetters, st.SourceRecords, group, behind, err); now != last {
					t.Log(now)
					last = now
				}
				return false
			})
			dls, err := s.Store.DeadLetters(context.Background(), 10)
			if err != nil || len(dls) != 1 {
				t.Fatalf("dead letters %+v, %v", dls, err)
			}
			if d := dls[0]; d.Stage != "normalize/publish" || !strings.Contains(d.Reason, "contacts.clean") ||
				strings.Contains(d.Reason, "stored directly") || string(d.Payload) != c.poison {
				t.Errorf("dead letter stage %q, reason %q, payload of %d bytes; want normalize/publish, a reason naming contacts.clean, through contacts.dlq, the raw record (%d bytes)",
					d.Stage, clip(d.Reason), len(d.Payload), len(c.poison))
			}
		})
	}
}

// TestSeparateStagesCarryARecordNearTheLimit: a raw record near the broker's 1 MiB
// default (905 kB, 300 long e-mail addresses) normalizes to 1.8 MB. steward creates
// contacts.clean and contacts.enriched with room for it (2 MiB, as contacts.dlq), so it
// reaches the warehouse through the separate stages.
func TestSeparateStagesCarryARecordNearTheLimit(t *testing.T) {
	brokers := kafkaCluster(t)
	cfg := Config{Database: filepath.Join(t.TempDir(), "w.db")}
	fastKafka(&cfg, brokers)
	cfg.Kafka.Stages = StagesSeparate
	s := openService(t, cfg)
	writeRaw(t, s, brokers, bigRecord("big"))
	stop := startRun(t, s)
	defer stop()
	waitFor(t, 30*time.Second, "the record in the warehouse", func() bool {
		st, _ := s.Store.Stats(context.Background())
		if st.DeadLetters > 0 {
			dls, _ := s.Store.DeadLetters(context.Background(), 1)
			t.Fatalf("dead-lettered: %s: %s", dls[0].Stage, clip(dls[0].Reason))
		}
		return st.SourceRecords == 1
	})
}

// bigRecord is a valid raw record of 905 kB whose normalized form is 1.8 MB.
func bigRecord(id string) string {
	emails := make([]string, 300)
	for i := range emails {
		emails[i] = fmt.Sprintf(`"%s%d@example.fr"`, strings.Repeat("a", 3000), i)
	}
	return `{"source":"web","source_id":"` + id + `","given_name":"Ann","family_name":"Big","emails":[` + strings.Join(emails, ",") + `]}`
}

// writeRaw creates s's topics and writes values to partition 0 of its raw topic, as an
// upstream system would.
func writeRaw(t *testing.T, s *Service, brokers []string, values ...string) {
	t.Helper()
	if err := s.EnsureTopics(context.Background()); err != nil {
		t.Fatal(err)
	}
	w := &kafka.Writer{Addr: kafka.TCP(brokers...), Topic: s.Config.Kafka.Topics.Raw,
		Balancer: kafka.BalancerFunc(func(kafka.Message, ...int) int { return 0 })}
	defer w.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, v := range values {
		if err := w.WriteMessages(ctx, kafka.Message{Value: []byte(v)}); err != nil {
			t.Fatalf("raw message of %d bytes: %v", len(v), err)
		}
	}
}

// clip shortens s for a test's message.
func clip(s string) string {
	if len(s) > 300 {
		return s[:300] + "…"
	}
	return s
}
