package sqlstore

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/steward-crm/steward/contact"
	"github.com/steward-crm/steward/warehouse"
)

// The set-based methods on a database with array parameters (PostgreSQL, Dialect.Arrays):
// every list is one array parameter and every multi-row write one INSERT ... SELECT FROM
// unnest(...), so a batch costs one statement per table whatever its size (the IN lists
// and VALUES rows of batch.go cost one statement per 64 keys or rows, and each is a round
// trip).

const (
	aSourceStates = qStateCols + `
WHERE (source, source_id) IN (SELECT * FROM unnest(?::text[], ?::text[]))`
	// aCappedKeyMasters reads at most the second parameter masters per key hash
	// (BlockKeyHash), in master order, from the key index (an index-only scan that stops
	// at the limit): a key that returns that many is over the cap, and it is never
	// scanned to its end. Master 0 files the keys of rows not live (blockMaster).
	aCappedKeyMasters = `SELECT k.h, m.master_id FROM unnest(?::bigint[]) AS k(h)
CROSS JOIN LATERAL (SELECT DISTINCT b.master_id FROM block_keys b WHERE b.key_hash = k.h AND b.master_id > 0 ORDER BY b.master_id LIMIT ?) AS m`
	aKeyRows       = `SELECT key_hash, source_row_id FROM block_keys WHERE key_hash = ANY(?::bigint[])`
	aCandidateRows = `SELECT id, source, source_id, master_id, features
FROM source_records WHERE master_id = ANY(?::bigint[]) AND deleted = FALSE ORDER BY master_id, id`
	aRecordsByID   = `SELECT id, record FROM source_records WHERE id = ANY(?::bigint[])`
	aMembersOf     = `SELECT ` + sourceCols + ` FROM source_records WHERE master_id = ANY(?::bigint[]) AND deleted = FALSE ORDER BY master_id, id`
	aMemberRecords = `SELECT master_id, record FROM source_records WHERE master_id = ANY(?::bigint[]) AND deleted = FALSE ORDER BY master_id, id`
	aMastersByID   = `SELECT id, version, status, merged_into, golden, quality, created_at, updated_at FROM masters WHERE id = ANY(?::bigint[]) ORDER BY id`
	aMasterStates  = `SELECT id, version, status, merged_into, quality, created_at, updated_at FROM masters WHERE id = ANY(?::bigint[]) ORDER BY id`
	aPutSources    = `INSERT INTO source_records (source, source_id, hash, updated_at, deleted, record, master_id, score, explanation, position, features, created_at, modified_at)
SELECT * FROM unnest(?::text[], ?::text[], ?::text[], ?::timestamptz[], ?::boolean[], ?::text[], ?::bigint[], ?::float8[], ?::text[], ?::text[], ?::text[], ?::timestamptz[], ?::timestamptz[])
ON CONFLICT (source, source_id) DO UPDATE SET
	hash = excluded.hash, updated_at = excluded.updated_at, deleted = excluded.deleted,
	record = excluded.record, master_id = excluded.master_id, score = excluded.score,
	explanation = excluded.explanation, position = excluded.position, features = excluded.features,
	modified_at = excluded.modified_at
RETURNING id, source, source_id`
	// Rows that have no keys yet (Tx.AddRowBlockKeys), deduplicated before the insert:
	// no ON CONFLICT, whose speculative insertion cost a quarter to a third of the
	// statement in psql.
	aBlockKeys       = `INSERT INTO block_keys (key_hash, master_id, source_row_id) SELECT * FROM unnest(?::bigint[], ?::bigint[], ?::bigint[])`
	aSyncBlockMaster = `UPDATE block_keys SET master_id = v.master_id FROM unnest(?::bigint[], ?::bigint[]) AS v(id, master_id)
WHERE block_keys.source_row_id = v.id AND block_keys.master_id <> v.master_id`
	aInsertMasters = `INSERT INTO masters (id, version, status, golden, quality, created_at, updated_at)
SELECT * FROM unnest(?::bigint[], ?::integer[], ?::text[], ?::text[], ?::integer[], ?::timestamptz[], ?::timestamptz[])`
	aSaveMasters = `UPDATE masters SET version = v.version, status = v.status, merged_into = v.merged_into, golden = v.golden, quality = v.quality, updated_at = v.updated_at
FROM unnest(?::bigint[], ?::integer[], ?::text[], ?::bigint[], ?::text[], ?::integer[], ?::timestamptz[]) AS v(id, version, status, merged_into, golden, quality, updated_at)
WHERE masters.id = v.id`
	// WITH ORDINALITY ... ORDER BY: ids are drawn in the order of the arrays.
	aAppendEvents = `INSERT INTO merge_events (at, kind, master_id, other_id, source_key, score, actor, details)
SELECT at, kind, master_id, other_id, source_key, score, actor, details
FROM unnest(?::timestamptz[], ?::text[], ?::bigint[], ?::bigint[], ?::text[], ?::float8[], ?::text[], ?::text[]) WITH ORDINALITY
	AS v(at, kind, master_id, other_id, source_key, score, actor, details, i) ORDER BY i`
	aAddOutboxes = `INSERT INTO outbox (created_at, topic, key, payload)
SELECT created_at, topic, key, payload FROM unnest(?::timestamptz[], ?::text[], ?::text[], ?::text[]) WITH ORDINALITY
	AS v(created_at, topic, key, payload, i) ORDER BY i`
)

// arrayQueries lists the array queries warm prepares.
func arrayQueries() []string {
	return []string{aSourceStates, aCappedKeyMasters, aKeyRows, aCandidateRows, aRecordsByID, aMembersOf, aMemberRecords, aMastersByID, aMasterStates,
		aPutSources, aBlockKeys, aSyncBlockMaster, aInsertMasters, aSaveMasters, aAppendEvents, aAddOutboxes}
}

// nullable turns the zero value into NULL in an array parameter.
func nullable[T comparable](v T) *T {
	var zero T
	if v == zero {
		return nil
	}
	return &v
}

func (t *tx) sourceStatesArrays(ctx context.Context, keys []warehouse.SourceKey) (map[string]*warehouse.SourceRow, error) {
	srcs, ids := make([]string, len(keys)), make([]string, len(keys))
	for i, k := range keys {
		srcs[i], ids[i] = k.Source, k.SourceID
	}
	rows, err := t.query(ctx, aSourceStates, srcs, ids)
	if err != nil {
		return nil, fmt.Errorf("source states: %w", err)
	}
	out := make(map[string]*warehouse.SourceRow, len(keys))
	if err := scanStates(rows, out); err != nil {
		return nil, fmt.Errorf("source states: %w", err)
	}
	return out, nil
}

func (t *tx) putSourceRecordsArrays(ctx context.Context, rows []*warehouse.SourceRow, rec []string, byKey map[string]*warehouse.SourceRow) error {
	n := len(rows)
	var (
		src, sid, hash, pos = make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		upd                 = make([]*time.Time, n)
		del                 = make([]bool, n)
		master              = make([]*int64, n)
		score               = make([]float64, n)
		expl, feats         = make([]*string, n), make([]*string, n)
		now                 = make([]time.Time, n)
	)
	ts := time.Now().UTC()
	for i, r := range rows {
		src[i], sid[i], hash[i], pos[i] = r.Source, r.SourceID, r.Hash, r.Position
		if !r.UpdatedAt.IsZero() {
			u := r.UpdatedAt.UTC()
			upd[i] = &u
		}
		del[i], master[i], score[i] = r.Deleted, nullable(r.MasterID), r.Score
		expl[i], feats[i], now[i] = nullable(string(r.Explanation)), nullable(r.Features), ts
	}
	res, err := t.query(ctx, aPutSources, src, sid, hash, upd, del, rec, master, score, expl, pos, feats, now, now)
	if err != nil {
		return fmt.Errorf("put source records: %w", err)
	}
	return setIDs(res, byKey)
}

func (t *tx) syncBlockMastersArrays(ctx context.Context, rows []*warehouse.SourceRow) error {
	if len(rows) == 0 {
		return nil
	}
	ids, masters := make([]int64, len(rows)), make([]int64, len(rows))
	for i, r := range rows {
		ids[i], masters[i] = r.ID, blockMaster(r.MasterID, r.Deleted)
	}
	if _, err := t.exec(ctx, aSyncBlockMaster, ids, masters); err != nil {
		return fmt.Errorf("put source records: block keys: %w", err)
	}
	return nil
}

func (t *tx) addRowBlockKeysArrays(ctx context.Context, keys []warehouse.RowKey) error {
	type row struct{ h, master, id int64 }
	hs, ms, ids := make([]int64, 0, len(keys)), make([]int64, 0, len(keys)), make([]int64, 0, len(keys))
	seen := make(map[row]bool, len(keys))
	for _, k := range keys {
		// Deduplicated by hash: two keys of one row that share a hash are one row.
		if r := (row{BlockKeyHash(k.Key), k.MasterID, k.RowID}); !seen[r] {
			seen[r] = true
			hs, ms, ids = append(hs, r.h), append(ms, r.master), append(ids, r.id)
		}
	}
	if _, err := t.exec(ctx, aBlockKeys, hs, ms, ids); err != nil {
		return fmt.Errorf("block keys: %w", err)
	}
	return nil
}

func (t *tx) insertMastersArrays(ctx context.Context, ms []*contact.Master, golden []string) error {
	n := len(ms)
	ids, status := make([]int64, n), make([]string, n)
	version, quality := make([]int32, n), make([]int32, n)
	at := make([]time.Time, n)
	for i, m := range ms {
		ids[i], version[i], status[i], quality[i], at[i] = m.ID, int32(m.Version), m.Status, int32(m.Quality), m.CreatedAt
	}
	if _, err := t.exec(ctx, aInsertMasters, ids, version, status, golden, quality, at, at); err != nil {
		return fmt.Errorf("insert masters: %w", err)
	}
	return nil
}

func (t *tx) saveMastersArrays(ctx context.Context, ms []*contact.Master, golden []string) error {
	n := len(ms)
	ids, merged := make([]int64, n), make([]*int64, n)
	status := make([]string, n)
	version, quality := make([]int32, n), make([]int32, n)
	at := make([]time.Time, n)
	for i, m := range ms {
		ids[i], version[i], status[i], merged[i], quality[i], at[i] = m.ID, int32(m.Version), m.Status, nullable(m.MergedInto), int32(m.Quality), m.UpdatedAt
	}
	if _, err := t.exec(ctx, aSaveMasters, ids, version, status, merged, golden, quality, at); err != nil {
		return fmt.Errorf("save masters: %w", err)
	}
	return nil
}

func (t *tx) appendEventsArrays(ctx context.Context, es []*warehouse.Event) error {
	n := len(es)
	at := make([]time.Time, n)
	kind, key, actor := make([]string, n), make([]string, n), make([]string, n)
	master, other := make([]int64, n), make([]int64, n)
	score := make([]float64, n)
	details := make([]*string, n)
	for i, e := range es {
		at[i], kind[i], master[i], other[i], key[i], score[i], actor[i], details[i] = e.At, e.Kind, e.MasterID, e.OtherID, e.SourceKey, e.Score, e.Actor, nullable(string(e.Details))
	}
	if _, err := t.exec(ctx, aAppendEvents, at, kind, master, other, key, score, actor, details); err != nil {
		return fmt.Errorf("append events: %w", err)
	}
	return nil
}

func (t *tx) addOutboxesArrays(ctx context.Context, os []*warehouse.OutboxEvent) error {
	n := len(os)
	at := make([]time.Time, n)
	topic, key, payload := make([]string, n), make([]string, n), make([]string, n)
	for i, o := range os {
		at[i], topic[i], key[i], payload[i] = o.CreatedAt, o.Topic, o.Key, string(o.Payload)
	}
	if _, err := t.exec(ctx, aAddOutboxes, at, topic, key, payload); err != nil {
		return fmt.Errorf("add outbox: %w", err)
	}
	return nil
}

// keyMastersArrays reads aCappedKeyMasters into masters by key.
func (t *tx) keyMastersArrays(ctx context.Context, keys []string, limit int) (map[string][]int64, error) {
	byKey := make(map[string][]int64, len(keys))
	err := t.byBlockKey(ctx, aCappedKeyMasters, keys, func(k string, master int64) { byKey[k] = append(byKey[k], master) }, limit)
	if err != nil {
		return nil, err
	}
	return byKey, nil
}

// BlockKeyHash is the 64-bit hash block_keys holds for a blocking key (migration 15):
// the first 8 bytes of the SHA-256 of its UTF-8 text, big-endian, as a signed integer;
// in SQL ('x' || substr(encode(sha256(convert_to(key, 'UTF8')), 'hex'), 1, 16))::bit(64)::bigint.
func BlockKeyHash(key string) int64 {
	sum := sha256.Sum256([]byte(key))
	return int64(binary.BigEndian.Uint64(sum[:8]))
}

// byBlockKey runs q, whose first parameter is the keys' distinct BlockKeyHash (a bigint
// array) followed by args, and passes fn each (hash, id) row it returns once for every
// key of that hash (two keys of one hash share their rows).
func (t *tx) byBlockKey(ctx context.Context, q string, keys []string, fn func(k string, id int64), args ...any) error {
	byHash := make(map[int64][]string, len(keys))
	for _, k := range keys {
		if h := BlockKeyHash(k); !slices.Contains(byHash[h], k) {
			byHash[h] = append(byHash[h], k)
		}
	}
	hs := slices.Sorted(maps.Keys(byHash))
	rows, err := t.query(ctx, q, append([]any{hs}, args...)...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var h, id int64
		if err := rows.Scan(&h, &id); err != nil {
			return err
		}
		for _, k := range byHash[h] {
			fn(k, id)
		}
	}
	return rows.Err()
}
