// Package sqlite opens the warehouse in a SQLite file with the pure-Go driver
// modernc.org/sqlite (no cgo): the embedded default's warehouse.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
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
		"blob": "BLOB", "json": "TEXT",
	},
	Extra: map[int][]string{1: {
		`CREATE TRIGGER merge_events_append_only_update BEFORE UPDATE ON merge_events BEGIN SELECT RAISE(ABORT, 'merge_events is append-only'); END`,
		`CREATE TRIGGER merge_events_append_only_delete BEFORE DELETE ON merge_events BEGIN SELECT RAISE(ABORT, 'merge_events is append-only'); END`,
	}},
	Retryable: func(err error) bool {
		var se *sqlite.Error
		if errors.As(err, &se) {
			code := se.Code() & 0xff
			return code == sqlite3.SQLITE_BUSY || code == sqlite3.SQLITE_LOCKED
		}
		return false
	},
}

// Open opens (creating if needed) the SQLite warehouse at path and migrates it. The file
// uses WAL journaling; one connection writes at a time.
func Open(ctx context.Context, path string) (*sqlstore.Store, error) {
	q := url.Values{}
	for _, p := range []string{"journal_mode(WAL)", "busy_timeout(10000)", "synchronous(NORMAL)", "foreign_keys(ON)"} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	q.Set("_time_format", "sqlite")
	dsn := "file:" + path + "?" + q.Encode()
	if strings.HasPrefix(path, "file:") {
		dsn = path
	}
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	// One connection: SQLite has one writer anyway, and this avoids SQLITE_BUSY storms.
	db.SetMaxOpenConns(1)
	s := sqlstore.New(db, Dialect)
	if err := s.Migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite %s: %w", path, err)
	}
	return s, nil
}
