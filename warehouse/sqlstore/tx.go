package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unsafe"

	"github.com/segmentio/encoding/json"
	"github.com/steward-crm/steward/contact"
	"github.com/steward-crm/steward/internal/par"
	"github.com/steward-crm/steward/warehouse"
)

// tx implements warehouse.Tx.
type tx struct {
	tx  *sql.Tx
	d   *Dialect
	s   *Store
	ctx context.Context
}

// The helpers below use the statement prepared by warm when there is one, else an
// unprepared query.

func (t *tx) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	q = t.d.rebind(q)
	if st, ok := t.s.prepared(q); ok {
		return t.tx.StmtContext(ctx, st).ExecContext(ctx, args...)
	}
	return t.tx.ExecContext(ctx, q, args...)
}

func (t *tx) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	q = t.d.rebind(q)
	if st, ok := t.s.prepared(q); ok {
		return t.tx.StmtContext(ctx, st).QueryContext(ctx, args...)
	}
	return t.tx.QueryContext(ctx, q, args...)
}

func (t *tx) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	q = t.d.rebind(q)
	if st, ok := t.s.prepared(q); ok {
		return t.tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
	}
	return t.tx.QueryRowContext(ctx, q, args...)
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

func scanSource(sc scanner) (*warehouse.SourceRow, error) {
	r, rec, err := scanSourceRaw(sc)
	if err != nil {
		return nil, err
	}
	return r, decodeSource(r, rec)
}

// scanSourceRaw scans a source row, its record still JSON (decodeSource decodes it).
func scanSourceRaw(sc scanner) (*warehouse.SourceRow, []byte, error) {
	var r warehouse.SourceRow
	var upd sql.NullTime
	var rec, expl []byte
	var master sql.NullInt64
	var feats sql.NullString
	if err := sc.Scan(&r.ID, &r.Source, &r.SourceID, &r.Hash, &upd, &r.Deleted, &rec, &master, &r.Score, &expl, &r.Position, &feats); err != nil {
		return nil, nil, err
	}
	r.Features = feats.String
	if upd.Valid {
		r.UpdatedAt = upd.Time.UTC()
	}
	r.MasterID = master.Int64
	if len(expl) > 0 {
		r.Explanation = json.RawMessage(expl)
	}
	return &r, rec, nil
}

// decodeSource decodes a scanned row's record.
func decodeSource(r *warehouse.SourceRow, rec []byte) error {
	r.Record = &contact.Record{}
	if err := decodeRecord(rec, r.Record); err != nil {
		return fmt.Errorf("source record %d: %w", r.ID, err)
	}
	return nil
}

// decodeRecord decodes a stored record into r (a *contact.Record, or a type that wraps
// one: withoutAttributes), its attributes' numbers as written (json.Number, as
// contact.Decode reads them): read into float64, a record written back (a merge moves
// it, a withdrawal marks it) lost digits (9007199254740993, 1.50).
func decodeRecord(b []byte, r any) error {
	_, err := json.Parse(b, r, json.UseNumber)
	return err
}

func (t *tx) SourceRecord(ctx context.Context, source, sourceID string) (*warehouse.SourceRow, error) {
	row := t.queryRow(ctx, qSourceRecord, source, sourceID)
	r, err := scanSource(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, warehouse.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("source record %s:%s: %w", source, sourceID, err)
	}
	return r, nil
}

// scanState scans the columns of qSourceState (a source row without its record).
func scanState(sc scanner) (*warehouse.SourceRow, error) {
	var r warehouse.SourceRow
	var upd sql.NullTime
	var expl []byte
	var master sql.NullInt64
	var feats sql.NullString
	if err := sc.Scan(&r.ID, &r.Source, &r.SourceID, &r.Hash, &upd, &r.Deleted, &master, &r.Score, &expl, &r.Position, &feats); err != nil {
		return nil, err
	}
	r.Features = feats.String
	if upd.Valid {
		r.UpdatedAt = upd.Time.UTC()
	}
	r.MasterID = master.Int64
	if len(expl) > 0 {
		r.Explanation = json.RawMessage(expl)
	}
	return &r, nil
}

func (t *tx) SourceState(ctx context.Context, source, sourceID string) (*warehouse.SourceRow, error) {
	r, err := scanState(t.queryRow(ctx, qSourceState, source, sourceID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, warehouse.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("source record %s:%s: %w", source, sourceID, err)
	}
	return r, nil
}

// scanStates adds the rows of a source-state query to out, by key.
func scanStates(rows *sql.Rows, out map[string]*warehouse.SourceRow) error {
	defer rows.Close()
	for rows.Next() {
		r, err := scanState(rows)
		if err != nil {
			return err
		}
		out[r.Key()] = r
	}
	return rows.Err()
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
	return textArg(b)
}

// textArg passes b to a statement as text without a copy: the drivers read an
// argument during the call only (SQLite binds a copy, pgx encodes it into its buffer),
// and nothing changes b meanwhile. Only for arguments, or for bytes nothing else
// references (an encoder's fresh output).
func textArg(b []byte) string {
	return unsafe.String(unsafe.SliceData(b), len(b))
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func (t *tx) PutSourceRecord(ctx context.Context, r *warehouse.SourceRow) error {
	rec, err := contact.EncodeString(r.Record)
	if err != nil {
		return fmt.Errorf("encode source record %s: %w", r.Key(), err)
	}
	now := time.Now().UTC()
	row := t.queryRow(ctx, qPutSource,
		r.Source, r.SourceID, r.Hash, nullTime(r.UpdatedAt), r.Deleted, rec, nullID(r.MasterID),
		r.Score, nullJSON(r.Explanation), r.Position, nullString(r.Features), now, now)
	if err := row.Scan(&r.ID); err != nil {
		return fmt.Errorf("put source record %s: %w", r.Key(), err)
	}
	// A record that moved to another master (merge) takes its blocking keys along; on
	// block_keys, one that is no master's live record takes them to master 0 (blockMaster).
	if m := t.keysMaster(r); m != 0 || !t.d.MemoryIndex {
		if _, err := t.exec(ctx, t.d.qSyncMasters(), m, r.ID, m); err != nil {
			return fmt.Errorf("put source record %s: block keys: %w", r.Key(), err)
		}
	}
	if t.s.mem != nil {
		t.s.mem.source(r)
	}
	return nil
}

// keysMaster is the master a row's stored keys are filed under: on row_keys (the memory
// index's), its master (the index posts live rows only, from source_records); on
// block_keys, blockMaster.
func (t *tx) keysMaster(r *warehouse.SourceRow) int64 {
	if t.d.MemoryIndex {
		return r.MasterID
	}
	return blockMaster(r.MasterID, r.Deleted)
}

// blockMaster is the master block_keys files a row's keys under: its master while it is
// live, else 0, which the key read skips (Candidates finds the masters of live records
// only, as SQLite's memory index, which keeps a withdrawn row's keys unposted). The keys
// stay, and follow the row to its master when it comes back (PutSourceRecord).
func blockMaster(master int64, deleted bool) int64 {
	if deleted {
		return 0
	}
	return master
}

func (t *tx) ReplaceBlockKeys(ctx context.Context, id int64, keys []string) error {
	if _, err := t.exec(ctx, t.d.qDeleteKeys(), id); err != nil {
		return fmt.Errorf("block keys: %w", err)
	}
	if t.s.mem != nil {
		t.s.mem.clearKeys(id)
	}
	return t.AddBlockKeys(ctx, id, keys)
}

func (t *tx) AddBlockKeys(ctx context.Context, id int64, keys []string) error {
	if len(keys) == 0 {
		return nil
	}
	var master sql.NullInt64
	var deleted bool
	if err := t.queryRow(ctx, qRowMaster, id).Scan(&master, &deleted); err != nil {
		return fmt.Errorf("block keys of source row %d: %w", id, err)
	}
	if !master.Valid {
		return fmt.Errorf("block keys of source row %d: the record has no master", id)
	}
	m := master.Int64
	if !t.d.MemoryIndex {
		m = blockMaster(m, deleted)
	}
	rk := make([]warehouse.RowKey, len(keys))
	for i, k := range keys {
		rk[i] = warehouse.RowKey{Key: k, MasterID: m, RowID: id}
	}
	return t.AddRowBlockKeys(ctx, rk)
}

func (t *tx) sourceRows(ctx context.Context, q string, args ...any) ([]warehouse.SourceRow, error) {
	rows, err := t.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []warehouse.SourceRow
	var recs [][]byte
	for rows.Next() {
		r, rec, err := scanSourceRaw(rows)
		if err != nil {
			return nil, err
		}
		out, recs = append(out, *r), append(recs, rec)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// The records are decoded on every core (a resolve batch reads the members of the
	// masters it joins, under its write lock).
	if err := par.Each(len(out), decodeSerial, func(i int) error { return decodeSource(&out[i], recs[i]) }); err != nil {
		return nil, err
	}
	return out, nil
}

// decodeSerial is the number of records per core below which they are decoded on one
// (a record is decoded in about 20 µs).
const decodeSerial = 8

func (t *tx) Members(ctx context.Context, masterID int64) ([]warehouse.SourceRow, error) {
	rs, err := t.sourceRows(ctx, qMembers, masterID)
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
	row := t.queryRow(ctx, qCreateMaster,
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
	row := t.queryRow(ctx, qUpdateMaster,
		m.Status, nullID(m.MergedInto), string(golden), m.Quality, m.UpdatedAt, m.ID)
	if err := row.Scan(&m.Version); err != nil {
		return fmt.Errorf("update master %d: %w", m.ID, err)
	}
	return nil
}

func (t *tx) Master(ctx context.Context, id int64) (*contact.Master, error) {
	m, err := scanMaster(t.queryRow(ctx, qMaster+t.d.ForUpdate, id))
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
	err := t.queryRow(ctx, qNotAMatch, sourceRowID, masterID).Scan(&n)
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
	if it.Kind == warehouse.ReviewMerge && it.Status == warehouse.ReviewOpen {
		var open int
		if err := t.queryRow(ctx, qOpenMerge, it.MasterID, it.MasterID, it.CandidateID, it.CandidateID, it.CandidateID, it.MasterID).Scan(&open); err != nil {
			return false, fmt.Errorf("add review item: open merge items of masters %d and %d: %w", it.MasterID, it.CandidateID, err)
		}
		if open > 0 {
			return false, nil
		}
	}
	row := t.queryRow(ctx, qAddReview,
		it.CreatedAt, it.Kind, it.Status, it.SourceRowID, it.SourceKey, it.MasterID, it.CandidateID, it.Score, nullJSON(it.Explanation), it.CompanyKey)
	err := row.Scan(&it.ID)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("add review item: %w", err)
	}
	return true, nil
}

func (t *tx) SupersedeReviewItems(ctx context.Context, sourceRowID int64, kind, keep string) (int, error) {
	res, err := t.exec(ctx, qSupersedeReviews, time.Now().UTC(), sourceRowID, kind, keep)
	if err != nil {
		return 0, fmt.Errorf("supersede review items: %w", err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// supersede begins the statements that close review items for the engine (status
// superseded, with a time and a note: the two first arguments), up to their WHERE.
const supersede = `UPDATE review_items SET status = 'superseded', decided_by = 'engine', decided_at = ?, note = ?
WHERE `

// kindIn is the condition " AND kind IN (...)" on review items of kinds and its
// arguments ("" and none for no kinds: every kind).
func kindIn(kinds []string) (string, []any) {
	if len(kinds) == 0 {
		return "", nil
	}
	args := make([]any, len(kinds))
	for i, k := range kinds {
		args[i] = k
	}
	return " AND kind IN (" + placeholders(len(kinds)) + ")", args
}

func (t *tx) CloseReviewItems(ctx context.Context, sourceRowID, masterID int64, note string, kinds ...string) (int, error) {
	// Only the conditions asked for: a company item's candidate_id is 0.
	var which []string
	args := []any{time.Now().UTC(), note}
	if sourceRowID != 0 {
		which, args = append(which, "source_row_id = ?"), append(args, sourceRowID)
	}
	if masterID != 0 {
		// Each side on its index of the open items (review_items_open_master,
		// review_items_open_candidate): "master_id = ? OR candidate_id = ?" read every
		// open item on SQLite, at each update and withdrawal that closes split items.
		which = append(which, "id IN (SELECT id FROM review_items WHERE status = 'open' AND master_id = ? UNION SELECT id FROM review_items WHERE status = 'open' AND candidate_id = ?)")
		args = append(args, masterID, masterID)
	}
	if len(which) == 0 {
		return 0, nil
	}
	kind, kindArgs := kindIn(kinds)
	res, err := t.exec(ctx, supersede+`status = 'open' AND (`+strings.Join(which, " OR ")+`)`+kind, append(args, kindArgs...)...)
	if err != nil {
		return 0, fmt.Errorf("close review items: %w", err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// reviewCols are the columns of a review item, in scanReviewItem's order.
const reviewCols = `id, created_at, kind, status, source_row_id, source_key, master_id, candidate_id, score, explanation, company_key`

func scanReviewItem(sc scanner) (warehouse.ReviewItem, error) {
	var it warehouse.ReviewItem
	var expl []byte
	if err := sc.Scan(&it.ID, &it.CreatedAt, &it.Kind, &it.Status, &it.SourceRowID, &it.SourceKey, &it.MasterID, &it.CandidateID, &it.Score, &expl, &it.CompanyKey); err != nil {
		return it, err
	}
	it.CreatedAt = it.CreatedAt.UTC()
	if len(expl) > 0 {
		it.Explanation = json.RawMessage(expl)
	}
	return it, nil
}

func (t *tx) OpenReviewItems(ctx context.Context, sourceRowID, candidateID int64, kinds ...string) ([]warehouse.ReviewItem, error) {
	kind, kindArgs := kindIn(kinds)
	// One SELECT per condition, each on its own index of the open items
	// (review_items_open_pair, review_items_open_candidate); an item matches one at most
	// (a record's candidate is never its own master), and UNION drops a repeat anyway.
	// "candidate_id >= 0" (always true) keeps SQLite, without statistics, on the first:
	// it took review_items_status, every open item, for the source row alone.
	var parts []string
	var args []any
	for _, c := range []struct {
		cond string
		id   int64
	}{{"source_row_id = ? AND candidate_id >= 0", sourceRowID}, {"candidate_id = ?", candidateID}} {
		if c.id != 0 {
			parts = append(parts, `SELECT `+reviewCols+` FROM review_items WHERE status = 'open' AND `+c.cond+kind)
			args = append(append(args, c.id), kindArgs...)
		}
	}
	if len(parts) == 0 {
		return nil, nil
	}
	rows, err := t.query(ctx, strings.Join(parts, " UNION ")+` ORDER BY id`, args...)
	if err != nil {
		return nil, fmt.Errorf("open review items of row %d, candidate %d: %w", sourceRowID, candidateID, err)
	}
	defer rows.Close()
	var out []warehouse.ReviewItem
	for rows.Next() {
		it, err := scanReviewItem(rows)
		if err != nil {
			return nil, fmt.Errorf("open review items: %w", err)
		}
		out = append(out, it)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("open review items: %w", err)
	}
	return out, nil
}

func (t *tx) RescoreReviewItem(ctx context.Context, id int64, score float64, explanation json.RawMessage) (bool, error) {
	res, err := t.exec(ctx, `UPDATE review_items SET score = ?, explanation = ? WHERE id = ? AND status = 'open'`, score, nullJSON(explanation), id)
	if err != nil {
		return false, fmt.Errorf("rescore review item %d: %w", id, err)
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

func (t *tx) CloseReviewItem(ctx context.Context, id int64, note string) (bool, error) {
	res, err := t.exec(ctx, supersede+`id = ? AND status = 'open'`, time.Now().UTC(), note, id)
	if err != nil {
		return false, fmt.Errorf("close review item %d: %w", id, err)
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// otherThan is, in a statement on review_items, the master of the row other than the
// one given as argument.
const otherThan = `CASE WHEN review_items.master_id = ? THEN review_items.candidate_id ELSE review_items.master_id END`

func (t *tx) RedirectReviewItems(ctx context.Context, from, into int64) (redirected, closed int, err error) {
	now, note := time.Now().UTC(), fmt.Sprintf("master %d merged into %d", from, into)
	count := func(res sql.Result, err error) (int, error) {
		if err != nil {
			return 0, fmt.Errorf("redirect review items of master %d: %w", from, err)
		}
		n, err := res.RowsAffected()
		return int(n), err
	}
	// The pairs the merge joined, then the items into has already (one open item per
	// record, candidate and company; one open merge item per two masters), then the rest.
	steps := []struct {
		q      string
		args   []any
		closes bool
	}{
		{supersede + `status = 'open' AND ((master_id = ? AND candidate_id = ?) OR (master_id = ? AND candidate_id = ?))`, []any{now, note, from, into, into, from}, true},
		{supersede + `status = 'open' AND candidate_id = ? AND EXISTS (SELECT 1 FROM review_items o WHERE o.status = 'open'
AND o.source_row_id = review_items.source_row_id AND o.candidate_id = ? AND o.company_key = review_items.company_key)`, []any{now, note, from, into}, true},
		{supersede + `status = 'open' AND kind = 'merge' AND (master_id = ? OR candidate_id = ?) AND EXISTS (SELECT 1 FROM review_items o
WHERE o.status = 'open' AND o.kind = 'merge' AND ((o.master_id = ? AND o.candidate_id = ` + otherThan + `) OR (o.candidate_id = ? AND o.master_id = ` + otherThan + `)))`,
			[]any{now, note, from, from, into, from, into, from}, true},
		{`UPDATE review_items SET candidate_id = ? WHERE status = 'open' AND candidate_id = ?`, []any{into, from}, false},
		{`UPDATE review_items SET master_id = ? WHERE status = 'open' AND master_id = ?`, []any{into, from}, false},
	}
	for _, st := range steps {
		n, err := count(t.exec(ctx, st.q, st.args...))
		if err != nil {
			return redirected, closed, err
		}
		if st.closes {
			closed += n
		} else {
			redirected += n
		}
	}
	return redirected, closed, nil
}

func (t *tx) AppendEvent(ctx context.Context, e *warehouse.Event) error {
	if e.At.IsZero() {
		e.At = time.Now().UTC()
	}
	if e.Actor == "" {
		e.Actor = "engine"
	}
	row := t.queryRow(ctx, qAppendEvent,
		e.At, e.Kind, e.MasterID, e.OtherID, e.SourceKey, e.Score, e.Actor, nullJSON(e.Details))
	if err := row.Scan(&e.ID); err != nil {
		return fmt.Errorf("append event: %w", err)
	}
	return nil
}

func (t *tx) LastEvent(ctx context.Context, masterID int64) (*warehouse.Event, error) {
	e, err := scanEvent(t.queryRow(ctx, `SELECT `+eventCols+` FROM merge_events WHERE master_id = ? ORDER BY id DESC LIMIT 1`, masterID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, warehouse.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("last event of master %d: %w", masterID, err)
	}
	return e, nil
}

func (t *tx) AddOutbox(ctx context.Context, o *warehouse.OutboxEvent) error {
	if o.CreatedAt.IsZero() {
		o.CreatedAt = time.Now().UTC()
	}
	row := t.queryRow(ctx, qAddOutbox,
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
