package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/steward-crm/steward/contact"
	"github.com/steward-crm/steward/warehouse"
)

// tx implements warehouse.Tx.
type tx struct {
	tx *sql.Tx
	d  *Dialect
}

func (t *tx) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return t.tx.ExecContext(ctx, t.d.rebind(q), args...)
}

func (t *tx) LockKeys(ctx context.Context, keys []string) error {
	if t.d.LockKeys == nil || len(keys) == 0 {
		return nil
	}
	if err := t.d.LockKeys(ctx, t.tx, keyHashes(keys)); err != nil {
		return fmt.Errorf("lock keys: %w", err)
	}
	return nil
}

const sourceCols = `id, source, source_id, hash, updated_at, deleted, record, master_id, score, explanation, position`

func scanSource(sc scanner) (*warehouse.SourceRow, error) {
	var r warehouse.SourceRow
	var upd sql.NullTime
	var rec, expl []byte
	var master sql.NullInt64
	if err := sc.Scan(&r.ID, &r.Source, &r.SourceID, &r.Hash, &upd, &r.Deleted, &rec, &master, &r.Score, &expl, &r.Position); err != nil {
		return nil, err
	}
	if upd.Valid {
		r.UpdatedAt = upd.Time.UTC()
	}
	r.MasterID = master.Int64
	r.Record = &contact.Record{}
	if err := json.Unmarshal(rec, r.Record); err != nil {
		return nil, fmt.Errorf("source record %d: %w", r.ID, err)
	}
	if len(expl) > 0 {
		r.Explanation = json.RawMessage(expl)
	}
	return &r, nil
}

func (t *tx) SourceRecord(ctx context.Context, source, sourceID string) (*warehouse.SourceRow, error) {
	row := t.tx.QueryRowContext(ctx, t.d.rebind(`SELECT `+sourceCols+` FROM source_records WHERE source = ? AND source_id = ?`), source, sourceID)
	r, err := scanSource(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, warehouse.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("source record %s:%s: %w", source, sourceID, err)
	}
	return r, nil
}

func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC()
}

func nullJSON(b json.RawMessage) any {
	if len(b) == 0 {
		return nil
	}
	return string(b)
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func (t *tx) PutSourceRecord(ctx context.Context, r *warehouse.SourceRow) error {
	rec, err := json.Marshal(r.Record)
	if err != nil {
		return fmt.Errorf("encode source record %s: %w", r.Key(), err)
	}
	now := time.Now().UTC()
	row := t.tx.QueryRowContext(ctx, t.d.rebind(`
INSERT INTO source_records (source, source_id, hash, updated_at, deleted, record, master_id, score, explanation, position, created_at, modified_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (source, source_id) DO UPDATE SET
	hash = excluded.hash, updated_at = excluded.updated_at, deleted = excluded.deleted,
	record = excluded.record, master_id = excluded.master_id, score = excluded.score,
	explanation = excluded.explanation, position = excluded.position, modified_at = excluded.modified_at
RETURNING id`),
		r.Source, r.SourceID, r.Hash, nullTime(r.UpdatedAt), r.Deleted, string(rec), nullID(r.MasterID),
		r.Score, nullJSON(r.Explanation), r.Position, now, now)
	if err := row.Scan(&r.ID); err != nil {
		return fmt.Errorf("put source record %s: %w", r.Key(), err)
	}
	return nil
}

func (t *tx) ReplaceBlockKeys(ctx context.Context, id int64, keys []string) error {
	if _, err := t.exec(ctx, `DELETE FROM block_keys WHERE source_row_id = ?`, id); err != nil {
		return fmt.Errorf("block keys: %w", err)
	}
	if len(keys) == 0 {
		return nil
	}
	q := `INSERT INTO block_keys (key, source_row_id) VALUES `
	args := make([]any, 0, 2*len(keys))
	for i, k := range keys {
		if i > 0 {
			q += ", "
		}
		q += "(?, ?)"
		args = append(args, k, id)
	}
	if _, err := t.exec(ctx, q+` ON CONFLICT DO NOTHING`, args...); err != nil {
		return fmt.Errorf("block keys: %w", err)
	}
	return nil
}

func (t *tx) Candidates(ctx context.Context, keys []string, maxMasters int, excludeID int64) ([]warehouse.SourceRow, []string, error) {
	if len(keys) == 0 {
		return nil, nil, nil
	}
	args := make([]any, 0, len(keys)+2)
	for _, k := range keys {
		args = append(args, k)
	}
	rows, err := t.tx.QueryContext(ctx, t.d.rebind(`
SELECT bk.key, COUNT(DISTINCT s.master_id) FROM block_keys bk
JOIN source_records s ON s.id = bk.source_row_id
WHERE bk.key IN (`+placeholders(len(keys))+`) AND s.deleted = FALSE AND s.master_id IS NOT NULL
GROUP BY bk.key`), args...)
	if err != nil {
		return nil, nil, fmt.Errorf("candidates: count keys: %w", err)
	}
	var ok, skipped []string
	for rows.Next() {
		var k string
		var n int
		if err := rows.Scan(&k, &n); err != nil {
			rows.Close()
			return nil, nil, err
		}
		if n > maxMasters {
			skipped = append(skipped, k)
		} else {
			ok = append(ok, k)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	if len(ok) == 0 {
		return nil, skipped, nil
	}
	args = args[:0]
	for _, k := range ok {
		args = append(args, k)
	}
	args = append(args, excludeID, contact.MasterActive)
	q := `SELECT ` + prefixed("s.", sourceCols) + ` FROM source_records s
JOIN masters m ON m.id = s.master_id
WHERE s.master_id IN (
	SELECT DISTINCT s2.master_id FROM block_keys bk JOIN source_records s2 ON s2.id = bk.source_row_id
	WHERE bk.key IN (` + placeholders(len(ok)) + `) AND s2.deleted = FALSE)
AND s.deleted = FALSE AND s.id <> ? AND m.status = ?
ORDER BY s.master_id, s.id`
	cands, err := t.sourceRows(ctx, q, args...)
	if err != nil {
		return nil, nil, fmt.Errorf("candidates: %w", err)
	}
	return cands, skipped, nil
}

func (t *tx) sourceRows(ctx context.Context, q string, args ...any) ([]warehouse.SourceRow, error) {
	rows, err := t.tx.QueryContext(ctx, t.d.rebind(q), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []warehouse.SourceRow
	for rows.Next() {
		r, err := scanSource(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *r)
	}
	return out, rows.Err()
}

func (t *tx) Members(ctx context.Context, masterID int64) ([]warehouse.SourceRow, error) {
	rs, err := t.sourceRows(ctx, `SELECT `+sourceCols+` FROM source_records WHERE master_id = ? AND deleted = FALSE ORDER BY id`, masterID)
	if err != nil {
		return nil, fmt.Errorf("members of master %d: %w", masterID, err)
	}
	return rs, nil
}

func (t *tx) CreateMaster(ctx context.Context, m *contact.Master) error {
	golden, err := json.Marshal(m.Golden)
	if err != nil {
		return err
	}
	now := time.Now().UTC()
	if m.Status == "" {
		m.Status = contact.MasterActive
	}
	m.Version, m.CreatedAt, m.UpdatedAt = 1, now, now
	row := t.tx.QueryRowContext(ctx, t.d.rebind(`INSERT INTO masters (version, status, golden, quality, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`),
		m.Version, m.Status, string(golden), m.Quality, now, now)
	if err := row.Scan(&m.ID); err != nil {
		return fmt.Errorf("create master: %w", err)
	}
	return nil
}

func (t *tx) UpdateMaster(ctx context.Context, m *contact.Master) error {
	golden, err := json.Marshal(m.Golden)
	if err != nil {
		return err
	}
	m.UpdatedAt = time.Now().UTC()
	row := t.tx.QueryRowContext(ctx, t.d.rebind(`UPDATE masters SET version = version + 1, status = ?, merged_into = ?, golden = ?, quality = ?, updated_at = ? WHERE id = ? RETURNING version`),
		m.Status, nullID(m.MergedInto), string(golden), m.Quality, m.UpdatedAt, m.ID)
	if err := row.Scan(&m.Version); err != nil {
		return fmt.Errorf("update master %d: %w", m.ID, err)
	}
	return nil
}

func (t *tx) Master(ctx context.Context, id int64) (*contact.Master, error) {
	m, err := scanMaster(t.tx.QueryRowContext(ctx, t.d.rebind(`SELECT id, version, status, merged_into, golden, quality, created_at, updated_at FROM masters WHERE id = ?`), id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, warehouse.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("master %d: %w", id, err)
	}
	return m, nil
}

func (t *tx) NotAMatch(ctx context.Context, sourceRowID, masterID int64) (bool, error) {
	var n int
	err := t.tx.QueryRowContext(ctx, t.d.rebind(`SELECT COUNT(*) FROM not_a_match WHERE source_row_id = ? AND master_id = ?`), sourceRowID, masterID).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("not a match: %w", err)
	}
	return n > 0, nil
}

func (t *tx) AddReviewItem(ctx context.Context, it *warehouse.ReviewItem) (bool, error) {
	if it.CreatedAt.IsZero() {
		it.CreatedAt = time.Now().UTC()
	}
	if it.Status == "" {
		it.Status = warehouse.ReviewOpen
	}
	row := t.tx.QueryRowContext(ctx, t.d.rebind(`
INSERT INTO review_items (created_at, kind, status, source_row_id, source_key, master_id, candidate_id, score, explanation)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (source_row_id, candidate_id) WHERE status = 'open' DO NOTHING
RETURNING id`),
		it.CreatedAt, it.Kind, it.Status, it.SourceRowID, it.SourceKey, it.MasterID, it.CandidateID, it.Score, nullJSON(it.Explanation))
	err := row.Scan(&it.ID)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("add review item: %w", err)
	}
	return true, nil
}

func (t *tx) AppendEvent(ctx context.Context, e *warehouse.Event) error {
	if e.At.IsZero() {
		e.At = time.Now().UTC()
	}
	if e.Actor == "" {
		e.Actor = "engine"
	}
	row := t.tx.QueryRowContext(ctx, t.d.rebind(`INSERT INTO merge_events (at, kind, master_id, other_id, source_key, score, actor, details) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
		e.At, e.Kind, e.MasterID, e.OtherID, e.SourceKey, e.Score, e.Actor, nullJSON(e.Details))
	if err := row.Scan(&e.ID); err != nil {
		return fmt.Errorf("append event: %w", err)
	}
	return nil
}

func (t *tx) AddOutbox(ctx context.Context, o *warehouse.OutboxEvent) error {
	if o.CreatedAt.IsZero() {
		o.CreatedAt = time.Now().UTC()
	}
	row := t.tx.QueryRowContext(ctx, t.d.rebind(`INSERT INTO outbox (created_at, topic, key, payload) VALUES (?, ?, ?, ?) RETURNING id`),
		o.CreatedAt, o.Topic, o.Key, string(o.Payload))
	if err := row.Scan(&o.ID); err != nil {
		return fmt.Errorf("add outbox: %w", err)
	}
	return nil
}

func prefixed(p, cols string) string {
	out := ""
	for i, c := range splitCols(cols) {
		if i > 0 {
			out += ", "
		}
		out += p + c
	}
	return out
}

func splitCols(cols string) []string {
	var out []string
	cur := ""
	for _, ch := range cols {
		switch ch {
		case ',':
			out = append(out, cur)
			cur = ""
		case ' ':
		default:
			cur += string(ch)
		}
	}
	return append(out, cur)
}
