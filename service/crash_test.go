package service

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/steward-crm/steward/input"
	"github.com/steward-crm/steward/internal/pgtest"
)

// buildSteward compiles the steward binary for process-level tests.
func buildSteward(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "steward")
	cmd := exec.Command("go", "build", "-o", bin, "../cmd/steward")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// TestCrashSafety kills a consumer process with SIGKILL in the middle of a stream and
// restarts it: no record is lost, no source row or audit event is duplicated, and the
// outbox holds exactly one event per warehouse change.
func TestCrashSafety(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	n := 20000
	if raceEnabled {
		n = 4000
	}
	if v := os.Getenv("STEWARD_TEST_CRASH_N"); v != "" {
		fmt.Sscan(v, &n)
	}
	bin := buildSteward(t)
	brokers := kafkaCluster(t)
	db := pgtest.URL(t)
	s := scaleOutService(t, db, brokers, "crash")
	if sum, err := s.Produce(context.Background(), []string{genFile(t, n, 21)}, input.Options{}, 500); err != nil || sum.Published != int64(n) {
		t.Fatalf("produce: %+v %v", sum, err)
	}
	conf := filepath.Join(t.TempDir(), "steward.yaml")
	os.WriteFile(conf, []byte(fmt.Sprintf(`database: %q
http: {addr: "127.0.0.1:0"}
kafka:
  brokers: [%q]
  group: crash
  partitions: 6
  heartbeat_interval: 200ms
  session_timeout: 2s
  rebalance_timeout: 5s
  drain_timeout: 1500ms
  join_group_backoff: 200ms
  commit_interval: 100ms
  outbox_interval: 50ms
`, db, brokers[0])), 0o644)
	start := func() *exec.Cmd {
		cmd := exec.Command(bin, "run", "-config", conf)
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd
	}
	sources := func() int { return countRows(t, s, `SELECT COUNT(*) FROM source_records`) }

	first := start()
	// Polled often: the race build's 4 000 records can pass from none to all within a
	// second, and the kill must come in the middle of the stream.
	waitEvery(t, 10*time.Minute, 20*time.Millisecond, "a quarter of the stream", func() bool { return sources() >= n/4 })
	if err := first.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	first.Wait()
	killedAt := sources()
	t.Logf("killed with %d of %d records resolved", killedAt, n)
	if killedAt >= n {
		t.Fatal("the stream finished before the kill: raise n")
	}

	second := start()
	waitFor(t, 10*time.Minute, "the rest of the stream", func() bool { return sources() == n })
	waitFor(t, time.Minute, "the outbox to drain", func() bool {
		return countRows(t, s, `SELECT COUNT(*) FROM outbox WHERE published_at IS NULL`) == 0
	})
	second.Process.Signal(syscall.SIGTERM)
	if err := second.Wait(); err != nil {
		t.Errorf("steward run after SIGTERM: %v", err)
	}

	checks := map[string]string{
		"duplicated source rows":      `SELECT COUNT(*) FROM (SELECT source, source_id FROM source_records GROUP BY source, source_id HAVING COUNT(*) > 1) x`,
		"records resolved twice":      `SELECT COUNT(*) FROM (SELECT source_key FROM merge_events WHERE kind IN ('new_master', 'link') GROUP BY source_key HAVING COUNT(*) > 1) x`,
		"records without a master":    `SELECT COUNT(*) FROM source_records WHERE master_id IS NULL`,
		"dead letters":                `SELECT COUNT(*) FROM dead_letters`,
		"outbox events minus changes": `SELECT (SELECT COUNT(*) FROM outbox) - (SELECT COUNT(*) FROM merge_events)`,
	}
	for what, q := range checks {
		if got := countRows(t, s, q); got != 0 {
			t.Errorf("%s: %d", what, got)
		}
	}
	if got := countRows(t, s, `SELECT COUNT(DISTINCT source_key) FROM merge_events WHERE kind IN ('new_master', 'link')`); got != n {
		t.Errorf("%d records have a resolution event, want %d", got, n)
	}
	if golden := countTopic(t, brokers, "contacts.golden"); golden < countRows(t, s, `SELECT COUNT(*) FROM outbox`) {
		t.Errorf("%d golden events on Kafka for %d outbox rows: events were lost", golden, countRows(t, s, `SELECT COUNT(*) FROM outbox`))
	}
}
