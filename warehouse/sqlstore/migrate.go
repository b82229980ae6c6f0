package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// migrations are applied in order; a version is never edited once released, only added.
// {{id}}, {{time}}, {{bool}}, {{blob}}, {{json}}, {{without_rowid}} are replaced by the
// dialect's types.
var migrations = []string{
	1: `
CREATE TABLE masters (
	id {{id}},
	version INTEGER NOT NULL DEFAULT 1,
	status TEXT NOT NULL DEFAULT 'active',
	merged_into BIGINT,
	golden {{json}} NOT NULL,
	quality INTEGER NOT NULL DEFAULT 0,
	created_at {{time}} NOT NULL,
	updated_at {{time}} NOT NULL
);
CREATE TABLE source_records (
	id {{id}},
	source TEXT NOT NULL,
	source_id TEXT NOT NULL,
	hash TEXT NOT NULL,
	updated_at {{time}},
	deleted {{bool}} NOT NULL DEFAULT FALSE,
	record {{json}} NOT NULL,
	master_id BIGINT REFERENCES masters(id),
	score DOUBLE PRECISION NOT NULL DEFAULT 0,
	explanation {{json}},
	position TEXT NOT NULL DEFAULT '',
	created_at {{time}} NOT NULL,
	modified_at {{time}} NOT NULL,
	UNIQUE (source, source_id)
);
CREATE INDEX source_records_master ON source_records(master_id);
CREATE TABLE block_keys (
	key TEXT NOT NULL,
	source_row_id BIGINT NOT NULL REFERENCES source_records(id),
	PRIMARY KEY (key, source_row_id)
);
CREATE INDEX block_keys_row ON block_keys(source_row_id);
CREATE TABLE review_items (
	id {{id}},
	created_at {{time}} NOT NULL,
	kind TEXT NOT NULL,
	status TEXT NOT NULL,
	source_row_id BIGINT NOT NULL REFERENCES source_records(id),
	source_key TEXT NOT NULL,
	master_id BIGINT NOT NULL,
	candidate_id BIGINT NOT NULL,
	score DOUBLE PRECISION NOT NULL,
	explanation {{json}},
	decided_by TEXT,
	decided_at {{time}},
	note TEXT
);
CREATE UNIQUE INDEX review_items_open_pair ON review_items(source_row_id, candidate_id) WHERE status = 'open';
CREATE INDEX review_items_status ON review_items(status, id);
CREATE TABLE not_a_match (
	source_row_id BIGINT NOT NULL,
	master_id BIGINT NOT NULL,
	created_at {{time}} NOT NULL,
	actor TEXT NOT NULL,
	PRIMARY KEY (source_row_id, master_id)
);
CREATE TABLE merge_events (
	id {{id}},
	at {{time}} NOT NULL,
	kind TEXT NOT NULL,
	master_id BIGINT NOT NULL,
	other_id BIGINT NOT NULL DEFAULT 0,
	source_key TEXT NOT NULL DEFAULT '',
	score DOUBLE PRECISION NOT NULL DEFAULT 0,
	actor TEXT NOT NULL,
	details {{json}}
);
CREATE INDEX merge_events_master ON merge_events(master_id, id);
CREATE TABLE outbox (
	id {{id}},
	created_at {{time}} NOT NULL,
	topic TEXT NOT NULL,
	key TEXT NOT NULL,
	payload {{json}} NOT NULL,
	published_at {{time}}
);
CREATE INDEX outbox_pending ON outbox(id) WHERE published_at IS NULL;
CREATE TABLE dead_letters (
	id {{id}},
	at {{time}} NOT NULL,
	last_at {{time}} NOT NULL,
	seen INTEGER NOT NULL DEFAULT 1,
	position TEXT NOT NULL,
	stage TEXT NOT NULL,
	reason TEXT NOT NULL,
	source_key TEXT NOT NULL DEFAULT '',
	payload_hash TEXT NOT NULL,
	payload {{blob}}
);
CREATE UNIQUE INDEX dead_letters_same ON dead_letters(position, payload_hash);
CREATE TABLE runs (
	id {{id}},
	kind TEXT NOT NULL,
	status TEXT NOT NULL,
	started_at {{time}} NOT NULL,
	finished_at {{time}},
	stats {{json}}
);
CREATE TABLE companies (
	siret TEXT PRIMARY KEY,
	siren TEXT NOT NULL,
	name TEXT NOT NULL,
	data {{json}}
);
CREATE INDEX companies_siren ON companies(siren);
`,
	// 2: the company registry (issue 6). companies.siret holds the registry key: the SIRET
	// of a SIRENE establishment, "LEI:"+LEI of a GLEIF entity, or a mapped CSV key;
	// name_token is the first token of name_key (candidate lookup by equality works the
	// same under every collation).
	2: `
ALTER TABLE companies ADD COLUMN lei TEXT NOT NULL DEFAULT '';
ALTER TABLE companies ADD COLUMN vat TEXT NOT NULL DEFAULT '';
ALTER TABLE companies ADD COLUMN name_key TEXT NOT NULL DEFAULT '';
ALTER TABLE companies ADD COLUMN name_token TEXT NOT NULL DEFAULT '';
ALTER TABLE companies ADD COLUMN postcode TEXT NOT NULL DEFAULT '';
ALTER TABLE companies ADD COLUMN city TEXT NOT NULL DEFAULT '';
ALTER TABLE companies ADD COLUMN country TEXT NOT NULL DEFAULT '';
ALTER TABLE companies ADD COLUMN naf TEXT NOT NULL DEFAULT '';
ALTER TABLE companies ADD COLUMN size_band TEXT NOT NULL DEFAULT '';
ALTER TABLE companies ADD COLUMN legal_form TEXT NOT NULL DEFAULT '';
ALTER TABLE companies ADD COLUMN head_office {{bool}} NOT NULL DEFAULT FALSE;
ALTER TABLE companies ADD COLUMN closed {{bool}} NOT NULL DEFAULT FALSE;
ALTER TABLE companies ADD COLUMN domain TEXT NOT NULL DEFAULT '';
CREATE INDEX companies_name ON companies(name_token, name_key);
CREATE INDEX companies_postcode ON companies(postcode);
CREATE INDEX companies_lei ON companies(lei) WHERE lei <> '';
CREATE TABLE company_domains (
	domain TEXT NOT NULL,
	owner TEXT NOT NULL,
	seen BIGINT NOT NULL DEFAULT 0,
	PRIMARY KEY (domain, owner)
);
CREATE TABLE registry_imports (
	file TEXT PRIMARY KEY,
	format TEXT NOT NULL,
	size BIGINT NOT NULL,
	byte_offset BIGINT NOT NULL,
	line BIGINT NOT NULL,
	rows BIGINT NOT NULL,
	invalid BIGINT NOT NULL,
	done {{bool}} NOT NULL DEFAULT FALSE,
	bulk {{bool}} NOT NULL DEFAULT FALSE,
	updated_at {{time}} NOT NULL
);
`,
	// 3: company review items (issue 6): a low-confidence company attachment is queued
	// for a steward, naming the registry entry; one open item per record and entry.
	3: `
ALTER TABLE review_items ADD COLUMN company_key TEXT NOT NULL DEFAULT '';
DROP INDEX review_items_open_pair;
CREATE UNIQUE INDEX review_items_open_pair ON review_items(source_row_id, candidate_id, company_key) WHERE status = 'open';
`,
	// 4: match features stored with each source record (issue 5): candidates are scored
	// on them without decoding the record JSON. NULL for rows written before: those are
	// decoded as before until they are written again.
	4: `
ALTER TABLE source_records ADD COLUMN features TEXT;
`,
	// 5: blocking keys carry their record's master (issue 3): finding the masters that
	// share a batch's keys reads the key index only, without joining source records and
	// masters per key. The store keeps master_id in step when a record moves (merge).
	// {{without_rowid}}: on SQLite the table is its primary key (one B-tree less to write).
	5: `
CREATE TABLE block_keys_v5 (
	key TEXT NOT NULL,
	master_id BIGINT NOT NULL,
	source_row_id BIGINT NOT NULL REFERENCES source_records(id),
	PRIMARY KEY (key, master_id, source_row_id)
){{without_rowid}};
INSERT INTO block_keys_v5 (key, master_id, source_row_id)
SELECT bk.key, s.master_id, bk.source_row_id FROM block_keys bk JOIN source_records s ON s.id = bk.source_row_id
WHERE s.master_id IS NOT NULL;
DROP TABLE block_keys;
ALTER TABLE block_keys_v5 RENAME TO block_keys;
CREATE INDEX block_keys_row ON block_keys(source_row_id);
`,
	// 6: candidates are read from a covering index (issue 5): the match features of a
	// master's records without touching the rows, whose record JSON (overflow pages on
	// SQLite, where features come after it) made each candidate a few random reads. It
	// replaces source_records_master, its prefix.
	6: `
CREATE INDEX source_records_candidates ON source_records(master_id, deleted, id, source, source_id, features);
DROP INDEX source_records_master;
`,
	// 7: blocking keys lose their foreign key to source_records (issue 3): it cost a
	// lookup and a row lock of the source record per key written, a sixth to a third of
	// the block-key insert (in psql), the largest statement of a resolve batch on
	// PostgreSQL.
	// The keys are a derived index the store deletes with their row (ReplaceBlockKeys).
	7: `
CREATE TABLE block_keys_v7 (
	key TEXT NOT NULL,
	master_id BIGINT NOT NULL,
	source_row_id BIGINT NOT NULL,
	PRIMARY KEY (key, master_id, source_row_id)
){{without_rowid}};
INSERT INTO block_keys_v7 (key, master_id, source_row_id) SELECT key, master_id, source_row_id FROM block_keys;
DROP TABLE block_keys;
ALTER TABLE block_keys_v7 RENAME TO block_keys;
CREATE INDEX block_keys_row ON block_keys(source_row_id);
`,
	// 8: on a single-writer database (SQLite) the blocking index moves to memory
	// (memindex.go), read from one row_keys row per source row (Dialect.Extra[8]); a
	// key B-tree cost a dozen random page writes per record. PostgreSQL, whose writers
	// are several processes, keeps block_keys.
	8: ``,
	// 9: the in-memory index also holds each live row's source, source id and match
	// features (Candidates reads no row from the file); SQLite's triggers count changes
	// to source_records as well (Dialect.Extra[9]).
	9: ``,
	// 10: published outbox events are pruned after a retention (Store.PruneOutbox), the
	// oldest first: found by the time they were published.
	10: `
CREATE INDEX outbox_published ON outbox(published_at) WHERE published_at IS NOT NULL;
`,
	// 11: the keys steward looks up by equality (blocking keys, source keys, registry
	// keys and domains) compare byte by byte on every database: SQLite's default
	// (BINARY) already does; on PostgreSQL the columns take collation "C"
	// (Dialect.Extra[11]), where they had the database's, often a language's
	// (en_US.utf8 in the postgres Docker image), whose comparisons go through the C
	// library: the capped key → masters read, the largest statement of a resolve batch,
	// took 1.7 times as long. The registry's name order (its candidates past
	// max_candidates) is then SQLite's too.
	11: ``,
	// 12: on PostgreSQL the large text columns (records, explanations, golden records,
	// event details and payloads) are compressed with lz4 where the server has it
	// (Dialect.Extra[12]), instead of pglz: a source row with an explanation (~2.4 KB)
	// is over the TOAST threshold, and pglz compressing its record was half of its
	// insert (psql: 21-27 µs a row with pglz, 10-14 with lz4, 9-12 uncompressed; lz4
	// and pglz to the same size). Values already stored keep their compression.
	12: ``,
	// 13: an entry keyed otherwise than by its SIRET (a mapped CSV's own key column, a
	// customer number) keeps its SIRET in mapped_siret, with an index for lookups by
	// SIRET; '' when the key is the SIRET (SIRENE, a mapped file without a key column) or
	// there is none, so existing rows need no rewrite. Rows stored before lost the SIRET
	// of such entries: importing their file again fills it. Per dialect
	// (Dialect.Extra[13]): PostgreSQL's waits for its lock at most a lock timeout, set
	// before the ALTER, and compares the column byte by byte (as migration 11's).
	13: ``,
	// 14: the open review items naming a master as the candidate are found by an index
	// (OpenReviewItems): an update or a withdrawal of a master's record scores again the
	// items other records raised against that master, and without it every open item was
	// read (review_items_status leads with the status; review_items_open_pair with the
	// raising record). Per dialect (Dialect.Extra[14]): PostgreSQL's waits for its lock
	// at most a lock timeout, set before it (as migration 13's).
	14: ``,
	// 15: PostgreSQL's blocking index holds a 64-bit hash of each key (key_hash, the
	// first 8 bytes of the key's SHA-256, BlockKeyHash) instead of its text: the key
	// insert and the capped key → masters read, the two largest statements of a resolve
	// batch, probe a B-tree of three bigints instead of one of text and two bigints
	// (BenchmarkKafkaToPostgres, pg_stat_statements: 53 → 42 and 45 → 35 µs a record),
	// and the keys travel as binary int8 arrays. Two keys of one hash (odds ~2⁻⁶⁴ a pair)
	// share their candidates, which are then scored as any other; SQLite's memory index
	// hashes its keys likewise (64-bit FNV-1a). Existing keys are hashed by the same
	// function in SQL (Dialect.Extra[15]); SQLite has no block_keys (migration 8).
	15: ``,
	// 16: SQLite's audit log refuses an INSERT OR REPLACE (or REPLACE) of an event id it
	// holds (Dialect.Extra[16]): SQLite deletes the replaced row without firing its
	// delete trigger (it does only with recursive_triggers on), so that such a statement
	// rewrote an event in place. PostgreSQL has no REPLACE (its INSERT ... ON CONFLICT DO
	// UPDATE fires the update trigger, and is refused).
	16: ``,
	// 17: an import checkpoint holds its file's modification time (Unix nanoseconds; 0
	// for those saved before): a registry file edited in place to the same size was
	// taken for the one imported, and its changes were lost.
	17: `
ALTER TABLE registry_imports ADD COLUMN mod_time BIGINT NOT NULL DEFAULT 0;
`,
	// 18: the open review items naming a master as the record's master are found by an
	// index (CloseReviewItems by master): every update whose match features changed, and
	// every withdrawal, closes its master's split items, and without it each read every
	// open item. Per dialect (Dialect.Extra[18]), as migration 14's.
	18: ``,
}

// SchemaVersion is the newest migration version.
func SchemaVersion() int { return len(migrations) - 1 }

// Migrate applies the migrations not applied yet, each in its own transaction. It is safe
// to run at every start-up.
func (s *Store) Migrate(ctx context.Context) error {
	if err := s.MigrateTo(ctx, SchemaVersion()); err != nil {
		return err
	}
	return s.warm(ctx)
}

// MigrateTo applies the migrations up to version (tests of upgrades with data start
// from an older schema). The store is usable only after Migrate.
func (s *Store) MigrateTo(ctx context.Context, version int) error {
	// A warehouse already at the version is not written to: a role that may only read
	// (an analyst's, for stats, review and export) failed on the CREATE below, which
	// needs the right to create in the schema.
	var have sql.NullInt64
	if err := s.db.QueryRowContext(ctx, `SELECT MAX(version) FROM schema_migrations`).Scan(&have); err == nil &&
		have.Valid && int(have.Int64) >= min(version, SchemaVersion()) && int(have.Int64) <= SchemaVersion() {
		return nil
	}
	if _, err := s.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)`); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	var current sql.NullInt64
	if err := s.db.QueryRowContext(ctx, `SELECT MAX(version) FROM schema_migrations`).Scan(&current); err != nil {
		return fmt.Errorf("migrate: read version: %w", err)
	}
	if int(current.Int64) > SchemaVersion() {
		return fmt.Errorf("migrate: database schema version %d is newer than this steward (%d): upgrade steward", current.Int64, SchemaVersion())
	}
	for v := int(current.Int64) + 1; v <= min(version, SchemaVersion()); v++ {
		if err := s.applyMigration(ctx, v); err != nil {
			return fmt.Errorf("migrate to version %d: %w", v, err)
		}
	}
	return nil
}

func (s *Store) applyMigration(ctx context.Context, v int) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	// Another process opening the same database may have applied v since MigrateTo read
	// the version (SQLite: the transaction holds the write lock, so this read is current;
	// PostgreSQL's Open serializes migrations anyway).
	var done int
	if err := tx.QueryRowContext(ctx, s.d.rebind(`SELECT COUNT(*) FROM schema_migrations WHERE version = ?`), v).Scan(&done); err != nil {
		return err
	}
	if done > 0 {
		return nil
	}
	src := migrations[v]
	for k, t := range s.d.Types {
		src = strings.ReplaceAll(src, "{{"+k+"}}", t)
	}
	stmts := append(splitSQL(src), s.d.Extra[v]...)
	for _, st := range stmts {
		if _, err := tx.ExecContext(ctx, st); err != nil {
			return fmt.Errorf("%w\n%s", err, st)
		}
	}
	if _, err := tx.ExecContext(ctx, s.d.rebind(`INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`), v, time.Now().UTC().Format(time.RFC3339)); err != nil {
		return err
	}
	return tx.Commit()
}

func splitSQL(src string) []string {
	var out []string
	for _, st := range strings.Split(src, ";\n") {
		if st = strings.TrimSpace(st); st != "" {
			out = append(out, st)
		}
	}
	return out
}
