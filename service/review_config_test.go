package service

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/steward-crm/steward/handlers"
	"github.com/steward-crm/steward/pipeline/stages"
	"github.com/steward-crm/steward/rules"
)

// TestNegativeOutboxInterval: kafka.outbox_interval: -1s passes Validate (only 0
// is replaced by the default), and the forwarder's time.NewTicker then panics: in
// `steward run`, and in `steward ingest -events FILE`, on a goroutine (the process dies).
func TestNegativeOutboxInterval(t *testing.T) {
	c := Config{Kafka: KafkaConfig{OutboxInterval: -time.Second}}
	c.setDefaults()
	if err := c.Validate(); err != nil {
		return // refused at start-up: fine
	}
	t.Error("kafka.outbox_interval: -1s accepted by Validate")
	var panicked any
	func() {
		defer func() { panicked = recover() }()
		f := newForwarder(nil, nil, "", c.Kafka.OutboxInterval, c.Kafka.OutboxRetention, nil, slog.New(slog.DiscardHandler))
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_ = f.run(ctx)
	}()
	if panicked != nil {
		t.Errorf("the forwarder panics with the accepted value: %v", panicked)
	}
}

// TestMaxWaitDefault: service/config.go documented kafka.max_wait "Default 500ms";
// the value left at 0 reaches kafkago, whose default is 5s. (Failed with want = 500ms
// before the doc fix; now checks the documented 5s.)
func TestMaxWaitDefault(t *testing.T) {
	s, err := Build(Config{Kafka: KafkaConfig{Brokers: []string{"127.0.0.1:1"}}})
	if err != nil {
		t.Fatal(err)
	}
	sub, err := s.subscriber(handlers.NormalizeHandler, s.watermillLogger())
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	got := time.Duration(reflect.ValueOf(sub).Elem().FieldByName("cfg").FieldByName("MaxWait").Int())
	if got != 5*time.Second {
		t.Errorf("effective kafka.max_wait default = %s, documented 5s", got)
	}
}

// TestTopicsMustDiffer: two roles on one topic are accepted. raw == dlq makes
// every dead letter a new raw message, dead-lettered again, forever; golden == raw feeds
// change events back as records.
func TestTopicsMustDiffer(t *testing.T) {
	for _, topics := range []handlers.Topics{
		{Raw: "contacts", DLQ: "contacts"},
		{Raw: "contacts", Golden: "contacts"},
	} {
		c := Config{Kafka: KafkaConfig{Topics: topics}}
		c.setDefaults()
		if err := c.Validate(); err == nil {
			t.Errorf("kafka.topics %+v: accepted", c.Kafka.Topics)
		}
	}
}

// TestOutboxPendingGauge: steward_outbox_poll_forwarded (was _batch_pending: "Outbox events forwarded
// by the last batch of the last poll") is set on every round of flush's loop, which
// ends on an empty batch: after a poll that forwarded events it reads 0, always.
func TestOutboxPendingGauge(t *testing.T) {
	s := open(t)
	ingest(t, s, "../testdata/contacts.jsonl")
	pub := &flakyPub{}
	f := newForwarder(s.Store, pub, "contacts.golden", time.Hour, time.Hour, prometheus.NewRegistry(), slog.New(slog.DiscardHandler))
	n, err := f.flush(context.Background(), nil)
	if err != nil || n == 0 {
		t.Fatalf("flush: %d, %v", n, err)
	}
	var m dto.Metric
	if err := f.pending.Write(&m); err != nil {
		t.Fatal(err)
	}
	if got := m.GetGauge().GetValue(); got != float64(n) {
		t.Errorf("steward_outbox_poll_forwarded = 0 after a poll that forwarded %d events", n)
	}
}

// TestReadyzBeforeBrokerReached: README: "/readyz [answers] when the router runs,
// the warehouse answers and the brokers were reached by a lag poll within 30 s". With a
// broker that was never reached (every lag poll failed) /readyz says ready for the first
// 30 s of the process.
func TestReadyzBeforeBrokerReached(t *testing.T) {
	reg := prometheus.NewRegistry()
	lag := newLagCollector([]string{"127.0.0.1:1"}, map[string]string{"steward.normalize": "contacts.raw"}, reg)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); lag.run(ctx, 20*time.Millisecond) }()
	defer func() { cancel(); <-done }()
	waitUntil(t, "a failed lag poll", func() bool {
		var m dto.Metric
		_ = lag.failures.Write(&m)
		return m.GetCounter().GetValue() >= 1
	})
	ops, err := newOpsServer("127.0.0.1:0", reg, func(context.Context) error { return nil },
		func() error { return lag.brokerErr(brokerStale) }, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer ops.close()
	ops.ready.Store(true) // the router runs
	resp, err := http.Get("http://" + ops.Addr() + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode == http.StatusOK {
		t.Errorf("/readyz = 200 %q while no lag poll ever reached the broker", strings.TrimSpace(string(body)))
	}
}

// TestUnknownStageNamesFileAndKey: README: "A broken rule file fails at start-up
// with file, line and key". A misspelt stage name in rules.yaml's stages: fails (at
// Build, not at load) without the file, line or key.
func TestUnknownStageNamesFileAndKey(t *testing.T) {
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS("../rules/default")); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "rules.yaml")
	def, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	src := strings.Replace(string(def), "enrich.activity, enrich.quality]", "enrich.activity, enrich.qualty]", 1)
	if src == string(def) {
		t.Fatal("stages line not found")
	}
	if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = Build(Config{RulesDir: dir})
	if err == nil {
		t.Fatal("unknown stage accepted")
	}
	for _, want := range []string{"rules.yaml:", "stages.identify.5"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %q", err, want)
		}
	}
}

// TestStageNamesAgree: rules.StageNames (checked at load) lists exactly the stage
// registry's types.
func TestStageNamesAgree(t *testing.T) {
	var got []string
	for n := range stages.Registry() {
		got = append(got, n)
	}
	slices.Sort(got)
	if want := rules.StageNames(); !slices.Equal(got, want) {
		t.Errorf("stage registry %v, rules.StageNames %v", got, want)
	}
}

// TestKafkaDurationsAtLoad: the subscriber's durations and their relations are checked
// when the configuration is loaded, named by their steward.yaml keys (they failed only
// at run, named by Go fields): a drain the session does not outlast gets the member
// evicted while it drains.
func TestKafkaDurationsAtLoad(t *testing.T) {
	c := Config{Kafka: KafkaConfig{SessionTimeout: 10 * time.Second, CommitInterval: -time.Second}}
	c.setDefaults()
	err := c.Validate()
	if err == nil {
		t.Fatal("session_timeout 10s with the default drain (10s) and a negative commit_interval: accepted")
	}
	for _, want := range []string{"kafka.drain_timeout (10s) plus kafka.heartbeat_interval (3s) must be below kafka.session_timeout (10s)", "kafka.commit_interval"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	c = Config{}
	c.setDefaults()
	if err := c.Validate(); err != nil {
		t.Errorf("defaults: %v", err)
	}
}
