package sqlstore

import "strings"

// All queries of a transaction, written with '?' placeholders (rebound for PostgreSQL).
// Queries with IN lists or multi-row VALUES are padded to a few sizes (repeating the last
// value, which changes nothing) so that every query is one of a finite set that warm
// prepares once.

const sourceCols = `id, source, source_id, hash, updated_at, deleted, record, master_id, score, explanation, position, features`

const (
	qSourceRecord = `SELECT ` + sourceCols + ` FROM source_records WHERE source = ? AND source_id = ?`
	qStateCols    = `SELECT id, source, source_id, hash, updated_at, deleted, master_id, score, explanation, position, features FROM source_records`
	qSourceState  = qStateCols + ` WHERE source = ? AND source_id = ?`
	qPutSource    = `
INSERT INTO source_records (source, source_id, hash, updated_at, deleted, record, master_id, score, explanation, position, features, created_at, modified_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (source, source_id) DO UPDATE SET
	hash = excluded.hash, updated_at = excluded.updated_at, deleted = excluded.deleted,
	record = excluded.record, master_id = excluded.master_id, score = excluded.score,
	explanation = excluded.explanation, position = excluded.position, features = excluded.features,
	modified_at = excluded.modified_at
RETURNING id`
	qDeleteBlockKeys = `DELETE FROM block_keys WHERE source_row_id = ?`
	qMembers         = `SELECT ` + sourceCols + ` FROM source_records WHERE master_id = ? AND deleted = FALSE ORDER BY id`
	qCreateMaster    = `INSERT INTO masters (version, status, golden, quality, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`
	qUpdateMaster    = `UPDATE masters SET version = version + 1, status = ?, merged_into = ?, golden = ?, quality = ?, updated_at = ? WHERE id = ? RETURNING version`
	qMaster          = `SELECT id, version, status, merged_into, golden, quality, created_at, updated_at FROM masters WHERE id = ?`
	qNotAMatch       = `SELECT COUNT(*) FROM not_a_match WHERE source_row_id = ? AND master_id = ?`
	qAddReview       = `
INSERT INTO review_items (created_at, kind, status, source_row_id, source_key, master_id, candidate_id, score, explanation, company_key)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (source_row_id, candidate_id, company_key) WHERE status = 'open' DO NOTHING
RETURNING id`
	// qOpenMerge counts the open merge items between two masters (X, Y), in either
	// direction. A merge item's record is one of its master's (a merge moves both), so
	// the items are found from the masters' records through the open-item index, not by
	// reading every open item. CROSS JOIN keeps SQLite to that order without statistics
	// (it would otherwise scan the open items); PostgreSQL plans it as any inner join.
	// Arguments: X, X, Y, Y, Y, X.
	qOpenMerge    = `SELECT CASE WHEN EXISTS (` + openMergeFrom + `) OR EXISTS (` + openMergeFrom + `) THEN 1 ELSE 0 END`
	openMergeFrom = `SELECT 1 FROM source_records s CROSS JOIN review_items r WHERE s.master_id = ? AND r.source_row_id = s.id
AND r.status = 'open' AND r.kind = 'merge' AND r.master_id = ? AND r.candidate_id = ?`
	qSupersedeReviews = `UPDATE review_items SET status = 'superseded', decided_by = 'engine', decided_at = ?
WHERE source_row_id = ? AND kind = ? AND status = 'open' AND company_key <> ?`
	qAppendEvent = `INSERT INTO merge_events (at, kind, master_id, other_id, source_key, score, actor, details) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`
	qAddOutbox   = `INSERT INTO outbox (created_at, topic, key, payload) VALUES (?, ?, ?, ?) RETURNING id`
)

// padSizes are the sizes IN lists are padded to; longer lists are padded to a multiple
// of the largest.
var padSizes = []int{4, 8, 16, 32, 64}

func padded(n int) int {
	for _, p := range padSizes {
		if n <= p {
			return p
		}
	}
	last := padSizes[len(padSizes)-1]
	return (n + last - 1) / last * last
}

// padArgs returns keys as arguments padded to padded(len(keys)) by repeating the last.
func padArgs(keys []string) []any {
	n := padded(len(keys))
	args := make([]any, n)
	for i := range args {
		args[i] = keys[min(i, len(keys)-1)]
	}
	return args
}

const (
	qRowMaster        = `SELECT master_id, deleted FROM source_records WHERE id = ?`
	qSyncBlockMasters = `UPDATE block_keys SET master_id = ? WHERE source_row_id = ? AND master_id <> ?`
)

// The blocking keys of a single-writer database (Dialect.MemoryIndex): one row_keys row
// per source row, its keys separated by newlines.
const (
	qDeleteRowKeys  = `DELETE FROM row_keys WHERE source_row_id = ?`
	qSyncRowMasters = `UPDATE row_keys SET master_id = ? WHERE source_row_id = ? AND master_id <> ?`
)

// qInsertRowKeys writes n rows' keys; a row that has keys already gets the new ones
// appended.
func qInsertRowKeys(n int) string {
	return `INSERT INTO row_keys (source_row_id, master_id, keys) VALUES ` +
		strings.TrimSuffix(strings.Repeat("(?, ?, ?), ", n), ", ") +
		` ON CONFLICT (source_row_id) DO UPDATE SET master_id = excluded.master_id, keys = row_keys.keys || char(10) || excluded.keys`
}

// qDeleteKeys and qSyncMasters are the dialect's statements that delete a row's keys and
// move them to the row's new master.
func (d *Dialect) qDeleteKeys() string {
	if d.MemoryIndex {
		return qDeleteRowKeys
	}
	return qDeleteBlockKeys
}

func (d *Dialect) qSyncMasters() string {
	if d.MemoryIndex {
		return qSyncRowMasters
	}
	return qSyncBlockMasters
}

// hotQueries lists every query warm prepares.
func hotQueries(d *Dialect) []string {
	qs := []string{qSourceRecord, qSourceState, qPutSource, d.qDeleteKeys(), qRowMaster, d.qSyncMasters(), qMembers, qCreateMaster, qUpdateMaster, qMaster, qNotAMatch, qAddReview, qOpenMerge, qAppendEvent, qAddOutbox}
	qs = append(qs, qMaster+d.ForUpdate)
	return append(qs, batchQueries(d)...)
}
