package postgres

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/steward-crm/steward/contact"
	"github.com/steward-crm/steward/internal/pgtest"
	"github.com/steward-crm/steward/warehouse"
	"github.com/steward-crm/steward/warehouse/sqlstore"
	"github.com/steward-crm/steward/warehouse/storetest"
)

func TestMain(m *testing.M) { pgtest.RunMain(m) }

func open(t *testing.T, url string) *sqlstore.Store {
	t.Helper()
	s, err := Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestContract(t *testing.T) {
	storetest.Run(t, storetest.Harness{
		Open: func(t *testing.T) warehouse.Store { return open(t, pgtest.URL(t)) },
		Exec: func(s warehouse.Store, q string) error {
			_, err := s.(*sqlstore.Store).DB().Exec(q)
			return err
		},
	})
}

// TestContractLocale runs the contract on databases whose locale is not "C", as
// production servers' often is (the postgres Docker image's is en_US.utf8): the columns
// compared by equality have collation "C" (migration 11) and every statement still
// works against them.
func TestContractLocale(t *testing.T) {
	storetest.Run(t, storetest.Harness{
		Open: func(t *testing.T) warehouse.Store { return open(t, pgtest.URLLocale(t, "C.UTF-8")) },
		Exec: func(s warehouse.Store, q string) error {
			_, err := s.(*sqlstore.Store).DB().Exec(q)
			return err
		},
	})
}

// TestKeysCollateC: on a database whose collation is a C library locale, the columns
// looked up by equality compare byte by byte (collation "C", as SQLite's BINARY).
func TestKeysCollateC(t *testing.T) {
	s := open(t, pgtest.URLLocale(t, "C.UTF-8"))
	db := s.DB()
	var dbColl string
	if err := db.QueryRow(`SELECT datcollate FROM pg_database WHERE datname = current_database()`).Scan(&dbColl); err != nil {
		t.Fatal(err)
	}
	if dbColl == "C" || dbColl == "POSIX" {
		t.Fatalf("the test database's collation is %q: the test needs another", dbColl)
	}
	want := map[string][]string{
		"source_records":  {"source", "source_id"},
		"companies":       {"siret", "siren", "lei", "vat", "name_key", "name_token", "postcode", "mapped_siret"},
		"company_domains": {"domain", "owner"},
	}
	for table, cols := range want {
		for _, col := range cols {
			var coll sql.NullString
			err := db.QueryRow(`SELECT collation_name FROM information_schema.columns WHERE table_name = $1 AND column_name = $2`, table, col).Scan(&coll)
			if err != nil || coll.String != "C" {
				t.Errorf("%s.%s: collation %q (%v), want C", table, col, coll.String, err)
			}
		}
	}
	// An ICU database compares through ICU whatever its datcollate says: converted.
	icu := open(t, pgtest.URLWith(t, "LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C'"))
	var icuColl sql.NullString
	if err := icu.DB().QueryRow(`SELECT collation_name FROM information_schema.columns WHERE table_name = 'source_records' AND column_name = 'source_id'`).Scan(&icuColl); err != nil || icuColl.String != "C" {
		t.Errorf("in an ICU database of datcollate C, source_records.source_id has collation %q (%v), want C", icuColl.String, err)
	}

	// A database of collation C compares so already: the migration leaves it (no index
	// rebuilt on upgrade).
	c := open(t, pgtest.URLLocale(t, "C"))
	var coll sql.NullString
	if err := c.DB().QueryRow(`SELECT collation_name FROM information_schema.columns WHERE table_name = 'source_records' AND column_name = 'source_id'`).Scan(&coll); err != nil || coll.Valid {
		t.Errorf("in a database of collation C, source_records.source_id has collation %q (%v), want the default", coll.String, err)
	}
}

// TestKeyReadProbesIndex: the capped key → masters read probes the key index with its
// bigint[] parameter of key hashes (the planner may not pick a sequential scan).
func TestKeyReadProbesIndex(t *testing.T) {
	s := open(t, pgtest.URL(t))
	conn, err := s.DB().Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(context.Background(), `SET enable_seqscan = off`); err != nil {
		t.Fatal(err)
	}
	// sqlstore's aCappedKeyMasters.
	const keyMasters = `SELECT k.h, m.master_id FROM unnest($1::bigint[]) AS k(h)
CROSS JOIN LATERAL (SELECT DISTINCT b.master_id FROM block_keys b WHERE b.key_hash = k.h AND b.master_id > 0 ORDER BY b.master_id LIMIT $2) AS m`
	hs := []int64{sqlstore.BlockKeyHash("email:a@example.org"), sqlstore.BlockKeyHash("phone:+33612345678")}
	rows, err := conn.QueryContext(context.Background(), `EXPLAIN `+keyMasters, hs, 51)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, line)
	}
	if p := strings.Join(plan, "\n"); !strings.Contains(p, "Index Cond: ((key_hash = k.h) AND (master_id > 0))") || strings.Contains(p, "Seq Scan on block_keys") {
		t.Errorf("the key read does not probe the key index:\n%s", p)
	}
}

// TestUpgradeHashesBlockKeys: keys written as text at schema 14 are hashed by migration
// 15 as the store hashes them (ASCII and not), so that records stored before the upgrade
// are still found as candidates by their keys; a row holding two keys of one hash would
// keep one row.
func TestUpgradeHashesBlockKeys(t *testing.T) {
	url := pgtest.URL(t)
	db := schemaAt(t, url, 14)
	keys := []string{"email:lea.lefevre@example.org", "name_postcode:LFFR|75011", "names:léa lefèvre", "given_phonetic:ζωή|L160"}
	if _, err := db.Exec(`INSERT INTO masters (id, golden, created_at, updated_at) VALUES (7, '{}', now(), now())`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO source_records (id, source, source_id, hash, record, master_id, created_at, modified_at)
VALUES (70, 'crm', 'C-70', 'h', '{}', 7, now(), now())`); err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		if _, err := db.Exec(`INSERT INTO block_keys (key, master_id, source_row_id) VALUES ($1, 7, 70)`, k); err != nil {
			t.Fatal(err)
		}
	}
	s := open(t, url)
	checkMigrated(t, s)
	for _, k := range keys {
		var n int
		if err := s.DB().QueryRow(`SELECT COUNT(*) FROM block_keys WHERE key_hash = $1 AND master_id = 7 AND source_row_id = 70`, sqlstore.BlockKeyHash(k)).Scan(&n); err != nil || n != 1 {
			t.Errorf("key %q: %d rows of its hash %d after the upgrade (%v), want 1", k, n, sqlstore.BlockKeyHash(k), err)
		}
	}
	ctx := context.Background()
	if err := s.InTx(ctx, func(tx warehouse.Tx) error {
		cands, err := tx.Candidates(ctx, warehouse.CandidateQuery{Keys: keys, MaxMasters: 10, KeyRows: true})
		if err != nil {
			return err
		}
		for _, k := range keys {
			if ms := cands.Masters[k]; !slices.Equal(ms, []int64{7}) {
				t.Errorf("key %q: masters %v after the upgrade, want [7]", k, ms)
			}
			if ids := cands.KeyRows[k]; !slices.Equal(ids, []int64{70}) {
				t.Errorf("key %q: rows %v after the upgrade, want [70]", k, ids)
			}
		}
		if rows := cands.Rows[7]; len(rows) != 1 || rows[0].ID != 70 {
			t.Errorf("master 7's candidate rows after the upgrade: %+v, want source row 70", rows)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

func TestMigrateTwice(t *testing.T) {
	url := pgtest.URL(t)
	for i := 0; i < 2; i++ {
		s, err := Open(context.Background(), url)
		if err != nil {
			t.Fatalf("open %d: %v", i, err)
		}
		s.Close()
	}
	checkMigrated(t, open(t, url))
}

func checkMigrated(t *testing.T, s *sqlstore.Store) {
	t.Helper()
	var n, max int
	if err := s.DB().QueryRow(`SELECT COUNT(*), MAX(version) FROM schema_migrations`).Scan(&n, &max); err != nil {
		t.Fatal(err)
	}
	if n != sqlstore.SchemaVersion() || max != sqlstore.SchemaVersion() {
		t.Errorf("schema_migrations: %d rows, max version %d; want %d", n, max, sqlstore.SchemaVersion())
	}
}

func TestMigrateConcurrently(t *testing.T) {
	url := pgtest.URL(t)
	const n = 3
	start := make(chan struct{})
	errs := make(chan error, n)
	stores := make(chan *sqlstore.Store, n)
	for i := 0; i < n; i++ {
		go func() {
			<-start
			s, err := Open(context.Background(), url)
			if err == nil {
				stores <- s
			}
			errs <- err
		}()
	}
	close(start)
	for i := 0; i < n; i++ {
		if err := <-errs; err != nil {
			t.Errorf("concurrent open: %v", err)
		}
	}
	close(stores)
	for s := range stores {
		checkMigrated(t, s)
		s.Close()
	}
}

// waitFor polls cond (a database condition that no channel can signal).
func waitFor(t *testing.T, what string, cond func() (bool, error)) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		ok, err := cond()
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// waitingLocks counts the advisory locks waited for in s's database.
func waitingLocks(s *sqlstore.Store) (int, error) {
	var n int
	err := s.DB().QueryRow(`SELECT COUNT(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database
WHERE l.locktype = 'advisory' AND NOT l.granted AND d.datname = current_database()`).Scan(&n)
	return n, err
}

func TestLockKeysSerializes(t *testing.T) {
	s := open(t, pgtest.URL(t))
	ctx := context.Background()
	firstLocked, release := make(chan struct{}), make(chan struct{})
	firstDone := make(chan error, 1)
	go func() {
		firstDone <- s.InTx(ctx, func(tx warehouse.Tx) error {
			if err := tx.LockKeys(ctx, []string{"email:x@y.fr", "phone:+33600000000"}); err != nil {
				return err
			}
			m := &contact.Master{Golden: contact.Golden{FamilyName: "first"}}
			if err := tx.CreateMaster(ctx, m); err != nil {
				return err
			}
			row := &warehouse.SourceRow{Source: "crm", SourceID: "1", Hash: "h", Record: &contact.Record{}, MasterID: m.ID}
			if err := tx.PutSourceRecord(ctx, row); err != nil {
				return err
			}
			if err := tx.ReplaceBlockKeys(ctx, row.ID, []string{"phone:+33600000000"}); err != nil {
				return err
			}
			close(firstLocked)
			<-release
			return nil
		})
	}()
	<-firstLocked

	var secondAcquired atomic.Bool
	secondDone := make(chan error, 1)
	var candidates int
	go func() {
		secondDone <- s.InTx(ctx, func(tx warehouse.Tx) error {
			// Overlaps the first transaction's keys on the phone only.
			if err := tx.LockKeys(ctx, []string{"phone:+33600000000", "name:other"}); err != nil {
				return err
			}
			secondAcquired.Store(true)
			// Read after the lock, in the transaction: sees what the first one committed.
			cands, err := tx.Candidates(ctx, warehouse.CandidateQuery{Keys: []string{"phone:+33600000000"}, MaxMasters: 10})
			if err != nil {
				return err
			}
			candidates = len(cands.Rows)
			return nil
		})
	}()
	// The second transaction is blocked on its advisory lock while the first holds it.
	waitFor(t, "the second transaction to wait for its lock", func() (bool, error) {
		n, err := waitingLocks(s)
		return n == 1, err
	})
	if secondAcquired.Load() {
		t.Fatal("the second transaction took an overlapping key while the first held it")
	}
	// Disjoint keys do not wait.
	if err := s.InTx(ctx, func(tx warehouse.Tx) error { return tx.LockKeys(ctx, []string{"email:someone@else.fr"}) }); err != nil {
		t.Fatal(err)
	}
	close(release)
	if err := <-firstDone; err != nil {
		t.Fatal(err)
	}
	if err := <-secondDone; err != nil {
		t.Fatal(err)
	}
	if !secondAcquired.Load() || candidates != 1 {
		t.Errorf("second transaction: acquired %v, found %d candidates after the lock (want the first transaction's record)", secondAcquired.Load(), candidates)
	}
}

// TestLockKeysInOrder checks that qLockKeys takes its locks one by one in the array's
// order: while it waits for the second key it already holds the first.
func TestLockKeysInOrder(t *testing.T) {
	s := open(t, pgtest.URL(t))
	ctx := context.Background()
	const first, second, third = int64(-7), int64(42), int64(1 << 40)
	holder, err := s.DB().Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close()
	if _, err := holder.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, second); err != nil {
		t.Fatal(err)
	}
	tx, err := s.DB().BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	var pid int
	if err := tx.QueryRowContext(ctx, `SELECT pg_backend_pid()`).Scan(&pid); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- lockKeys(ctx, tx, []int64{first, second, third}) }()

	type lock struct {
		key     int64
		granted bool
	}
	locksOf := func() ([]lock, error) {
		rows, err := s.DB().QueryContext(ctx, `SELECT (classid::bigint << 32) | objid::bigint, granted FROM pg_locks
WHERE locktype = 'advisory' AND objsubid = 1 AND pid = $1 ORDER BY 1`, pid)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var out []lock
		for rows.Next() {
			var l lock
			if err := rows.Scan(&l.key, &l.granted); err != nil {
				return nil, err
			}
			out = append(out, l)
		}
		return out, rows.Err()
	}
	var got []lock
	waitFor(t, "the transaction to wait for the held key", func() (bool, error) {
		got, err = locksOf()
		for _, l := range got {
			if !l.granted {
				return true, err
			}
		}
		return false, err
	})
	want := []lock{{first, true}, {second, false}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("while waiting for key %d: locks %v, want %v (the first held, the third not requested yet)", second, got, want)
	}
	if _, err := holder.ExecContext(ctx, `SELECT pg_advisory_unlock($1)`, second); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got, err = locksOf(); err != nil || len(got) != 3 {
		t.Fatalf("after the wait: %v %v", got, err)
	}
}

// resolve is the resolver's pattern for a new record: lock its keys, look for candidates,
// create a master when there is none, else link to the candidate's.
func resolve(ctx context.Context, s warehouse.Store, key, sourceID string, lock bool, beforeWrite func()) (created bool, err error) {
	err = s.InTx(ctx, func(tx warehouse.Tx) error {
		created = false
		if lock {
			if err := tx.LockKeys(ctx, []string{key}); err != nil {
				return err
			}
		}
		cands, err := tx.Candidates(ctx, warehouse.CandidateQuery{Keys: []string{key}, MaxMasters: 100})
		if err != nil {
			return err
		}
		masters := cands.Masters[key]
		if beforeWrite != nil {
			beforeWrite()
		}
		row := &warehouse.SourceRow{Source: "crm", SourceID: sourceID, Hash: "h", Position: "test",
			Record: &contact.Record{Source: "crm", SourceID: sourceID, Emails: []string{key}}}
		if len(masters) > 0 {
			row.MasterID = masters[0]
		} else {
			m := &contact.Master{Status: contact.MasterActive}
			if err := tx.CreateMaster(ctx, m); err != nil {
				return err
			}
			row.MasterID, created = m.ID, true
		}
		if err := tx.PutSourceRecord(ctx, row); err != nil {
			return err
		}
		return tx.ReplaceBlockKeys(ctx, row.ID, []string{key})
	})
	return created, err
}

// TestOneMasterPerKey: consumers in several processes (stores) resolving records of the
// same persons at once never create two masters for one person.
func TestOneMasterPerKey(t *testing.T) {
	url := pgtest.URL(t)
	stores := []*sqlstore.Store{open(t, url), open(t, url), open(t, url)}
	ctx := context.Background()
	keys := []string{"email:x@y.fr", "email:z@y.fr", "phone:+33611223344"}
	const perKey = 12
	var wg sync.WaitGroup
	errs := make(chan error, perKey*len(keys))
	start := make(chan struct{})
	for i := 0; i < perKey*len(keys); i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, err := resolve(ctx, stores[i%len(stores)], keys[i%len(keys)], fmt.Sprint(i), true, nil)
			errs <- err
		}()
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	rows, err := stores[0].DB().Query(`SELECT bk.key_hash, COUNT(DISTINCT s.master_id), COUNT(*) FROM block_keys bk JOIN source_records s ON s.id = bk.source_row_id GROUP BY bk.key_hash ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var key int64
		var masters, records int
		if err := rows.Scan(&key, &masters, &records); err != nil {
			t.Fatal(err)
		}
		n++
		if masters != 1 || records != perKey {
			t.Errorf("key hash %d: %d masters for %d records, want 1 for %d", key, masters, records, perKey)
		}
	}
	st, err := stores[0].Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n != len(keys) || st.Masters != int64(len(keys)) {
		t.Errorf("%d keys, %d masters; want %d of each", n, st.Masters, len(keys))
	}
	// The statements warm prepared ran on several connections of each pool.
	for i, s := range stores {
		if c := s.DB().Stats().OpenConnections; c < 2 {
			t.Errorf("store %d used %d connection(s), want several", i, c)
		}
	}
}

// TestOneMasterPerKeyNeedsLocks is the control of TestOneMasterPerKey: without LockKeys,
// transactions that all read before any writes create one master each.
func TestOneMasterPerKeyNeedsLocks(t *testing.T) {
	s := open(t, pgtest.URL(t))
	ctx := context.Background()
	const n = 4
	var ready sync.WaitGroup
	ready.Add(n)
	barrier := func() { ready.Done(); ready.Wait() } // on the first attempt only
	var once [n]sync.Once
	var created atomic.Int32
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := resolve(ctx, s, "email:x@y.fr", fmt.Sprint(i), false, func() { once[i].Do(barrier) })
			if err != nil {
				t.Error(err)
			}
			if c {
				created.Add(1)
			}
		}()
	}
	wg.Wait()
	if created.Load() != n {
		t.Errorf("without locks %d masters were created, want %d: the control does not race", created.Load(), n)
	}
}

// TestConcurrentUpserts: the inserts that race on a key are INSERT ... ON CONFLICT, which
// in READ COMMITTED wait and update (or skip) instead of failing: no unique violation to
// retry. MaxRetries 0 makes any transient error visible.
func TestConcurrentUpserts(t *testing.T) {
	s := open(t, pgtest.URL(t))
	s.MaxRetries = 0
	ctx := context.Background()
	var rowID, masterID int64
	if err := s.InTx(ctx, func(tx warehouse.Tx) error {
		m := &contact.Master{}
		if err := tx.CreateMaster(ctx, m); err != nil {
			return err
		}
		row := &warehouse.SourceRow{Source: "crm", SourceID: "seed", Hash: "h", Record: &contact.Record{}, MasterID: m.ID}
		if err := tx.PutSourceRecord(ctx, row); err != nil {
			return err
		}
		rowID, masterID = row.ID, m.ID
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	const n = MaxOpenConns
	var ready sync.WaitGroup
	ready.Add(n)
	var wg sync.WaitGroup
	var added atomic.Int32
	ids := make([]int64, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := s.InTx(ctx, func(tx warehouse.Tx) error {
				// Every transaction has started (and holds a connection) before any writes.
				if _, err := tx.SourceRecord(ctx, "crm", "seed"); err != nil {
					return err
				}
				ready.Done()
				ready.Wait()
				row := &warehouse.SourceRow{Source: "crm", SourceID: "same", Hash: fmt.Sprint(i), Record: &contact.Record{}, MasterID: masterID}
				if err := tx.PutSourceRecord(ctx, row); err != nil {
					return err
				}
				ids[i] = row.ID
				if err := tx.ReplaceBlockKeys(ctx, row.ID, []string{"k1", "k2"}); err != nil {
					return err
				}
				ok, err := tx.AddReviewItem(ctx, &warehouse.ReviewItem{Kind: warehouse.ReviewPair, SourceRowID: rowID, SourceKey: "crm:seed", MasterID: masterID, CandidateID: 99})
				if ok {
					added.Add(1)
				}
				return err
			})
			if err != nil {
				t.Error(err)
				return
			}
			if err := s.AddDeadLetter(ctx, warehouse.DeadLetter{Position: "in:1", Stage: "decode", Reason: "bad", Payload: []byte("x")}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	for _, id := range ids[1:] {
		if id != ids[0] {
			t.Errorf("one source record got ids %v", ids)
			break
		}
	}
	if added.Load() != 1 {
		t.Errorf("%d open review items added for one pair, want 1", added.Load())
	}
	dls, err := s.DeadLetters(ctx, 10)
	if err != nil || len(dls) != 1 || dls[0].Seen != n {
		t.Errorf("dead letters %+v %v, want one seen %d times", dls, err, n)
	}
}

// TestDeadlockRetried: two transactions taking two keys in opposite orders (LockKeys
// called twice) deadlock; PostgreSQL aborts one (40P01) and InTx runs it again.
func TestDeadlockRetried(t *testing.T) {
	s := open(t, pgtest.URL(t))
	ctx := context.Background()
	var attempts atomic.Int32
	var holding sync.WaitGroup
	holding.Add(2)
	var once [2]sync.Once
	run := func(i int, keys ...string) error {
		return s.InTx(ctx, func(tx warehouse.Tx) error {
			attempts.Add(1)
			if err := tx.LockKeys(ctx, keys[:1]); err != nil {
				return err
			}
			once[i].Do(func() { holding.Done(); holding.Wait() })
			return tx.LockKeys(ctx, keys[1:])
		})
	}
	errs := make(chan error, 2)
	go func() { errs <- run(0, "a", "b") }()
	go func() { errs <- run(1, "b", "a") }()
	for i := 0; i < 2; i++ {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if a := attempts.Load(); a != 3 {
		t.Errorf("%d attempts, want 3 (one deadlock victim run again)", a)
	}
}

func TestRetryable(t *testing.T) {
	for _, c := range []struct {
		err  error
		want bool
	}{
		{&pgconn.PgError{Code: "40001"}, true},
		{fmt.Errorf("lock keys: %w", &pgconn.PgError{Code: "40P01"}), true},
		{&pgconn.PgError{Code: "23505"}, false},
		{&pgconn.PgError{Code: "P0001"}, false},
		{errors.New("40001"), false},
		{sql.ErrNoRows, false},
	} {
		if got := retryable(c.err); got != c.want {
			t.Errorf("retryable(%v) = %v", c.err, got)
		}
	}
}

func TestOpenErrors(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, url := range []string{"postgres://127.0.0.1:1/nothing?sslmode=disable&connect_timeout=5", "mysql://x"} {
		if s, err := Open(ctx, url); err == nil {
			s.Close()
			t.Errorf("Open(%q) succeeded", url)
		}
	}
}

func TestApplicationName(t *testing.T) {
	s := open(t, pgtest.URL(t))
	var name string
	if err := s.DB().QueryRow(`SELECT current_setting('application_name')`).Scan(&name); err != nil || name != "steward" {
		t.Errorf("application_name = %q, %v", name, err)
	}
}

// TestIdleInTransactionTimeout: steward's sessions get idle_in_transaction_session_timeout
// unless the URL sets it, and a session that stops inside a transaction while holding
// blocking-key locks is ended by the server, which releases them to the others.
func TestIdleInTransactionTimeout(t *testing.T) {
	ctx := context.Background()
	url := pgtest.URL(t)
	var got string
	if err := open(t, url).DB().QueryRow(`SHOW idle_in_transaction_session_timeout`).Scan(&got); err != nil || got != "1min" {
		t.Errorf("default idle_in_transaction_session_timeout = %q, %v; want 1min", got, err)
	}
	sep := "?"
	if strings.Contains(url, "?") {
		sep = "&"
	}
	s := open(t, url+sep+"idle_in_transaction_session_timeout=1s")
	if err := s.DB().QueryRow(`SHOW idle_in_transaction_session_timeout`).Scan(&got); err != nil || got != "1s" {
		t.Fatalf("the URL's idle_in_transaction_session_timeout = %q, %v; want 1s", got, err)
	}
	// A transaction that takes a key's lock and then stops.
	stuck, err := s.DB().BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer stuck.Rollback()
	if _, err := stuck.ExecContext(ctx, qLockKeys, []int64{42}); err != nil {
		t.Fatal(err)
	}
	// Another session waits for the lock, and gets it once the server ends the first.
	other := open(t, url)
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	start := time.Now()
	tx, err := other.DB().BeginTx(wctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(wctx, qLockKeys, []int64{42}); err != nil {
		t.Fatalf("the waiting session: %v", err)
	}
	if waited := time.Since(start); waited < 500*time.Millisecond {
		t.Errorf("the lock was free after %s: the stuck session did not hold it", waited)
	}
	if err := stuck.Commit(); err == nil {
		t.Error("the stuck session's transaction committed after the server ended it")
	}
}

func TestAuditLogTruncateRefused(t *testing.T) {
	s := open(t, pgtest.URL(t))
	if _, err := s.DB().Exec(`TRUNCATE merge_events`); err == nil {
		t.Error("TRUNCATE merge_events succeeded: the audit log must be append-only")
	}
}

// TestDataErrorIsInvalidRecord: a value PostgreSQL refuses every time (here an index
// entry over the B-tree limit: SQLSTATE 54000) comes out of InTx as contact.ErrInvalid,
// so that the record is dead-lettered rather than retried forever; a conflict between
// writers does not.
func TestDataErrorIsInvalidRecord(t *testing.T) {
	s := open(t, pgtest.URL(t))
	var b []byte
	x := uint32(2463534242)
	for len(b) < 6000 { // letters that do not compress
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b = append(b, byte('a'+x%26))
	}
	r := &contact.Record{Source: "web", SourceID: string(b), FamilyName: "Martin", UpdatedAt: time.Now()}
	err := s.InTx(context.Background(), func(tx warehouse.Tx) error {
		return tx.PutSourceRecord(context.Background(), &warehouse.SourceRow{Source: r.Source, SourceID: r.SourceID, Hash: "h", UpdatedAt: r.UpdatedAt, Record: r, Position: "f:1"})
	})
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || !strings.HasPrefix(pe.Code, "54") || !errors.Is(err, contact.ErrInvalid) {
		t.Fatalf("err %v: want a SQLSTATE 54 error wrapped as contact.ErrInvalid", err)
	}
	if dataError(&pgconn.PgError{Code: "40001"}) || dataError(&pgconn.PgError{Code: "23505"}) || !dataError(&pgconn.PgError{Code: "22021"}) {
		t.Error("dataError classifies serialization failures or unique violations as data errors, or misses class 22")
	}
}

// TestOpenGivesUpOnASilentServer: a server that accepts the connection and never answers
// (a host that hangs) fails Open after DefaultConnectTimeout, not the system's TCP
// timeout.
func TestOpenGivesUpOnASilentServer(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close() // held open, never answered
		}
	}()
	old := DefaultConnectTimeout
	DefaultConnectTimeout = 300 * time.Millisecond
	defer func() { DefaultConnectTimeout = old }()
	start := time.Now()
	_, err = Open(context.Background(), "postgres://steward@"+ln.Addr().String()+"/steward?sslmode=disable")
	if err == nil {
		t.Fatal("Open against a silent server: no error")
	}
	if el := time.Since(start); el > 5*time.Second {
		t.Errorf("Open gave up after %s, want about the connect timeout (300 ms)", el)
	}
}

// Registry lookups (the identify stage's company and domain reads) have a pool of their
// own: with every connection of the main pool in a transaction (resolvers waiting on key
// locks, say) they still answer.
func TestRegistryLookupsHaveTheirOwnPool(t *testing.T) {
	s := open(t, pgtest.URL(t))
	ctx := context.Background()
	var txs []*sql.Tx
	for range MaxOpenConns {
		tx, err := s.DB().BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		txs = append(txs, tx)
	}
	defer func() {
		for _, tx := range txs {
			tx.Rollback()
		}
	}()
	// The main pool is exhausted: a statement on it waits for a connection.
	short, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	if _, err := s.DB().ExecContext(short, `SELECT 1`); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("statement on the exhausted main pool: %v, want it to wait past its deadline", err)
	}
	lookup, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	startLookups(t, 2*MaxReaderConns, func() error {
		_, err := s.CompanyCandidates(lookup, "acme", "75001", 5)
		if err != nil {
			return fmt.Errorf("company candidates: %w", err)
		}
		if _, err := s.DomainOwners(lookup, "acme.example"); err != nil {
			return fmt.Errorf("domain owners: %w", err)
		}
		return nil
	})()
}

// startLookups runs lookup n times at once; the returned function waits for them all and
// reports their errors.
func startLookups(t *testing.T, n int, lookup func() error) (wait func()) {
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		wg.Go(func() {
			if err := lookup(); err != nil {
				errs <- err
			}
		})
	}
	return func() {
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
	}
}

// At most MaxReaderConns lookups reach the server at once: with the registry's tables
// locked, the lookups that have a connection wait on the lock, the others for a
// connection of the reader pool.
func TestRegistryLookupsAtMostMaxReaderConns(t *testing.T) {
	s := open(t, pgtest.URL(t))
	ctx := context.Background()
	lock, err := s.DB().BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Rollback()
	if _, err := lock.ExecContext(ctx, `LOCK TABLE companies, company_domains IN ACCESS EXCLUSIVE MODE`); err != nil {
		t.Fatal(err)
	}
	lookup, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	wait := startLookups(t, 2*MaxReaderConns, func() error {
		_, err := s.CompanyCandidates(lookup, "acme", "75001", 5)
		return err
	})
	waiting := func() int {
		var n int
		if err := s.DB().QueryRowContext(ctx, `SELECT count(*) FROM pg_stat_activity
WHERE datname = current_database() AND wait_event_type = 'Lock'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	for deadline := time.Now().Add(10 * time.Second); waiting() < MaxReaderConns; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d lookups waiting on the locked registry after 10 s, want %d", waiting(), MaxReaderConns)
		}
	}
	time.Sleep(300 * time.Millisecond) // time for more to arrive, were the pool unbounded
	if n := waiting(); n != MaxReaderConns {
		t.Errorf("%d lookups at the server at once, want %d (MaxReaderConns)", n, MaxReaderConns)
	}
	lock.Rollback()
	wait()
}

// lz4Server reports whether the server compresses with lz4 (PostgreSQL 14+ built with
// it); a server before 14 has no column compression to test.
func lz4Server(t *testing.T, db *sql.DB) bool {
	t.Helper()
	var version int
	if err := db.QueryRow(`SELECT current_setting('server_version_num')::int`).Scan(&version); err != nil {
		t.Fatal(err)
	}
	if version < 140000 {
		t.Skipf("PostgreSQL %d has no column compression methods (14+)", version)
	}
	var has bool
	if err := db.QueryRow(`SELECT EXISTS (SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals))`).Scan(&has); err != nil {
		t.Fatal(err)
	}
	if !has {
		t.Log("this server has no lz4: the columns keep the default compression")
	}
	return has
}

// TestLargeColumnsLZ4: on a server built with lz4 the large text columns compress with
// it (migration 12), and a value over the TOAST threshold is stored so; a server without
// it keeps the default, and the migration still applies.
func TestLargeColumnsLZ4(t *testing.T) {
	db := open(t, pgtest.URL(t)).DB()
	hasLZ4 := lz4Server(t, db)
	want := "l"
	if !hasLZ4 {
		want = "" // the default: the column follows default_toast_compression
	}
	for _, c := range [][2]string{{"source_records", "record"}, {"source_records", "explanation"}, {"source_records", "features"},
		{"masters", "golden"}, {"merge_events", "details"}, {"review_items", "explanation"}, {"outbox", "payload"},
		{"dead_letters", "payload"}, {"companies", "data"}} {
		// attcompression is a "char": as text, its unset value '\0' is ''.
		var got string
		if err := db.QueryRow(`SELECT attcompression::text FROM pg_attribute WHERE attrelid = $1::regclass AND attname = $2`, c[0], c[1]).Scan(&got); err != nil {
			t.Fatalf("%s.%s: %v", c[0], c[1], err)
		}
		if got != want {
			t.Errorf("%s.%s: attcompression %q, want %q", c[0], c[1], got, want)
		}
	}
	if !hasLZ4 {
		return
	}
	// A payload of 20 KB of JSON-like text (over the TOAST threshold whatever the page
	// size) is compressed, with lz4.
	payload := `{"v":"` + strings.Repeat("Jeanne Dupont 12 rue des Lilas ", 650) + `"}`
	var id int64
	if err := db.QueryRow(`INSERT INTO outbox (created_at, topic, key, payload) VALUES (now(), 't', 'k', $1) RETURNING id`, payload).Scan(&id); err != nil {
		t.Fatal(err)
	}
	var method sql.NullString
	if err := db.QueryRow(`SELECT pg_column_compression(payload) FROM outbox WHERE id = $1`, id).Scan(&method); err != nil {
		t.Fatal(err)
	}
	if method.String != "lz4" {
		t.Errorf("a 20 KB payload is stored with compression %q, want lz4", method.String)
	}
}

// TestUpgradeToLZ4: a warehouse at schema 11 whose golden records were compressed with
// pglz upgrades to lz4 columns (migration 12) without rewriting them: the old value keeps
// pglz and still reads, a value written after the upgrade takes lz4.
func TestUpgradeToLZ4(t *testing.T) {
	ctx := context.Background()
	url := pgtest.URL(t)
	db := schemaAt(t, url, 11)
	hasLZ4 := lz4Server(t, db)
	// A golden record of ~20 KB: over the TOAST threshold, so compressed when stored,
	// with pglz whatever the server's default.
	street := strings.Repeat("12 rue des Lilas, ", 1100)
	b, err := json.Marshal(contact.Golden{FamilyName: "Dupont", Address: contact.NormAddress{Lines: []string{street}}})
	if err != nil {
		t.Fatal(err)
	}
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`SET LOCAL default_toast_compression = pglz`, `INSERT INTO masters (id, golden, created_at, updated_at) VALUES (1, $1, now(), now())`} {
		var args []any
		if strings.Contains(q, "$1") {
			args = append(args, string(b))
		}
		if _, err := tx.Exec(q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	s := open(t, url)
	checkMigrated(t, s)
	err = s.InTx(ctx, func(tx warehouse.Tx) error {
		ms, err := tx.MastersByID(ctx, []int64{1})
		if err != nil {
			return err
		}
		if m := ms[1]; m == nil || m.Golden.FamilyName != "Dupont" || len(m.Golden.Address.Lines) != 1 || m.Golden.Address.Lines[0] != street {
			t.Errorf("the golden record stored before the upgrade reads as %+v", m)
		}
		return tx.InsertMasters(ctx, []*contact.Master{{ID: 2, Version: 1, Status: contact.MasterActive,
			Golden: contact.Golden{FamilyName: "Martin", Address: contact.NormAddress{Lines: []string{street}}}, CreatedAt: time.Now(), UpdatedAt: time.Now()}})
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[int64]string{1: "pglz", 2: "lz4"}
	if !hasLZ4 {
		want[2] = "pglz"
	}
	for id, method := range want {
		var got sql.NullString
		if err := s.DB().QueryRow(`SELECT pg_column_compression(golden) FROM masters WHERE id = $1`, id).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got.String != method {
			t.Errorf("master %d: golden record compressed with %q, want %q", id, got.String, method)
		}
	}
}

// TestUpgradeKeepsCompanies: a registry at schema 12 holding a SIRENE establishment and a
// mapped row keyed by its own key upgrades (migration 13) and keeps both.
func TestUpgradeKeepsCompanies(t *testing.T) {
	url := pgtest.URL(t)
	if _, err := schemaAt(t, url, 12).Exec(storetest.CompaniesAtSchema12); err != nil {
		t.Fatal(err)
	}
	s := open(t, url)
	checkMigrated(t, s)
	storetest.CheckCompaniesUpgraded(t, s)
}

// TestMigrationWaitsForLocks: migration 12 changes tables that a session of the previous
// version holds (a rolling upgrade): it waits for each lock at most migrationLockTimeout,
// and the migration runs again until it gets them; with too few attempts, Open fails and
// says why.
func TestMigrationWaitsForLocks(t *testing.T) {
	defer func(n int, p time.Duration) { migrationAttempts, migrationPause = n, p }(migrationAttempts, migrationPause)
	migrationPause = 100 * time.Millisecond
	ctx := context.Background()
	hold := func(t *testing.T, db *sql.DB) (release func()) {
		t.Helper()
		tx, err := db.Begin()
		if err != nil {
			t.Fatal(err)
		}
		// An open transaction that has read the masters table holds its ACCESS SHARE
		// lock until it ends.
		var n int
		if err := tx.QueryRow(`SELECT COUNT(*) FROM masters`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return func() { tx.Rollback() }
	}

	t.Run("waits", func(t *testing.T) {
		url := pgtest.URL(t)
		db := schemaAt(t, url, 11)
		release := hold(t, db)
		timer := time.AfterFunc(3*time.Second, release) // past one lock timeout (2 s)
		defer timer.Stop()
		start := time.Now()
		s, err := Open(ctx, url)
		if err != nil {
			t.Fatalf("Open while a session held masters for 3 s: %v", err)
		}
		defer s.Close()
		if el := time.Since(start); el < 3*time.Second {
			t.Errorf("Open returned after %s, before the lock was released", el)
		}
		checkMigrated(t, s)
	})

	t.Run("gives up", func(t *testing.T) {
		migrationAttempts = 2
		url := pgtest.URL(t)
		db := schemaAt(t, url, 11)
		release := hold(t, db)
		defer release()
		s, err := Open(ctx, url)
		if err == nil {
			s.Close()
			t.Fatal("Open succeeded while a session held the masters table throughout")
		}
		if !lockWaitFailed(err) || !strings.Contains(err.Error(), "gave up after 2 attempts") {
			t.Errorf("Open's error: %v; want the lock timeout, after 2 attempts", err)
		}
	})
}

// schemaAt returns a connection to the database at url migrated to version v only.
func schemaAt(t *testing.T, url string, v int) *sql.DB {
	t.Helper()
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	db := stdlib.OpenDB(*cfg)
	t.Cleanup(func() { db.Close() })
	if err := sqlstore.New(db, Dialect).MigrateTo(context.Background(), v); err != nil {
		t.Fatal(err)
	}
	return db
}
