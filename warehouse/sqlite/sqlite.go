// Package sqlite opens the warehouse in a SQLite file with the pure-Go driver
// modernc.org/sqlite (no cgo): the embedded default's warehouse.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"

	"github.com/steward-crm/steward/warehouse/sqlstore"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Dialect is SQLite's dialect. SQLite has a single writer, so LockKeys is a no-op: a write
// transaction (BEGIN IMMEDIATE) already excludes every other resolver.
var Dialect = &sqlstore.Dialect{
	Name: "sqlite",
	Types: map[string]string{
		"id": "INTEGER PRIMARY KEY AUTOINCREMENT", "time": "TIMESTAMP", "bool": "BOOLEAN",
		"blob": "BLOB", "json": "TEXT", "without_rowid": " WITHOUT ROWID",
	},
	Extra: map[int][]string{1: {
		`CREATE TRIGGER merge_events_append_only_update BEFORE UPDATE ON merge_events BEGIN SELECT RAISE(ABORT, 'merge_events is append-only'); END`,
		`CREATE TRIGGER merge_events_append_only_delete BEFORE DELETE ON merge_events BEGIN SELECT RAISE(ABORT, 'merge_events is append-only'); END`,
	}, 8: {
		`CREATE TABLE row_keys (source_row_id INTEGER PRIMARY KEY, master_id INTEGER NOT NULL, keys TEXT NOT NULL)`,
		`INSERT INTO row_keys (source_row_id, master_id, keys) SELECT source_row_id, MIN(master_id), group_concat(key, char(10)) FROM block_keys GROUP BY source_row_id`,
		`DROP TABLE block_keys`,
		// row_keys_version counts the changes to row_keys (and, from migration 9, to
		// source_records), by any connection: a store whose in-memory index was read at
		// another count reads it again.
		`CREATE TABLE row_keys_version (v INTEGER NOT NULL)`,
		`INSERT INTO row_keys_version (v) VALUES (0)`,
		`CREATE TRIGGER row_keys_version_insert AFTER INSERT ON row_keys BEGIN UPDATE row_keys_version SET v = v + 1; END`,
		`CREATE TRIGGER row_keys_version_update AFTER UPDATE ON row_keys BEGIN UPDATE row_keys_version SET v = v + 1; END`,
		`CREATE TRIGGER row_keys_version_delete AFTER DELETE ON row_keys BEGIN UPDATE row_keys_version SET v = v + 1; END`,
	}, 9: {
		`CREATE TRIGGER source_records_version_insert AFTER INSERT ON source_records BEGIN UPDATE row_keys_version SET v = v + 1; END`,
		`CREATE TRIGGER source_records_version_update AFTER UPDATE ON source_records BEGIN UPDATE row_keys_version SET v = v + 1; END`,
		`CREATE TRIGGER source_records_version_delete AFTER DELETE ON source_records BEGIN UPDATE row_keys_version SET v = v + 1; END`,
	}, 13: {
		`ALTER TABLE companies ADD COLUMN mapped_siret TEXT NOT NULL DEFAULT ''`,
		`CREATE INDEX companies_mapped_siret ON companies(mapped_siret) WHERE mapped_siret <> ''`,
	}, 14: {
		`CREATE INDEX review_items_open_candidate ON review_items(candidate_id) WHERE status = 'open'`,
	}, 18: {
		`CREATE INDEX review_items_open_master ON review_items(master_id) WHERE status = 'open'`,
	}, 16: {
		// An event inserted without its id (the store's inserts) probes nothing.
		`CREATE TRIGGER merge_events_append_only_replace BEFORE INSERT ON merge_events WHEN NEW.id IS NOT NULL AND NEW.id > 0
AND EXISTS (SELECT 1 FROM merge_events WHERE id = NEW.id) BEGIN SELECT RAISE(ABORT, 'merge_events is append-only'); END`,
	}},
	MemoryIndex: true,
	NextIDs:     nextIDs,
	Retryable: func(err error) bool {
		var se *sqlite.Error
		if errors.As(err, &se) {
			code := se.Code() & 0xff
			return code == sqlite3.SQLITE_BUSY || code == sqlite3.SQLITE_LOCKED
		}
		return false
	},
}

// nextIDs reserves ids by moving the table's AUTOINCREMENT counter: the transaction
// holds the only write lock, and AUTOINCREMENT never hands out an id at or below it.
func nextIDs(ctx context.Context, tx *sql.Tx, table string, n int) ([]int64, error) {
	var seq int64
	err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), 0) FROM sqlite_sequence WHERE name = ?`, table).Scan(&seq)
	if err != nil {
		return nil, err
	}
	res, err := tx.ExecContext(ctx, `UPDATE sqlite_sequence SET seq = ? WHERE name = ?`, seq+int64(n), table)
	if err != nil {
		return nil, err
	}
	if k, err := res.RowsAffected(); err != nil {
		return nil, err
	} else if k == 0 {
		if _, err := tx.ExecContext(ctx, `INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)`, table, seq+int64(n)); err != nil {
			return nil, err
		}
	}
	ids := make([]int64, n)
	for i := range ids {
		ids[i] = seq + 1 + int64(i)
	}
	return ids, nil
}

// Open opens (creating if needed) the SQLite warehouse at path and migrates it. The file
// uses WAL journaling; one connection writes at a time, another copies the log into the
// file in the background (checkpoint.go), and two more serve the registry lookups.
func Open(ctx context.Context, path string) (*sqlstore.Store, error) {
	pragmas := []string{"journal_mode(WAL)", "busy_timeout(10000)", "synchronous(NORMAL)", "foreign_keys(ON)", "cache_size(-131072)", "mmap_size(1073741824)"}
	background := !strings.HasPrefix(path, "file:")
	if background {
		pragmas = append(pragmas, fmt.Sprintf("wal_autocheckpoint(%d)", checkpointLimit))
		// A new warehouse holds personal data: readable by its owner only (SQLite
		// gives its -wal and -shm files the database file's permissions).
		if f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600); err == nil {
			f.Close()
		}
	}
	db, err := open(path, pragmas)
	if err != nil {
		return nil, err
	}
	// One connection: SQLite has one writer anyway, and this avoids SQLITE_BUSY storms.
	db.SetMaxOpenConns(1)
	s := sqlstore.New(db, Dialect)
	if err := s.Migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite %s: %w", path, err)
	}
	// The writer's statement journals (the pages a multi-row statement changes, kept
	// to undo that statement alone) in memory: on disk they were a temp file written
	// for every batch (~2 % of a batch's CPU time against 1M masters). After the
	// migrations, whose index builds may sort more than memory should hold. A
	// connection opened again after an error keeps the default, which is only slower.
	if _, err := db.ExecContext(ctx, "PRAGMA temp_store = MEMORY"); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite %s: %w", path, err)
	}
	if background {
		cdb, err := open(path, []string{"busy_timeout(60000)"})
		if err != nil {
			db.Close()
			return nil, err
		}
		cdb.SetMaxOpenConns(1)
		s.OnClose(startCheckpointer(cdb, checkpointInterval).Close)
		// Registry lookups read on connections of their own: in WAL mode they do not
		// wait for the writer.
		rdb, err := open(path, []string{"busy_timeout(10000)", "query_only(ON)", "cache_size(-16384)", "mmap_size(268435456)"})
		if err != nil {
			s.Close()
			return nil, err
		}
		rdb.SetMaxOpenConns(2)
		s.SetReader(rdb)
		s.OnClose(rdb.Close)
	}
	return s, nil
}

// open opens a database/sql handle on path with the pragmas (a path starting with
// "file:" is a complete DSN and is used as it is).
func open(path string, pragmas []string) (*sql.DB, error) {
	q := url.Values{}
	for _, p := range pragmas {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	q.Set("_time_format", "sqlite")
	// The path escaped: the driver hands SQLite a URI, in which '?' would begin the
	// parameters (the pragmas and _txlock read as part of the name), '#' end the name
	// and "%HH" be decoded: the warehouse would be another file, opened without them.
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
	if strings.HasPrefix(path, "file:") {
		dsn = path
	}
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	return db, nil
}
