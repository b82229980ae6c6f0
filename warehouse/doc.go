// Package warehouse defines the Store: steward's master customer warehouse of source
// records, golden records (masters), block keys, review items, not-a-match pairs, the
// append-only audit log (merge_events), the outbox, dead letters and runs.
//
// All SQL lives under warehouse/: warehouse/sqlstore holds the one database/sql
// implementation, warehouse/sqlite and warehouse/postgres open it with their dialect, and
// warehouse/storetest is the contract suite both pass. Nothing here imports pipeline,
// handlers or web.
package warehouse
