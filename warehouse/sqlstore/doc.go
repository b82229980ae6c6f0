// Package sqlstore is the one database/sql implementation of warehouse.Store. A Dialect
// carries what differs between SQLite and PostgreSQL: placeholders, column types in the
// migrations, key locks and which errors are transient. warehouse/sqlite and
// warehouse/postgres open it with their dialect.
package sqlstore
