// Package pgtest gives tests a real PostgreSQL: URL returns the connection URL of a fresh,
// empty database that is dropped when the test ends.
//
// Where the server comes from:
//
//   - STEWARD_TEST_DATABASE_URL set (a postgres:// URL of a role allowed to CREATE
//     DATABASE): that server. Each URL call creates a database steward_test_<random> on it
//     and drops it in t.Cleanup.
//   - Otherwise an ephemeral cluster, started once per test binary from the system's
//     initdb and postgres (found on PATH, then in /usr/lib/postgresql/*/bin, highest
//     version first) in a temporary directory, on a free 127.0.0.1 port and a unix socket
//     in that directory, with fsync, full_page_writes and synchronous_commit off (the data
//     is thrown away anyway) and shared_buffers of SharedBuffers. Run as root (CI), the
//     binaries run as the "postgres" user (the directory is chowned to it; the child
//     process switches user like runuser -u postgres would): initdb and pg_ctl refuse to
//     run as root. The postmaster is started directly (not through pg_ctl start) so that
//     it stays a child of the test binary.
//
// For profiling, the ephemeral cluster takes more server settings from
// STEWARD_PGTEST_SETTINGS (space-separated name=value pairs, e.g. "shared_buffers=1GB
// shared_preload_libraries=pg_stat_statements"), and STEWARD_PGTEST_LOG_SLOW=N logs the
// statements slower than N ms into a copy at STEWARD_PGTEST_LOG_SLOW_FILE when it stops.
//
// The ephemeral cluster is initialized without a locale (collation "C"). A production
// server often has another (the postgres Docker image: en_US.utf8), in which text
// comparisons go through the C library; STEWARD_PGTEST_LOCALE=C.UTF-8 (or any locale the
// system has) creates the tests' databases with it, and URLLocale gives one test such a
// database.
//
// If no PostgreSQL can be found or started, URL skips the test with the reason, except
// when CI=true: there a test that needs PostgreSQL fails instead of silently skipping.
//
// Call RunMain from TestMain so that the cluster is stopped (pg_ctl stop -m fast) and its
// directory removed when the tests end:
//
//	func TestMain(m *testing.M) { pgtest.RunMain(m) }
//
// Without it nothing piles up either: the postmaster is a child of the test binary with
// a parent-death signal (it shuts down when the binary exits, even when killed), and the
// next start removes the directories of clusters whose test binary is gone.
package pgtest
