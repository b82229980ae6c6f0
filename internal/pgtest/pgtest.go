package pgtest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// EnvURL names the environment variable holding an existing server's URL.
const EnvURL = "STEWARD_TEST_DATABASE_URL"

// binGlob is where Debian installs the server binaries of each major version.
var binGlob = "/usr/lib/postgresql/*/bin"

// SharedBuffers is the ephemeral cluster's shared_buffers: the hot part of the benchmarks'
// warehouses (100 000 masters: ~250 MB of source rows, ~200 MB of blocking keys and their
// index) fits, as it would on a server tuned for its data (PostgreSQL's guide: a quarter
// of the memory). With 64 MB, each resolve batch's reads evicted and wrote back hundreds of
// dirty buffers (auto_explain: "read=887 written=454" for one candidate read), and the
// database took 226–248 µs of CPU per record in BenchmarkKafkaToPostgres against 189–217
// with 256 MB (three interleaved rounds, 30 000 records). The memory is the server's
// shared mapping, touched only as pages are used: a test's small database costs what it
// uses.
const SharedBuffers = "256MB"

// dirPrefix starts the name of every ephemeral cluster's directory.
const dirPrefix = "steward-pgtest-"

var (
	startOnce sync.Once
	startErr  error
	mu        sync.Mutex // guards srv
	srv       *cluster
)

// URL returns the connection URL of a fresh, empty database for this test, dropped in
// t.Cleanup. It skips the test when no PostgreSQL is available (fails it when CI=true).
// The database has the server's default locale, or STEWARD_PGTEST_LOCALE's.
func URL(t testing.TB) string {
	t.Helper()
	return URLLocale(t, os.Getenv("STEWARD_PGTEST_LOCALE"))
}

// URLLocale is URL for a database of the given locale (its collation and character
// classes, e.g. "C.UTF-8" or "en_US.UTF-8"; "" for the server's default), created from
// template0.
func URLLocale(t testing.TB, locale string) string {
	t.Helper()
	if locale == "" {
		return URLWith(t, "")
	}
	return URLWith(t, "LOCALE "+quoteLiteral(locale))
}

// URLWith is URL for a database created from template0 with the given options of CREATE
// DATABASE (e.g. "LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C'"; "" for none,
// from the default template). Options the server refuses (an unknown locale, no ICU, a
// server too old) skip the test, or fail it under CI.
func URLWith(t testing.TB, options string) string {
	t.Helper()
	admin, err := adminURL()
	if err != nil {
		unavailable(t, err)
	}
	name, err := randomName()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	create := "CREATE DATABASE " + pgx.Identifier{name}.Sanitize()
	if options != "" {
		create += " TEMPLATE template0 " + options
	}
	if err := adminExec(ctx, admin, create); err != nil {
		var pe *pgconn.PgError
		// invalid parameter value (a locale), feature not supported (ICU), syntax error
		// (an option of a later version)
		if options != "" && errors.As(err, &pe) && (pe.Code == "22023" || pe.Code == "0A000" || pe.Code == "42601") {
			unavailable(t, fmt.Errorf("the server refuses a database with %s: %w", options, err))
		}
		if os.Getenv(EnvURL) == "" {
			t.Fatalf("pgtest: create database: %v", err)
		}
		unavailable(t, fmt.Errorf("create database on %s: %w", EnvURL, err))
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := dropDatabase(ctx, admin, name); err != nil {
			t.Errorf("pgtest: drop database %s: %v", name, err)
		}
	})
	u, err := withDatabase(admin, name)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// RunMain runs the tests, stops the ephemeral cluster if one was started and exits with
// the tests' status. Call it from TestMain.
func RunMain(m *testing.M) {
	code := m.Run()
	if err := Stop(); err != nil {
		fmt.Fprintln(os.Stderr, "pgtest:", err)
	}
	os.Exit(code)
}

// Stop stops the ephemeral cluster (if any) and removes its directory. URL must not be
// called afterwards.
func Stop() error {
	mu.Lock()
	c := srv
	srv = nil
	mu.Unlock()
	if c == nil {
		return nil
	}
	return c.stop()
}

func unavailable(t testing.TB, err error) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("pgtest: PostgreSQL is required (CI=true) but unavailable: %v", err)
		return
	}
	t.Skipf("pgtest: no PostgreSQL, skipping: %v (install postgresql or set %s)", err, EnvURL)
}

// adminURL returns the URL of a database to run CREATE/DROP DATABASE from.
func adminURL() (string, error) {
	if u := os.Getenv(EnvURL); u != "" {
		if _, err := withDatabase(u, "x"); err != nil {
			return "", fmt.Errorf("%s: %w", EnvURL, err)
		}
		return u, nil
	}
	startOnce.Do(func() {
		c, err := start()
		mu.Lock()
		srv, startErr = c, err
		mu.Unlock()
	})
	mu.Lock()
	defer mu.Unlock()
	if startErr != nil {
		return "", startErr
	}
	if srv == nil {
		return "", errors.New("the ephemeral cluster was stopped")
	}
	return srv.url("postgres"), nil
}

func randomName() (string, error) {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return "steward_test_" + hex.EncodeToString(b), nil
}

// withDatabase returns the URL u pointing at database name.
func withDatabase(u, name string) (string, error) {
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "postgres" && p.Scheme != "postgresql") {
		return "", fmt.Errorf("want a postgres:// URL, got %q", u)
	}
	p.Path, p.RawPath = "/"+name, ""
	return p.String(), nil
}

func adminExec(ctx context.Context, admin, sql string) error {
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	_, err = conn.Exec(ctx, sql)
	return err
}

func dropDatabase(ctx context.Context, admin, name string) error {
	id := pgx.Identifier{name}.Sanitize()
	// WITH (FORCE) (PostgreSQL 13+) ends the connections a test left open.
	err := adminExec(ctx, admin, "DROP DATABASE IF EXISTS "+id+" WITH (FORCE)")
	if err != nil && strings.Contains(err.Error(), "syntax error") {
		err = adminExec(ctx, admin, "DROP DATABASE IF EXISTS "+id)
	}
	return err
}

// cluster is an ephemeral PostgreSQL cluster owned by this test binary.
type cluster struct {
	bin    string // folder of initdb, pg_ctl, postgres
	dir    string // temp dir: data/, log, owner, socket
	port   int
	cred   *syscall.Credential // run as this user (nil: as ourselves)
	proc   *os.Process
	exited chan struct{} // closed when the postmaster exits
}

func (c *cluster) data() string { return filepath.Join(c.dir, "data") }

func (c *cluster) url(db string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", c.port, db)
}

// command runs a PostgreSQL binary as the cluster's user.
func (c *cluster) command(name string, args ...string) *exec.Cmd {
	cmd := exec.Command(filepath.Join(c.bin, name), args...)
	cmd.Env = append(os.Environ(), "LC_ALL=C", "LANG=C")
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: c.cred}
	return cmd
}

// start finds the binaries, runs initdb in a new temp dir and starts the postmaster.
func start() (*cluster, error) {
	bin, err := findBin()
	if err != nil {
		return nil, err
	}
	reapStale()
	c := &cluster{bin: bin}
	base := os.TempDir()
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			return nil, fmt.Errorf("running as root, initdb needs the \"postgres\" user: %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		c.cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		if !traversable(base) {
			base = "/tmp"
		}
	}
	if c.dir, err = os.MkdirTemp(base, dirPrefix); err != nil {
		return nil, err
	}
	ok := false
	defer func() {
		if !ok {
			os.RemoveAll(c.dir)
		}
	}()
	if err := os.WriteFile(filepath.Join(c.dir, "owner"), []byte(strconv.Itoa(os.Getpid())), 0o644); err != nil {
		return nil, err
	}
	if c.cred != nil {
		if err := os.Chown(c.dir, int(c.cred.Uid), int(c.cred.Gid)); err != nil {
			return nil, err
		}
	}
	initdb := c.command("initdb", "-D", c.data(), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-locale", "--no-sync", "--no-instructions")
	if out, err := initdb.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("initdb: %v\n%s", err, out)
	}
	// A free port may be taken between choosing it and binding it: try a few.
	for attempt := 0; ; attempt++ {
		err = c.startPostmaster()
		if err == nil {
			ok = true
			return c, nil
		}
		if attempt == 2 {
			return nil, err
		}
	}
}

func (c *cluster) startPostmaster() error {
	port, err := freePort()
	if err != nil {
		return err
	}
	c.port = port
	sockets := c.dir
	if len(c.dir)+len("/.s.PGSQL.65535.lock") > 107 { // sun_path limit: TCP only
		sockets = ""
	}
	logf, err := os.OpenFile(filepath.Join(c.dir, "log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer logf.Close()
	cmd := c.command("postgres", "-D", c.data(), "-p", strconv.Itoa(port),
		"-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories="+sockets,
		"-c", "fsync=off", "-c", "full_page_writes=off", "-c", "synchronous_commit=off",
		"-c", "max_connections=200", "-c", "shared_buffers="+SharedBuffers)
	if v := os.Getenv("STEWARD_PGTEST_LOG_SLOW"); v != "" {
		// Statements slower than v milliseconds go to the log, and the log is copied to
		// STEWARD_PGTEST_LOG_SLOW_FILE when the cluster stops (profiling benchmarks).
		cmd.Args = append(cmd.Args, "-c", "log_min_duration_statement="+v)
	}
	// STEWARD_PGTEST_SETTINGS adds server settings, space-separated name=value pairs
	// (profiling benchmarks: "shared_buffers=512MB track_io_timing=on").
	for _, kv := range strings.Fields(os.Getenv("STEWARD_PGTEST_SETTINGS")) {
		cmd.Args = append(cmd.Args, "-c", kv)
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	// Its own process group (a terminal's ^C reaches the test binary, which stops the
	// cluster), and SIGINT (fast shutdown) when the test binary dies, however it dies.
	cmd.SysProcAttr.Setpgid = true
	cmd.SysProcAttr.Pdeathsig = syscall.SIGINT
	started := make(chan error, 1)
	exited := make(chan struct{})
	go func() {
		// The parent-death signal fires when the thread that forked the child exits:
		// start and wait from a thread that lives as long as the postmaster.
		runtime.LockOSThread()
		if err := cmd.Start(); err != nil {
			started <- err
			return
		}
		started <- nil
		cmd.Wait()
		close(exited)
	}()
	if err := <-started; err != nil {
		return fmt.Errorf("start postgres: %w", err)
	}
	c.proc, c.exited = cmd.Process, exited
	deadline := time.Now().Add(60 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		conn, err := pgx.Connect(ctx, c.url("postgres"))
		cancel()
		if err == nil {
			conn.Close(context.Background())
			return nil
		}
		select {
		case <-exited:
			return fmt.Errorf("postgres exited at start-up:\n%s", c.logTail())
		case <-time.After(30 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			c.proc.Signal(syscall.SIGQUIT)
			<-exited
			return fmt.Errorf("postgres not ready after 60s: %v\n%s", err, c.logTail())
		}
	}
}

func (c *cluster) logTail() string {
	b, _ := os.ReadFile(filepath.Join(c.dir, "log"))
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}

// stop stops the postmaster (pg_ctl stop -m fast, signals if that fails) and removes the
// cluster's directory.
func (c *cluster) stop() error {
	var errs []error
	select {
	case <-c.exited:
	default:
		out, err := c.command("pg_ctl", "stop", "-D", c.data(), "-m", "fast", "-w", "-t", "30").CombinedOutput()
		if err != nil {
			errs = append(errs, fmt.Errorf("pg_ctl stop: %v: %s", err, bytes.TrimSpace(out)))
			c.proc.Signal(syscall.SIGQUIT)
		}
		select {
		case <-c.exited:
		case <-time.After(30 * time.Second):
			c.proc.Kill()
			<-c.exited
		}
	}
	if dst := os.Getenv("STEWARD_PGTEST_LOG_SLOW_FILE"); dst != "" {
		if b, err := os.ReadFile(filepath.Join(c.dir, "log")); err == nil {
			os.WriteFile(dst, b, 0o644)
		}
	}
	if err := os.RemoveAll(c.dir); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// findBin returns the folder holding initdb, pg_ctl and postgres: PATH first, then
// /usr/lib/postgresql/<version>/bin, highest version first.
func findBin() (string, error) {
	has := func(dir string) bool {
		for _, b := range []string{"initdb", "pg_ctl", "postgres"} {
			if fi, err := os.Stat(filepath.Join(dir, b)); err != nil || fi.IsDir() {
				return false
			}
		}
		return true
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		if dir := filepath.Dir(p); has(dir) {
			return dir, nil
		}
	}
	dirs, _ := filepath.Glob(binGlob)
	slices.SortFunc(dirs, func(a, b string) int { // highest version first
		return compareVersions(filepath.Base(filepath.Dir(b)), filepath.Base(filepath.Dir(a)))
	})
	for _, dir := range dirs {
		if has(dir) {
			return dir, nil
		}
	}
	return "", errors.New("initdb/pg_ctl/postgres not found on PATH nor in /usr/lib/postgresql/*/bin")
}

// compareVersions compares dotted numeric versions ("9.6" < "15").
func compareVersions(a, b string) int {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < max(len(as), len(bs)); i++ {
		var x, y int
		if i < len(as) {
			x, _ = strconv.Atoi(as[i])
		}
		if i < len(bs) {
			y, _ = strconv.Atoi(bs[i])
		}
		if x != y {
			return x - y
		}
	}
	return strings.Compare(a, b)
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// traversable reports whether every folder of dir can be entered by other users (the
// postgres user, when we are root).
func traversable(dir string) bool {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return false
	}
	for {
		fi, err := os.Stat(dir)
		if err != nil || fi.Mode().Perm()&0o001 == 0 {
			return false
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return true
		}
		dir = parent
	}
}

// reapStale removes the directories of ephemeral clusters whose test binary is gone (it
// was killed before it could stop its cluster), stopping a postmaster still running there.
func reapStale() {
	bases := []string{os.TempDir()}
	if os.TempDir() != "/tmp" {
		bases = append(bases, "/tmp")
	}
	for _, base := range bases {
		dirs, _ := filepath.Glob(filepath.Join(base, dirPrefix+"*"))
		for _, dir := range dirs {
			reapDir(dir)
		}
	}
}

func reapDir(dir string) {
	if b, err := os.ReadFile(filepath.Join(dir, "owner")); err == nil {
		if pid, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil && alive(pid) {
			return // its test binary is still running
		}
	} else if fi, err := os.Stat(dir); err != nil || time.Since(fi.ModTime()) < time.Minute {
		return // being created right now
	}
	if b, err := os.ReadFile(filepath.Join(dir, "data", "postmaster.pid")); err == nil {
		line, _, _ := strings.Cut(string(b), "\n")
		if pid, err := strconv.Atoi(strings.TrimSpace(line)); err == nil && alive(pid) {
			// Only a postmaster of this very directory (pids get reused).
			if cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid)); err == nil && bytes.Contains(cmdline, []byte(dir)) {
				syscall.Kill(pid, syscall.SIGQUIT)
				for i := 0; i < 100 && alive(pid); i++ {
					time.Sleep(50 * time.Millisecond)
				}
			}
		}
	}
	os.RemoveAll(dir)
}

func alive(pid int) bool {
	if pid <= 0 {
		return false
	}
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// quoteLiteral quotes s as an SQL string literal.
func quoteLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// ServerCPU is the CPU time (user and system) spent so far by the ephemeral cluster's
// processes: the postmaster, its live children, and the children it has reaped (whose
// time the kernel adds to the postmaster's). ok is false when the tests use a server of
// STEWARD_TEST_DATABASE_URL, or the time cannot be read (not Linux). The benchmarks
// report it per record: on a shared 2-core VM the database's CPU per record is steadier
// than the throughput, and it tells the database's share from steward's.
func ServerCPU() (cpu time.Duration, ok bool) {
	mu.Lock()
	c := srv
	mu.Unlock()
	if c == nil || c.proc == nil {
		return 0, false
	}
	select {
	case <-c.exited:
		return 0, false // its pid may be another process's by now
	default:
	}
	// A child reaped while the children are being read moves its whole time into the
	// postmaster's cutime, and would be counted twice or not at all: read again until
	// the postmaster's reaped time is the same before and after.
	pm := c.proc.Pid
	for range 5 {
		before, ok := procTicks(pm)
		if !ok {
			return 0, false
		}
		children, ok := childTicks(pm)
		if !ok {
			return 0, false
		}
		after, ok := procTicks(pm)
		if !ok {
			return 0, false
		}
		if after[2]+after[3] == before[2]+before[3] {
			// Linux reports these in USER_HZ: 100 per second on every architecture Go
			// supports.
			return time.Duration(after[0]+after[1]+after[2]+after[3]+children) * (time.Second / 100), true
		}
	}
	return 0, false
}

// procTicks reads the utime, stime, cutime and cstime of pid, in clock ticks.
func procTicks(pid int) (t [4]int64, ok bool) {
	f, ok := procStat(pid)
	if !ok {
		return t, false
	}
	for i := range t {
		t[i], _ = strconv.ParseInt(f[11+i], 10, 64)
	}
	return t, true
}

// childTicks sums the utime and stime of the live children of parent (PostgreSQL's
// children call setsid: they are not in the postmaster's process group).
func childTicks(parent int) (int64, bool) {
	dirs, err := os.ReadDir("/proc")
	if err != nil {
		return 0, false
	}
	var sum int64
	for _, d := range dirs {
		pid, err := strconv.Atoi(d.Name())
		if err != nil || pid == parent {
			continue
		}
		f, ok := procStat(pid)
		if !ok {
			continue // exited meanwhile
		}
		if ppid, _ := strconv.Atoi(f[1]); ppid != parent {
			continue
		}
		for _, v := range f[11:13] {
			n, _ := strconv.ParseInt(v, 10, 64)
			sum += n
		}
	}
	return sum, true
}

// procStat returns the fields of /proc/pid/stat after the command name (which is in
// parentheses and may hold spaces): state (field 3 of proc(5)) at index 0, ppid at 1,
// utime, stime, cutime, cstime (fields 14–17) at 11–14.
func procStat(pid int) ([]string, bool) {
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return nil, false
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return nil, false
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 15 {
		return nil, false
	}
	return f, true
}
