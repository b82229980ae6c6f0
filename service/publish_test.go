package service

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/steward-crm/steward/handlers"
	"github.com/steward-crm/steward/input"
)

// TestPublishFailuresCounted: a topic steward publishes to refuses its messages (created
// by hand with a max.message.bytes below their size): the normalize handler's outputs to
// contacts.clean, the outbox's events to contacts.golden, a dead letter to contacts.dlq.
// Each refused publish is counted under its topic in steward_publish_failures_total. A
// message whose outputs were refused is nacked and redelivered, and is counted as an
// error, not "ok": the metrics middleware counted it "ok" when the handler returned, and
// Watermill's router published (failed, nacked) only after that, so the dashboards showed
// a healthy pipeline while nothing reached contacts.clean.
func TestPublishFailuresCounted(t *testing.T) {
	for _, c := range []struct {
		name, stages, topic string
		handler             string // publishes to topic through the router; "": none does
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
				// The valid record delivered a third time: two of its deliveries ended.
				consumed := `steward_messages_consumed_total{handler="` + c.handler + `"}`
				waitFor(t, 30*time.Second, consumed+" 4", func() bool {
					n, _ := metricValue(t, addr, consumed)
					return n >= 4
				})
				ok := `steward_messages_processed_total{handler="` + c.handler + `",result="ok"}`
				if n, found := metricValue(t, addr, ok); found {
					t.Errorf("%s %g: no output of %s reached %s", ok, n, c.handler, c.topic)
				}
				nacked := `steward_messages_processed_total{handler="` + c.handler + `",result="error"}`
				if n, _ := metricValue(t, addr, nacked); n == 0 {
					t.Errorf("%s 0: its refused outputs were nacked", nacked)
				}
			}
			failures := `steward_publish_failures_total{topic="` + c.topic + `"}`
			waitFor(t, 30*time.Second, failures, func() bool {
				n, _ := metricValue(t, addr, failures)
				return n > 0
			})
		})
	}
}

// createSmallTopic creates topic with a max.message.bytes of maxBytes, as an operator
// might by hand, before steward creates the others.
func createSmallTopic(t *testing.T, brokers []string, topic string, maxBytes int) {
	t.Helper()
	conn, err := kafka.Dial("tcp", brokers[0])
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := conn.CreateTopics(kafka.TopicConfig{Topic: topic, NumPartitions: 3, ReplicationFactor: 1,
		ConfigEntries: []kafka.ConfigEntry{{ConfigName: "max.message.bytes", ConfigValue: strconv.Itoa(maxBytes)}}}); err != nil {
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
