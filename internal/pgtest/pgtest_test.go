package pgtest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

func TestMain(m *testing.M) { RunMain(m) }

func connect(t *testing.T, url string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

func dbExists(t *testing.T, name string) bool {
	t.Helper()
	admin, err := adminURL()
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := connect(t, admin).QueryRow(context.Background(), `SELECT COUNT(*) FROM pg_database WHERE datname = $1`, name).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n == 1
}

func TestURLGivesFreshDatabases(t *testing.T) {
	ctx := context.Background()
	u1, u2 := URL(t), URL(t)
	if u1 == u2 {
		t.Fatalf("two URL calls gave the same URL %s", u1)
	}
	c1, c2 := connect(t, u1), connect(t, u2)
	var db1, db2 string
	if err := c1.QueryRow(ctx, `SELECT current_database()`).Scan(&db1); err != nil {
		t.Fatal(err)
	}
	if err := c2.QueryRow(ctx, `SELECT current_database()`).Scan(&db2); err != nil {
		t.Fatal(err)
	}
	if db1 == db2 || db1[:len("steward_test_")] != "steward_test_" {
		t.Fatalf("databases %q and %q", db1, db2)
	}
	// Empty, and separate.
	var tables int
	if err := c1.QueryRow(ctx, `SELECT COUNT(*) FROM pg_tables WHERE schemaname = 'public'`).Scan(&tables); err != nil || tables != 0 {
		t.Fatalf("fresh database has %d tables (%v)", tables, err)
	}
	if _, err := c1.Exec(ctx, `CREATE TABLE t (x int); INSERT INTO t VALUES (42)`); err != nil {
		t.Fatal(err)
	}
	var x int
	if err := c1.QueryRow(ctx, `SELECT x FROM t`).Scan(&x); err != nil || x != 42 {
		t.Fatalf("query: %d %v", x, err)
	}
	if _, err := c2.Exec(ctx, `SELECT x FROM t`); err == nil {
		t.Fatal("a table of the first database is visible in the second")
	}
}

func TestDatabaseDroppedAfterTest(t *testing.T) {
	var name string
	t.Run("uses", func(t *testing.T) {
		conn := connect(t, URL(t)) // left open on purpose: the drop must still work
		if err := conn.QueryRow(context.Background(), `SELECT current_database()`).Scan(&name); err != nil {
			t.Fatal(err)
		}
		if !dbExists(t, name) {
			t.Fatalf("database %s does not exist during the test", name)
		}
	})
	if name == "" {
		t.Skip("subtest skipped")
	}
	if dbExists(t, name) {
		t.Fatalf("database %s still exists after its test", name)
	}
}

func TestEphemeralClusterSettings(t *testing.T) {
	if os.Getenv(EnvURL) != "" {
		t.Skip("using " + EnvURL)
	}
	conn := connect(t, URL(t))
	for name, want := range map[string]string{"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off", "listen_addresses": "127.0.0.1"} {
		var got string
		if err := conn.QueryRow(context.Background(), "SELECT current_setting($1)", name).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	mu.Lock()
	c := srv
	mu.Unlock()
	t.Logf("cluster in %s, binaries from %s", c.dir, c.bin)
	if fi, err := os.Stat(filepath.Join(c.dir, "data", "PG_VERSION")); err != nil || fi.IsDir() {
		t.Errorf("cluster directory: %v", err)
	}
}

func TestReapStale(t *testing.T) {
	// A test binary that is gone: a finished process's pid.
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Skip(err)
	}
	dead := cmd.Process.Pid
	stale, err := os.MkdirTemp("", dirPrefix)
	if err != nil {
		t.Fatal(err)
	}
	live, err := os.MkdirTemp("", dirPrefix)
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(live)
	os.WriteFile(filepath.Join(stale, "owner"), []byte(strconv.Itoa(dead)), 0o644)
	os.WriteFile(filepath.Join(live, "owner"), []byte(strconv.Itoa(os.Getpid())), 0o644)
	fresh, err := os.MkdirTemp("", dirPrefix) // no owner yet: being created
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(fresh)
	reapStale()
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		os.RemoveAll(stale)
		t.Errorf("stale cluster directory not removed (%v)", err)
	}
	for _, d := range []string{live, fresh} {
		if _, err := os.Stat(d); err != nil {
			t.Errorf("%s removed: %v", d, err)
		}
	}
}

func TestCompareVersions(t *testing.T) {
	for _, c := range []struct {
		a, b string
		sign int
	}{{"9.6", "15", -1}, {"15", "16", -1}, {"16", "15", 1}, {"15", "15", 0}, {"10", "9.6", 1}} {
		got := compareVersions(c.a, c.b)
		if (got < 0 && c.sign >= 0) || (got > 0 && c.sign <= 0) || (got == 0 && c.sign != 0) {
			t.Errorf("compareVersions(%q, %q) = %d", c.a, c.b, got)
		}
	}
}

// fakeTB records Skipf and Fatalf instead of ending the test.
type fakeTB struct {
	testing.TB
	skipped, failed string
}

func (f *fakeTB) Skipf(format string, args ...any)  { f.skipped = fmt.Sprintf(format, args...) }
func (f *fakeTB) Fatalf(format string, args ...any) { f.failed = fmt.Sprintf(format, args...) }

func TestUnavailable(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	saved := binGlob
	binGlob = filepath.Join(t.TempDir(), "*", "bin")
	defer func() { binGlob = saved }()
	_, err := findBin()
	if err == nil {
		t.Fatal("findBin found binaries in empty folders")
	}
	t.Setenv("CI", "")
	f := &fakeTB{TB: t}
	unavailable(f, err)
	if f.skipped == "" || f.failed != "" || !strings.Contains(f.skipped, "initdb") {
		t.Errorf("outside CI: skipped %q, failed %q", f.skipped, f.failed)
	}
	t.Setenv("CI", "true")
	f = &fakeTB{TB: t}
	unavailable(f, err)
	if f.failed == "" || f.skipped != "" {
		t.Errorf("CI=true: skipped %q, failed %q", f.skipped, f.failed)
	}
}

func TestFindBinFallsBackToDebianFolders(t *testing.T) {
	dirs, _ := filepath.Glob(binGlob)
	if len(dirs) == 0 {
		t.Skip("no " + binGlob)
	}
	t.Setenv("PATH", t.TempDir())
	bin, err := findBin()
	if err != nil || !strings.HasPrefix(bin, "/usr/lib/postgresql/") {
		t.Fatalf("findBin = %q, %v", bin, err)
	}
}

// TestServerCPU: the cluster's CPU time grows by what a backend spends, also once that
// backend has exited (its time then counts in the postmaster's reaped time), and never
// goes down.
func TestServerCPU(t *testing.T) {
	url := URL(t)
	if os.Getenv(EnvURL) != "" {
		if _, ok := ServerCPU(); ok {
			t.Fatal("ServerCPU measured a server of " + EnvURL)
		}
		t.Skip("ServerCPU measures the ephemeral cluster only")
	}
	before, ok := ServerCPU()
	if !ok {
		t.Fatal("ServerCPU: not measured")
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	// ~0.3 s of one backend's CPU.
	if _, err := conn.Exec(ctx, `SELECT COUNT(*) FROM generate_series(1, 6000000)`); err != nil {
		t.Fatal(err)
	}
	live, ok := ServerCPU()
	if !ok || live-before < 100*time.Millisecond {
		t.Fatalf("with the backend live: %v → %v (ok %v), want at least 100 ms more", before, live, ok)
	}
	conn.Close(ctx)
	var gone time.Duration
	for range 50 { // the postmaster reaps the backend
		time.Sleep(20 * time.Millisecond)
		if gone, ok = ServerCPU(); ok && gone >= live {
			break
		}
	}
	if gone < live {
		t.Errorf("after the backend exited: %v, below the %v measured while it lived", gone, live)
	}
}
