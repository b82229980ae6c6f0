package service

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/steward-crm/steward/input"
	"github.com/steward-crm/steward/warehouse"
)

// TestProduceDeadLettersUnreadableRows: the rows produce cannot read (a CSV row with a
// bare quote, one whose mapping fails) go to the dead-letter topic with their position,
// stage "read" and reason, and `steward run` stores them in dead_letters, as ingest
// does; they were only logged, and lost.
func TestProduceDeadLettersUnreadableRows(t *testing.T) {
	brokers := kafkaCluster(t)
	cfg := Config{Database: filepath.Join(t.TempDir(), "w.db")}
	fastKafka(&cfg, brokers)
	s := openService(t, cfg)
	file := filepath.Join(t.TempDir(), "crm.csv")
	if err := os.WriteFile(file, []byte("source_id,given_name,email\n1,Ann,ann@example.fr\n,Bob,bob@example.fr\n3,\"Cy\"x,cy@example.fr\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	sum, err := s.Produce(context.Background(), []string{file}, input.Options{}, 10)
	if err != nil || sum.Read != 3 || sum.Published != 1 || sum.Rejected != 2 {
		t.Fatalf("produce: %+v, %v", sum, err)
	}
	stop := startRun(t, s)
	defer stop()
	var dls []warehouse.DeadLetter
	waitFor(t, 30*time.Second, "two dead letters", func() bool {
		dls, _ = s.Store.DeadLetters(context.Background(), 10)
		return len(dls) == 2
	})
	var positions []string
	for _, d := range dls {
		if d.Stage != "read" || d.Reason == "" || len(d.Payload) == 0 {
			t.Errorf("dead letter %+v", d)
		}
		positions = append(positions, d.Position)
	}
	slices.Sort(positions)
	if !slices.Equal(positions, []string{"crm.csv:3", "crm.csv:4"}) && !slices.Equal(positions, []string{file + ":3", file + ":4"}) {
		t.Errorf("positions %v", positions)
	}
	waitFor(t, 30*time.Second, "the readable record", func() bool { return countRows(t, s, `SELECT COUNT(*) FROM source_records`) == 1 })
}

// TestProduceOverLongLine: a line over input.MaxLineBytes is a dead letter whose payload
// is cut to fit the dead-letter topic (it stopped produce: "message too large"), with a
// reason saying so, and the lines after it are published.
func TestProduceOverLongLine(t *testing.T) {
	brokers := kafkaCluster(t)
	cfg := Config{Database: filepath.Join(t.TempDir(), "w.db")}
	fastKafka(&cfg, brokers)
	s := openService(t, cfg)
	file := filepath.Join(t.TempDir(), "big.jsonl")
	long := `{"source":"crm","source_id":"L1","given_name":"` + strings.Repeat("x", input.MaxLineBytes+10) + `"}` + "\n"
	if err := os.WriteFile(file, []byte(long+`{"source":"crm","source_id":"2","given_name":"Ann","family_name":"Lee"}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	sum, err := s.Produce(context.Background(), []string{file}, input.Options{}, 10)
	if err != nil || sum.Read != 2 || sum.Published != 1 || sum.Rejected != 1 {
		t.Fatalf("produce: %+v, %v", sum, err)
	}
	stop := startRun(t, s)
	defer stop()
	var dls []warehouse.DeadLetter
	waitFor(t, 30*time.Second, "the dead letter", func() bool {
		dls, _ = s.Store.DeadLetters(context.Background(), 10)
		return len(dls) == 1
	})
	if d := dls[0]; len(d.Payload) > maxDeadLetterPayload || !strings.Contains(d.Reason, "payload is cut") {
		t.Errorf("dead letter: %d bytes of payload, reason %q", len(d.Payload), d.Reason)
	}
}
