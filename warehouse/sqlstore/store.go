package sqlstore

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/fnv"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/segmentio/encoding/json"
	"github.com/steward-crm/steward/contact"
	"github.com/steward-crm/steward/warehouse"
)

// Store implements warehouse.Store on database/sql.
type Store struct {
	db *sql.DB
	d  *Dialect
	// stmts caches prepared statements by query text: preparing is a quarter of the cost
	// of a resolution on SQLite.
	stmtMu sync.Mutex
	stmts  map[string]*sql.Stmt
	// MaxRetries bounds InTx's retries of transient conflicts. Default 10.
	MaxRetries int
	// mem is the in-memory blocking index (Dialect.MemoryIndex), else nil.
	mem *memIndex
	// closers run at Close, last added first, before the database closes.
	closers []func() error
	// read, when set, serves the registry lookups and other reads outside a
	// transaction (SetReader).
	read *sql.DB
}

// SetReader makes the registry lookups (company candidates, domain owners: a read per
// record in the identify stage) and the reads outside a transaction (EachSourceRecord's
// pages, LiveSourceRecords) go through db, a pool on the same database: with SQLite's
// single writer connection they waited for the resolve transaction in progress. They
// see the last committed state. Close does not close db (OnClose can).
func (s *Store) SetReader(db *sql.DB) { s.read = db }

// reader returns the database for registry lookups and reads outside a transaction.
func (s *Store) reader() *sql.DB {
	if s.read != nil {
		return s.read
	}
	return s.db
}

var _ warehouse.Store = (*Store)(nil)

// New wraps an open database. Call Migrate before use.
func New(db *sql.DB, d *Dialect) *Store {
	s := &Store{db: db, d: d, MaxRetries: 10, stmts: map[string]*sql.Stmt{}}
	if d.MemoryIndex {
		s.mem = newMemIndex()
	}
	return s
}

// prepared returns the prepared statement of a (rebound) query when warm prepared it.
// Statements are never prepared inside a transaction: with SQLite's single connection a
// prepare on the pool would wait for the transaction's own connection forever.
func (s *Store) prepared(q string) (*sql.Stmt, bool) {
	s.stmtMu.Lock()
	defer s.stmtMu.Unlock()
	st, ok := s.stmts[q]
	return st, ok
}

// warm prepares the hot queries (padded IN lists included) outside any transaction.
func (s *Store) warm(ctx context.Context) error {
	s.stmtMu.Lock()
	defer s.stmtMu.Unlock()
	for _, q := range hotQueries(s.d) {
		q = s.d.rebind(q)
		if _, ok := s.stmts[q]; ok {
			continue
		}
		st, err := s.db.PrepareContext(ctx, q)
		if err != nil {
			return fmt.Errorf("prepare %q: %w", q, err)
		}
		s.stmts[q] = st
	}
	return nil
}

// DB returns the underlying database (for tests and tools).
func (s *Store) DB() *sql.DB { return s.db }

// OnClose adds fn to what Close does before it closes the database (a dialect's
// background work on the same file).
func (s *Store) OnClose(fn func() error) { s.closers = append(s.closers, fn) }

// Close closes the database.
func (s *Store) Close() error {
	var errs []error
	for i := len(s.closers) - 1; i >= 0; i-- {
		errs = append(errs, s.closers[i]())
	}
	s.closers = nil
	s.stmtMu.Lock()
	for _, st := range s.stmts {
		st.Close()
	}
	s.stmts = map[string]*sql.Stmt{}
	s.stmtMu.Unlock()
	return errors.Join(append(errs, s.db.Close())...)
}

// InTx runs fn in a transaction, retrying transient conflicts with a short backoff.
func (s *Store) InTx(ctx context.Context, fn func(tx warehouse.Tx) error) error {
	var err error
	for attempt := 0; ; attempt++ {
		err = s.inTxOnce(ctx, fn)
		if err != nil && s.d.DataError != nil && s.d.DataError(err) && !errors.Is(err, contact.ErrInvalid) {
			return fmt.Errorf("%w: the database refuses it: %w", contact.ErrInvalid, err)
		}
		if err == nil || s.d.Retryable == nil || !s.d.Retryable(err) || attempt >= s.MaxRetries {
			return err
		}
		select {
		case <-ctx.Done():
			return errors.Join(err, ctx.Err())
		case <-time.After(time.Duration(attempt+1) * 5 * time.Millisecond):
		}
	}
}

func (s *Store) inTxOnce(ctx context.Context, fn func(tx warehouse.Tx) error) error {
	if s.mem != nil {
		s.mem.mu.Lock()
		defer s.mem.mu.Unlock()
	}
	sqlTx, err := s.db.BeginTx(ctx, s.d.TxOptions)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	t := &tx{tx: sqlTx, d: s.d, s: s, ctx: ctx}
	// A panic in fn rolls the transaction back before it goes on: an open transaction
	// would hold SQLite's only writer connection, and every later one would wait for it.
	// The memory index is read again rather than rolled back: a panic may have cut one
	// of its changes in half, or come after the commit.
	defer func() {
		if p := recover(); p != nil {
			_ = sqlTx.Rollback()
			if s.mem != nil {
				s.mem.resetLocked()
			}
			panic(p)
		}
	}()
	if s.mem != nil {
		// Another connection's change to row_keys since the index was read makes it stale.
		v, err := indexVersion(ctx, sqlTx)
		if err != nil {
			_ = sqlTx.Rollback()
			return fmt.Errorf("begin: %w", err)
		}
		if s.mem.loaded && s.mem.version != v {
			s.mem.resetLocked()
		}
	}
	if err := fn(t); err != nil {
		_ = sqlTx.Rollback()
		if s.mem != nil {
			s.mem.rollback()
		}
		return err
	}
	var version int64
	if s.mem != nil && s.mem.loaded {
		if version, err = indexVersion(ctx, sqlTx); err != nil {
			_ = sqlTx.Rollback()
			s.mem.rollback()
			return fmt.Errorf("commit: %w", err)
		}
	}
	if err := sqlTx.Commit(); err != nil {
		if s.mem != nil {
			s.mem.resetLocked() // whether the changes are in the file is not known: read it again
		}
		return fmt.Errorf("commit: %w", err)
	}
	if s.mem != nil {
		s.mem.commit(version)
	}
	return nil
}

func (s *Store) q(query string) string { return s.d.rebind(query) }

// AddDeadLetter stores a dead letter.
func (s *Store) AddDeadLetter(ctx context.Context, dl warehouse.DeadLetter) error {
	return s.addDeadLetter(ctx, s.db, dl)
}

// addDeadLetter stores a dead letter through db (the store's pool, or a transaction).
func (s *Store) addDeadLetter(ctx context.Context, db interface {
	ExecContext(context.Context, string, ...any) (sql.Result, error)
}, dl warehouse.DeadLetter) error {
	if dl.At.IsZero() {
		dl.At = time.Now().UTC()
	}
	// What failed may be the text itself: a Kafka key or position header that is not
	// UTF-8, or holds a NUL, which PostgreSQL's text columns refuse (22021). The dead
	// letter must be stored whatever it holds: the handler would otherwise retry it
	// forever and its partition's offset would never move past it. The payload is
	// stored as bytes.
	dl.Position, dl.Stage, dl.Reason, dl.SourceKey = textSafe(dl.Position), textSafe(dl.Stage), textSafe(dl.Reason), textSafe(dl.SourceKey)
	sum := sha256.Sum256(dl.Payload)
	_, err := db.ExecContext(ctx, s.q(`INSERT INTO dead_letters (at, last_at, position, stage, reason, source_key, payload_hash, payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (position, payload_hash) DO UPDATE SET seen = dead_letters.seen + 1, last_at = excluded.last_at, stage = excluded.stage, reason = excluded.reason`),
		dl.At, dl.At, dl.Position, dl.Stage, dl.Reason, dl.SourceKey, hex.EncodeToString(sum[:]), dl.Payload)
	if err != nil {
		return fmt.Errorf("add dead letter: %w", err)
	}
	return nil
}

// textSafe returns s with each byte that is not part of valid UTF-8, and each NUL,
// written as \xHH: text any database's text column holds, in which those bytes can
// still be read (a backslash already in s is left as it is). s as it is when it needs
// none.
func textSafe(s string) string {
	if utf8.ValidString(s) && strings.IndexByte(s, 0) < 0 {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == 0 || (r == utf8.RuneError && n == 1) {
			fmt.Fprintf(&b, "\\x%02x", s[i])
		} else {
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// DeadLetters lists dead letters, newest first.
func (s *Store) DeadLetters(ctx context.Context, limit int) ([]warehouse.DeadLetter, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT id, at, seen, position, stage, reason, source_key, payload FROM dead_letters ORDER BY id DESC LIMIT ?`), limit)
	if err != nil {
		return nil, fmt.Errorf("dead letters: %w", err)
	}
	defer rows.Close()
	var out []warehouse.DeadLetter
	for rows.Next() {
		var d warehouse.DeadLetter
		if err := rows.Scan(&d.ID, &d.At, &d.Seen, &d.Position, &d.Stage, &d.Reason, &d.SourceKey, &d.Payload); err != nil {
			return nil, err
		}
		d.At = d.At.UTC()
		out = append(out, d)
	}
	return out, rows.Err()
}

// EachMaster calls fn for every active master in id order.
func (s *Store) EachMaster(ctx context.Context, fn func(m *contact.Master) error) error {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT id, version, status, merged_into, golden, quality, created_at, updated_at FROM masters WHERE status = ? ORDER BY id`), contact.MasterActive)
	if err != nil {
		return fmt.Errorf("masters: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		m, err := scanMaster(rows)
		if err != nil {
			return err
		}
		if err := fn(m); err != nil {
			return err
		}
	}
	return rows.Err()
}

// SourceRecord reads one source record outside a transaction (on the reader: with
// SQLite, BEGIN IMMEDIATE would wait for another process's writer).
func (s *Store) SourceRecord(ctx context.Context, source, sourceID string) (*warehouse.SourceRow, error) {
	r, err := scanSource(s.reader().QueryRowContext(ctx, s.q(qSourceRecord), source, sourceID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, warehouse.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("source record %s:%s: %w", source, sourceID, err)
	}
	return r, nil
}

// EachSourceRecord calls fn for every live source record in id order, with its stored JSON,
// reading pages of eachPage rows: each page is one short read, done before fn sees its
// rows (a read held across the whole walk would keep SQLite's one connection from the
// process's writers and its log from being reset, and PostgreSQL's vacuum from cleaning).
func (s *Store) EachSourceRecord(ctx context.Context, fn func(key warehouse.SourceKey, record json.RawMessage) error) error {
	type item struct {
		k   warehouse.SourceKey
		rec []byte
	}
	page := make([]item, 0, eachPage)
	var after int64
	for {
		page = page[:0]
		rows, err := s.reader().QueryContext(ctx, s.q(`SELECT id, source, source_id, record FROM source_records WHERE deleted = FALSE AND id > ? ORDER BY id LIMIT ?`), after, eachPage)
		if err != nil {
			return fmt.Errorf("source records: %w", err)
		}
		for rows.Next() {
			var it item
			if err := rows.Scan(&after, &it.k.Source, &it.k.SourceID, &it.rec); err != nil {
				rows.Close()
				return fmt.Errorf("source records: %w", err)
			}
			page = append(page, it)
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return fmt.Errorf("source records: %w", err)
		}
		for _, it := range page {
			if err := fn(it.k, it.rec); err != nil {
				return err
			}
		}
		if len(page) < eachPage {
			return nil
		}
	}
}

// eachPage is the number of rows EachSourceRecord reads at a time.
const eachPage = 1000

type scanner interface{ Scan(dest ...any) error }

func scanMaster(sc scanner) (*contact.Master, error) {
	var m contact.Master
	var merged sql.NullInt64
	var golden []byte
	if err := sc.Scan(&m.ID, &m.Version, &m.Status, &merged, &golden, &m.Quality, &m.CreatedAt, &m.UpdatedAt); err != nil {
		return nil, err
	}
	m.MergedInto = merged.Int64
	// segmentio's decoder (as the records'): a resolve batch reads its candidates'
	// masters, and encoding/json's took 2 % of a Kafka stream's CPU.
	if err := json.Unmarshal(golden, &m.Golden); err != nil {
		return nil, fmt.Errorf("master %d: golden record: %w", m.ID, err)
	}
	m.CreatedAt, m.UpdatedAt = m.CreatedAt.UTC(), m.UpdatedAt.UTC()
	return &m, nil
}

// scanMasterState reads a master without its golden record (qMasterStates' columns).
func scanMasterState(sc scanner) (*contact.Master, error) {
	var m contact.Master
	var merged sql.NullInt64
	if err := sc.Scan(&m.ID, &m.Version, &m.Status, &merged, &m.Quality, &m.CreatedAt, &m.UpdatedAt); err != nil {
		return nil, err
	}
	m.MergedInto = merged.Int64
	m.CreatedAt, m.UpdatedAt = m.CreatedAt.UTC(), m.UpdatedAt.UTC()
	return &m, nil
}

// Events returns audit events, oldest first.
func (s *Store) Events(ctx context.Context, masterID int64) ([]warehouse.Event, error) {
	q := `SELECT ` + eventCols + ` FROM merge_events`
	var args []any
	if masterID != 0 {
		q += ` WHERE master_id = ? OR other_id = ?`
		args = append(args, masterID, masterID)
	}
	rows, err := s.db.QueryContext(ctx, s.q(q+` ORDER BY id`), args...)
	if err != nil {
		return nil, fmt.Errorf("events: %w", err)
	}
	defer rows.Close()
	var out []warehouse.Event
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *e)
	}
	return out, rows.Err()
}

// eventCols are the columns scanEvent reads.
const eventCols = `id, at, kind, master_id, other_id, source_key, score, actor, details`

func scanEvent(sc scanner) (*warehouse.Event, error) {
	var e warehouse.Event
	var details []byte
	if err := sc.Scan(&e.ID, &e.At, &e.Kind, &e.MasterID, &e.OtherID, &e.SourceKey, &e.Score, &e.Actor, &details); err != nil {
		return nil, err
	}
	e.At = e.At.UTC()
	if len(details) > 0 {
		e.Details = json.RawMessage(details)
	}
	return &e, nil
}

// ReviewItems lists review items, oldest first.
func (s *Store) ReviewItems(ctx context.Context, status, kind string, limit int) ([]warehouse.ReviewItem, error) {
	q := `SELECT ` + reviewCols + ` FROM review_items`
	var args []any
	var where []string
	if status != "" {
		where = append(where, `status = ?`)
		args = append(args, status)
	}
	if kind != "" {
		where = append(where, `kind = ?`)
		args = append(args, kind)
	}
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, ` AND `)
	}
	args = append(args, limit)
	rows, err := s.db.QueryContext(ctx, s.q(q+` ORDER BY id LIMIT ?`), args...)
	if err != nil {
		return nil, fmt.Errorf("review items: %w", err)
	}
	defer rows.Close()
	var out []warehouse.ReviewItem
	for rows.Next() {
		it, err := scanReviewItem(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

// outboxLock is the key of the lock ForwardOutbox holds (any value outside the range of
// keyHashes' blocking-key hashes would do; a collision would only serialize).
const outboxLock = int64(0x7374657761726431) // "steward1"

// ForwardOutbox implements warehouse.Store.
func (s *Store) ForwardOutbox(ctx context.Context, limit int, publish func([]warehouse.OutboxEvent) error) (int, error) {
	var partial *warehouse.PartialPublish
	n, err := s.underOutboxLock(ctx, "outbox", func(tx *sql.Tx) (int, error) {
		rows, err := tx.QueryContext(ctx, s.q(`SELECT id, created_at, topic, key, payload FROM outbox WHERE published_at IS NULL ORDER BY id LIMIT ?`), limit)
		if err != nil {
			return 0, err
		}
		var evs []warehouse.OutboxEvent
		for rows.Next() {
			var o warehouse.OutboxEvent
			var payload []byte
			if err := rows.Scan(&o.ID, &o.CreatedAt, &o.Topic, &o.Key, &payload); err != nil {
				rows.Close()
				return 0, err
			}
			o.CreatedAt, o.Payload = o.CreatedAt.UTC(), json.RawMessage(payload)
			evs = append(evs, o)
		}
		rows.Close()
		if err := rows.Err(); err != nil || len(evs) == 0 {
			return 0, err
		}
		ids := make([]int64, len(evs))
		for i, e := range evs {
			ids[i] = e.ID
		}
		if err := publish(evs); err != nil {
			if !errors.As(err, &partial) {
				return 0, err
			}
			// What went out is marked, what never will is marked and dead-lettered; the
			// rest stays pending. The transaction commits what it marked (the
			// publish's error is returned after it).
			ids = slices.Clone(partial.Done)
			for _, e := range evs {
				reason, ok := partial.GiveUp[e.ID]
				if !ok {
					continue
				}
				ids = append(ids, e.ID)
				dl := warehouse.DeadLetter{Position: fmt.Sprintf("outbox:%d", e.ID), Stage: "outbox", Reason: reason, SourceKey: e.Key, Payload: e.Payload}
				if err := s.addDeadLetter(ctx, tx, dl); err != nil {
					return 0, err
				}
			}
		}
		// Marked in statements of at most markChunk ids: one parameter per event would
		// pass SQLite's 32766 (PostgreSQL's 65535) bound parameters for a large limit,
		// after publish succeeded.
		now := time.Now().UTC()
		for lo := 0; lo < len(ids); lo += markChunk {
			part := ids[lo:min(lo+markChunk, len(ids))]
			args := []any{now}
			for _, id := range part {
				args = append(args, id)
			}
			if _, err := tx.ExecContext(ctx, s.q(`UPDATE outbox SET published_at = ? WHERE id IN (`+placeholders(len(part))+`)`), args...); err != nil {
				return 0, fmt.Errorf("mark published: %w", err)
			}
		}
		return len(ids), nil
	})
	if err == nil && partial != nil && partial.Err != nil {
		err = fmt.Errorf("outbox: %w", partial)
	}
	return n, err
}

// markChunk is the number of events ForwardOutbox marks published per statement.
const markChunk = 1000

// PruneOutbox deletes under the outbox's lock (as ForwardOutbox claims it): several
// processes pruning at once would wait for each other's rows; one that finds the lock
// taken leaves the pruning to the holder.
func (s *Store) PruneOutbox(ctx context.Context, publishedBefore time.Time, limit int) (int, error) {
	return s.underOutboxLock(ctx, "prune outbox", func(tx *sql.Tx) (int, error) {
		res, err := tx.ExecContext(ctx, s.q(`DELETE FROM outbox WHERE id IN (SELECT id FROM outbox
WHERE published_at IS NOT NULL AND published_at < ? ORDER BY published_at LIMIT ?)`), publishedBefore.UTC(), limit)
		if err != nil {
			return 0, err
		}
		n, err := res.RowsAffected()
		return int(n), err
	})
}

// underOutboxLock runs fn in a transaction that holds the outbox's lock, and commits
// what it did when it reports n > 0. Another process holding the lock means 0 and no
// error: that process is at it.
func (s *Store) underOutboxLock(ctx context.Context, what string, fn func(tx *sql.Tx) (int, error)) (int, error) {
	tx, err := s.db.BeginTx(ctx, s.d.TxOptions)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", what, err)
	}
	defer tx.Rollback()
	if s.d.TryLock != nil {
		if ok, err := s.d.TryLock(ctx, tx, outboxLock); err != nil || !ok {
			return 0, err
		}
	}
	n, err := fn(tx)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", what, err)
	}
	if n == 0 {
		return 0, nil
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("%s: commit: %w", what, err)
	}
	return n, nil
}

// keyHashes hashes blocking keys to 64-bit lock ids, sorted and deduplicated so that
// every resolver takes its locks in the same order (no deadlock).
func keyHashes(keys []string) []int64 {
	out := make([]int64, 0, len(keys))
	for _, k := range keys {
		h := fnv.New64a()
		h.Write([]byte(k))
		out = append(out, int64(h.Sum64()))
	}
	slices.Sort(out)
	return slices.Compact(out)
}
