package service

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/steward-crm/steward/handlers"
	"github.com/steward-crm/steward/input"
	"github.com/steward-crm/steward/internal/pgtest"
	"github.com/steward-crm/steward/synth"
	"github.com/steward-crm/steward/warehouse/sqlstore"
)

// genFile writes n generated records (JSONL) and returns the path.
func genFile(t testing.TB, n int, seed int64) string {
	t.Helper()
	g, err := synth.New(synth.Config{N: n, DupRate: 0.3, Seed: seed})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	for {
		r, err := g.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		enc.Encode(r)
	}
	p := filepath.Join(t.TempDir(), "gen.jsonl")
	if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// startRun runs s.Run in the background; the returned stop cancels it and waits.
func startRun(t testing.TB, s *Service) (stop func()) {
	t.Helper()
	stop, _ = startRunAddr(t, s)
	return stop
}

// startRunAddr is startRun that also returns the HTTP address (/metrics).
func startRunAddr(t testing.TB, s *Service) (stop func(), addr string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan struct{})
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx, RunOptions{Ready: func(a string) { addr = a; close(ready) }}) }()
	select {
	case <-ready:
	case err := <-done:
		t.Fatalf("run: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("run never became ready")
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("run: %v", err)
			}
		})
	}, addr
}

// clusters returns the warehouse's clustering as a canonical, comparable form: for each
// source record key, the sorted keys of its master's records.
func clusters(t *testing.T, s *Service) map[string]string {
	t.Helper()
	rows, err := s.Store.(*sqlstore.Store).DB().Query(`SELECT source || ':' || source_id, master_id FROM source_records WHERE deleted = FALSE`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	byMaster := map[int64][]string{}
	for rows.Next() {
		var k string
		var m int64
		rows.Scan(&k, &m)
		byMaster[m] = append(byMaster[m], k)
	}
	out := map[string]string{}
	for _, ks := range byMaster {
		sort.Strings(ks)
		c := strings.Join(ks, ",")
		for _, k := range ks {
			out[k] = c
		}
	}
	return out
}

func scaleOutService(t testing.TB, db string, brokers []string, group string) *Service {
	t.Helper()
	return scaleOutServiceRules(t, db, brokers, group, "")
}

// scaleOutServiceRules is scaleOutService with the rules of a directory.
func scaleOutServiceRules(t testing.TB, db string, brokers []string, group, rulesDir string) *Service {
	t.Helper()
	return openService(t, scaleOutConfig(db, brokers, group, rulesDir))
}

// scaleOutConfig is the configuration of scaleOutServiceRules: fastKafka's, with the
// benchmarks' STEWARD_BENCH_* settings.
func scaleOutConfig(db string, brokers []string, group, rulesDir string) Config {
	cfg := Config{Database: db, RulesDir: rulesDir}
	fastKafka(&cfg, brokers)
	cfg.Kafka.Partitions = 6
	if v := os.Getenv("STEWARD_BENCH_PARTITIONS"); v != "" {
		fmt.Sscan(v, &cfg.Kafka.Partitions)
	}
	if v := os.Getenv("STEWARD_BENCH_RESOLVE_BATCH"); v != "" {
		fmt.Sscan(v, &cfg.Kafka.ResolveBatch)
	}
	if v := os.Getenv("STEWARD_BENCH_RESOLVE_WORKERS"); v != "" {
		fmt.Sscan(v, &cfg.Kafka.ResolveWorkers)
	}
	if v := os.Getenv("STEWARD_BENCH_STAGES"); v != "" {
		cfg.Kafka.Stages = v
	}
	if v := os.Getenv("STEWARD_BENCH_IN_FLIGHT"); v != "" {
		fmt.Sscan(v, &cfg.Kafka.InFlight)
	}
	cfg.Kafka.Group = group
	return cfg
}

// openService opens a service of cfg, closed when the test ends.
func openService(t testing.TB, cfg Config) *Service {
	t.Helper()
	s, err := Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func countRows(t testing.TB, s *Service, q string) int {
	t.Helper()
	var n int
	if err := s.Store.(*sqlstore.Store).DB().QueryRow(q).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestScaleOutThreeConsumers: 10 000 records on Kafka, three consumers in one group
// resolve them into PostgreSQL; the warehouse then holds exactly one row per source record
// and the same clusters as a single consumer gives.
//
// The rules are the default ones with order_independent and auto_merge on, and no
// blocking cap within reach: streaming clusters are then the connected components of the
// pairs at or above the auto threshold among the records that share a blocking key,
// whatever the order of arrival. Each such pair is scored by whichever of its records
// comes second (they share a key, so their transactions are serialized by its lock), a
// record linking two masters merges them, and a record whose master another consumer
// merged meanwhile joins the survivor. With the default rules a record is compared with
// every member of a candidate master, and what it meets that way depends on which records
// came first (TestOrderIndependentClusters in resolve shows three such records).
func TestScaleOutThreeConsumers(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	n := 10000
	if raceEnabled {
		n = 1500
	}
	if v := os.Getenv("STEWARD_TEST_SCALEOUT_N"); v != "" {
		fmt.Sscan(v, &n)
	}
	brokers := kafkaCluster(t)
	file := genFile(t, n, 11)
	rulesDir := rulesWith(t, map[string]string{"auto_merge: false": "auto_merge: true", "order_independent: false": "order_independent: true", "max_block_size: 50": "max_block_size: 1000000"})

	multiDB, singleDB := pgtest.URL(t), pgtest.URL(t)
	var consumers []*Service
	for i := 0; i < 3; i++ {
		consumers = append(consumers, scaleOutServiceRules(t, multiDB, brokers, "multi", rulesDir))
	}
	if sum, err := consumers[0].Produce(context.Background(), []string{file}, input.Options{}, 500); err != nil || sum.Published != int64(n) {
		t.Fatalf("produce: %+v %v", sum, err)
	}
	start := time.Now()
	var stops []func()
	for _, c := range consumers {
		stops = append(stops, startRun(t, c))
	}
	waitFor(t, 5*time.Minute, "3 consumers to resolve every record", func() bool {
		got := countRows(t, consumers[0], `SELECT COUNT(*) FROM source_records`)
		if testing.Verbose() {
			t.Logf("%s: %d source records", time.Since(start).Round(time.Second), got)
		}
		return got == n
	})
	t.Logf("3 consumers: %d records in %s", n, time.Since(start).Round(time.Millisecond))
	for _, stop := range stops {
		stop()
	}

	single := scaleOutServiceRules(t, singleDB, brokers, "single", rulesDir)
	start = time.Now()
	stop := startRun(t, single)
	waitFor(t, 5*time.Minute, "1 consumer to resolve every record", func() bool {
		return countRows(t, single, `SELECT COUNT(*) FROM source_records`) == n
	})
	t.Logf("1 consumer: %d records in %s", n, time.Since(start).Round(time.Millisecond))
	stop()

	if d := countRows(t, consumers[0], `SELECT COUNT(*) FROM (SELECT source, source_id FROM source_records GROUP BY source, source_id HAVING COUNT(*) > 1) x`); d != 0 {
		t.Errorf("%d duplicated source rows", d)
	}
	a, b := clusters(t, consumers[0]), clusters(t, single)
	var diff []string
	for k, c := range a {
		if b[k] != c {
			diff = append(diff, fmt.Sprintf("%s: 3 consumers {%s}, 1 consumer {%s}", k, c, b[k]))
		}
	}
	slices.Sort(diff)
	if len(diff) > 0 {
		t.Errorf("%d of %d records clustered differently:\n%s", len(diff), n, strings.Join(diff[:min(len(diff), 20)], "\n"))
	}
	merged := countRows(t, single, `SELECT COUNT(*) FROM merge_events WHERE kind = 'merge'`)
	masters := countRows(t, single, `SELECT COUNT(DISTINCT master_id) FROM source_records`)
	t.Logf("%d masters, %d merges in the single-consumer run", masters, merged)
	if masters >= n || merged == 0 {
		t.Errorf("%d masters and %d merges for %d records: the data did not exercise linking and merging", masters, merged, n)
	}
}

// rulesWith copies the default rules to a directory, with each text of the main file
// replaced as given, and returns the directory.
func rulesWith(t *testing.T, replace map[string]string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "rules")
	if err := os.CopyFS(dir, os.DirFS("../rules/default")); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "rules.yaml")
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	for from, to := range replace {
		if !strings.Contains(text, from) {
			t.Fatalf("rules.yaml has no %q", from)
		}
		text = strings.Replace(text, from, to, 1)
	}
	if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestDeadLettersOfOddKeysOnPostgres: messages whose Kafka key or position header is not
// UTF-8 or holds a NUL (any producer can write them), and whose values are not JSON,
// end in the warehouse's dead letters on PostgreSQL, whose text columns refuse those
// bytes: the dead letter stores them written \xHH. Before, the DLQ handler's insert
// failed and was retried forever, and contacts.dlq's partition never moved past it.
// The valid record behind them on the raw topic is resolved.
func TestDeadLettersOfOddKeysOnPostgres(t *testing.T) {
	brokers := kafkaCluster(t)
	cfg := scaleOutConfig(pgtest.URL(t), brokers, "odd", "")
	s := openService(t, cfg)
	w := &kafka.Writer{Addr: kafka.TCP(brokers...), Topic: s.Config.Kafka.Topics.Raw, Balancer: &kafka.Hash{}, AllowAutoTopicCreation: true}
	defer w.Close()
	msgs := []kafka.Message{
		{Key: []byte("web:\xff\xfe"), Value: []byte("not json")},
		{Key: []byte("web:a\x00b"), Value: []byte("not json either"), Headers: []kafka.Header{{Key: handlers.PositionMetadata, Value: []byte("upstream\xff@1")}}},
		{Key: []byte("web:p1"), Value: []byte(`{"source":"web","source_id":"p1","given_name":"Élodie","family_name":"Poisson","emails":["e.poisson@example.fr"]}`)},
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := w.WriteMessages(ctx, msgs...); err != nil {
		t.Fatal(err)
	}
	stop, _ := startRunAddr(t, s)
	defer stop()
	waitFor(t, 60*time.Second, "two dead letters and one source record", func() bool {
		st, err := s.Store.Stats(context.Background())
		return err == nil && st.DeadLetters == 2 && st.SourceRecords == 1
	})
	dls, err := s.Store.DeadLetters(context.Background(), 10)
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]string{}
	for _, d := range dls {
		keys[d.SourceKey] = d.Position
	}
	if _, ok := keys[`web:\xff\xfe`]; !ok {
		t.Errorf("dead letters by key and position %q, want web:\\xff\\xfe", keys)
	}
	if pos := keys[`web:a\x00b`]; pos != `upstream\xff@1` {
		t.Errorf("dead letters by key and position %q, want web:a\\x00b at upstream\\xff@1", keys)
	}
}
