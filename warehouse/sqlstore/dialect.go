package sqlstore

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
)

// Dialect is what differs between databases.
type Dialect struct {
	// Name is "sqlite" or "postgres".
	Name string
	// Numbered placeholders ($1, $2...) instead of '?'.
	Numbered bool
	// Types substituted in the migrations: {{id}} (auto-increment primary key),
	// {{time}}, {{bool}}, {{blob}}, {{json}}.
	Types map[string]string
	// Extra statements run after each migration version, by version (triggers...).
	Extra map[int][]string
	// LockKeys takes transaction-scoped locks on key hashes (nil: no-op).
	LockKeys func(ctx context.Context, tx *sql.Tx, hashes []int64) error
	// TryLock takes a transaction-scoped lock on one key if it is free and reports
	// whether it did (nil: always true; SQLite's writer lock already serializes).
	TryLock func(ctx context.Context, tx *sql.Tx, key int64) (bool, error)
	// Retryable reports transient errors after which a transaction is run again.
	Retryable func(err error) bool
	// DataError reports errors that the data written causes every time (a value the
	// database refuses): InTx returns them as contact.ErrInvalid, so that the record is
	// dead-lettered instead of retried forever (its partition stalled behind it).
	DataError func(err error) bool
	// ForUpdate is appended to reads of a master that is about to be rewritten
	// (" FOR UPDATE" on PostgreSQL, so that two transactions linking records to one master
	// rebuild its golden record one after the other; "" on SQLite, which has one writer).
	ForUpdate string
	// NextIDs reserves n ids of table's id column until the transaction ends (explicit
	// ids inserted later must not collide with the table's own).
	NextIDs func(ctx context.Context, tx *sql.Tx, table string, n int) ([]int64, error)
	// Arrays: the database takes array parameters (PostgreSQL), so the set-based
	// methods send a list as one parameter and write many rows with one INSERT ... SELECT
	// FROM unnest(...) (batch_arrays.go) instead of chunks of VALUES rows.
	Arrays bool
	// MemoryIndex: the database has one writer (SQLite), so the blocking index lives in
	// memory, read from row_keys (one row per source row) instead of the block_keys
	// B-tree (memindex.go).
	MemoryIndex bool
	// BeginTx options (nil: default).
	TxOptions *sql.TxOptions
}

// rebind turns '?' placeholders into $n for numbered dialects. Queries here never hold a
// literal '?' outside placeholders.
func (d *Dialect) rebind(q string) string {
	if !d.Numbered {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 8)
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}

// placeholders returns "?, ?, ?" for n values.
func placeholders(n int) string {
	if n == 0 {
		return ""
	}
	return strings.Repeat("?, ", n-1) + "?"
}
