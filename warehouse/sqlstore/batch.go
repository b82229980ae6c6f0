package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/segmentio/encoding/json"
	"github.com/steward-crm/steward/contact"
	"github.com/steward-crm/steward/internal/par"
	"github.com/steward-crm/steward/warehouse"
)

// The set-based methods of tx: a batch of records costs a few statements instead of a
// dozen per record (on PostgreSQL each statement is a round trip).
//
// Reads with IN lists are padded (padArgs); multi-row writes cannot repeat a row, so they
// are cut into statements of exactSizes rows (a few prepared statements cover any count).

// exactSizes are the row counts of multi-row write statements, largest first.
var exactSizes = []int{64, 32, 16, 8, 4, 2, 1}

// eachChunk calls fn with consecutive [lo, hi) ranges of n rows whose lengths are in
// exactSizes.
func eachChunk(n int, fn func(lo, hi int) error) error {
	lo := 0
	for lo < n {
		for _, size := range exactSizes {
			if n-lo >= size {
				if err := fn(lo, lo+size); err != nil {
					return err
				}
				lo += size
				break
			}
		}
	}
	return nil
}

// rows returns n rows of a VALUES list of the given row.
func valueRows(row string, n int) string {
	return strings.TrimSuffix(strings.Repeat(row+", ", n), ", ")
}

func qSourceStates(n int) string {
	return qStateCols + `
WHERE (source, source_id) IN (VALUES ` + valueRows("(?, ?)", n) + `)`
}

func qPutSources(n int) string {
	return `INSERT INTO source_records (source, source_id, hash, updated_at, deleted, record, master_id, score, explanation, position, features, created_at, modified_at)
VALUES ` + valueRows("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", n) + `
ON CONFLICT (source, source_id) DO UPDATE SET
	hash = excluded.hash, updated_at = excluded.updated_at, deleted = excluded.deleted,
	record = excluded.record, master_id = excluded.master_id, score = excluded.score,
	explanation = excluded.explanation, position = excluded.position, features = excluded.features,
	modified_at = excluded.modified_at
RETURNING id, source, source_id`
}

// qCandidateRows reads candidates from the covering index source_records_candidates
// only; rows without current features get their record from qRecordsByID.
func qCandidateRows(n int) string {
	return `SELECT id, source, source_id, master_id, features
FROM source_records WHERE master_id IN (` + placeholders(n) + `) AND deleted = FALSE ORDER BY master_id, id`
}

func qRecordsByID(n int) string {
	return `SELECT id, record FROM source_records WHERE id IN (` + placeholders(n) + `)`
}

func qMembersOf(n int) string {
	return `SELECT ` + sourceCols + ` FROM source_records WHERE master_id IN (` + placeholders(n) + `) AND deleted = FALSE ORDER BY master_id, id`
}

func qMemberRecords(n int) string {
	return `SELECT master_id, record FROM source_records WHERE master_id IN (` + placeholders(n) + `) AND deleted = FALSE ORDER BY master_id, id`
}

func qMastersByID(n int) string {
	return `SELECT id, version, status, merged_into, golden, quality, created_at, updated_at FROM masters WHERE id IN (` + placeholders(n) + `) ORDER BY id`
}

func qMasterStates(n int) string {
	return `SELECT id, version, status, merged_into, quality, created_at, updated_at FROM masters WHERE id IN (` + placeholders(n) + `) ORDER BY id`
}

func qInsertMasters(n int) string {
	return `INSERT INTO masters (id, version, status, golden, quality, created_at, updated_at) VALUES ` + valueRows("(?, ?, ?, ?, ?, ?, ?)", n)
}

// qSaveMasters is for the chunked dialect (SQLite): a database with array parameters
// uses aSaveMasters, whose parameters are typed (PostgreSQL could not infer the types of
// untyped VALUES parameters joined against a table).
func qSaveMasters(n int) string {
	return `UPDATE masters SET version = v.column2, status = v.column3, merged_into = v.column4, golden = v.column5, quality = v.column6, updated_at = v.column7
FROM (VALUES ` + valueRows("(?, ?, ?, ?, ?, ?, ?)", n) + `) AS v WHERE masters.id = v.column1`
}

func qAppendEvents(n int) string {
	return `INSERT INTO merge_events (at, kind, master_id, other_id, source_key, score, actor, details) VALUES ` + valueRows("(?, ?, ?, ?, ?, ?, ?, ?)", n)
}

func qAddOutboxes(n int) string {
	return `INSERT INTO outbox (created_at, topic, key, payload) VALUES ` + valueRows("(?, ?, ?, ?)", n)
}

// batchQueries lists the set-based queries warm prepares.
func batchQueries(d *Dialect) []string {
	if d.Arrays {
		return arrayQueries()
	}
	var qs []string
	for _, n := range padSizes {
		qs = append(qs, qSourceStates(n), qCandidateRows(n), qRecordsByID(n), qMembersOf(n), qMemberRecords(n), qMastersByID(n), qMasterStates(n))
	}
	for _, n := range exactSizes {
		qs = append(qs, qPutSources(n), qInsertMasters(n), qSaveMasters(n), qAppendEvents(n), qAddOutboxes(n))
		if d.MemoryIndex {
			qs = append(qs, qInsertRowKeys(n))
		}
	}
	return qs
}

// idQuery is a query over ids and its arguments: the array form (one array
// parameter) on a database with arrays, else the IN-list form padded to a fixed size.
// Only the form used is built: the list's placeholders and boxed ids were built for
// nothing on PostgreSQL, a thousand allocations for a batch's candidate masters.
func (t *tx) idQuery(ids []int64, list func(n int) string, array string) (string, []any) {
	if t.d.Arrays {
		return array, []any{ids}
	}
	return list(padded(len(ids))), padIDs(ids)
}

// padIDs returns ids as arguments padded like padArgs.
func padIDs(ids []int64) []any {
	n := padded(len(ids))
	args := make([]any, n)
	for i := range args {
		args[i] = ids[min(i, len(ids)-1)]
	}
	return args
}

// inLists calls fn once with the whole list when the dialect takes arrays (one array
// parameter), else as inChunks.
func inLists[T any](arrays bool, xs []T, fn func(part []T) error) error {
	if arrays {
		if len(xs) == 0 {
			return nil
		}
		return fn(xs)
	}
	return inChunks(xs, fn)
}

// inChunks calls fn with slices of at most the largest pad size.
func inChunks[T any](xs []T, fn func(part []T) error) error {
	const most = 64
	for lo := 0; lo < len(xs); lo += most {
		if err := fn(xs[lo:min(lo+most, len(xs))]); err != nil {
			return err
		}
	}
	return nil
}

func (t *tx) SourceStates(ctx context.Context, keys []warehouse.SourceKey) (map[string]*warehouse.SourceRow, error) {
	if t.d.Arrays {
		return t.sourceStatesArrays(ctx, keys)
	}
	out := make(map[string]*warehouse.SourceRow, len(keys))
	err := inChunks(keys, func(part []warehouse.SourceKey) error {
		n := padded(len(part))
		args := make([]any, 0, 2*n)
		for i := 0; i < n; i++ {
			k := part[min(i, len(part)-1)]
			args = append(args, k.Source, k.SourceID)
		}
		rows, err := t.query(ctx, qSourceStates(n), args...)
		if err != nil {
			return err
		}
		return scanStates(rows, out)
	})
	if err != nil {
		return nil, fmt.Errorf("source states: %w", err)
	}
	return out, nil
}

func (t *tx) Candidates(ctx context.Context, q warehouse.CandidateQuery) (*warehouse.CandidateSet, error) {
	for attempt := 1; ; attempt++ {
		set, masters, err := t.candidates(ctx, q)
		if err != nil || t.s.mem != nil || attempt == candidateReads || allHaveRows(set, masters) {
			return set, err
		}
		// On PostgreSQL the keys' masters and their rows are two statements, each
		// with its own snapshot: another transaction that committed in between (a
		// merge by another consumer, which locks masters, not the moved rows' keys)
		// leaves a key's master without rows, and a record matching them would found a
		// second master for its entity. The two are read again.
	}
}

// candidateReads bounds the reads of Candidates when its two statements disagree.
const candidateReads = 5

// allHaveRows reports whether each of the masters the keys found has live rows in set.
func allHaveRows(set *warehouse.CandidateSet, masters []int64) bool {
	for _, m := range masters {
		if len(set.Rows[m]) == 0 {
			return false
		}
	}
	return true
}

// candidates reads q's candidate set once; it also returns the masters the keys found
// (those over the cap left out).
func (t *tx) candidates(ctx context.Context, q warehouse.CandidateQuery) (*warehouse.CandidateSet, []int64, error) {
	featuresVersion := q.FeaturesVersion
	set, keys := newCandidateSet(q)
	if len(keys) == 0 {
		return set, nil, nil
	}
	var masters []int64
	// One statement that reads at most cap+1 masters per key: a key that has more is
	// over its cap, and it is never scanned to its end.
	err := t.cappedKeyMasters(ctx, keys, q, func(k string, ms []int64) {
		masters = placeKey(set, k, ms, q.Cap(k), masters)
	})
	if err != nil {
		return nil, nil, fmt.Errorf("candidates: %w", err)
	}
	slices.Sort(set.Skipped)
	slices.Sort(masters) // built here: sorted in place, not copied
	masters = slices.Compact(masters)
	// Rows whose stored features are missing or of another version: by id, to decode.
	stale := map[int64]*warehouse.SourceRow{}
	if t.s.mem != nil {
		err = t.candidateRows(ctx, masters, featuresVersion, set)
	} else {
		err = t.candidateRowsSQL(ctx, masters, featuresVersion, set)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("candidates: %w", err)
	}
	for _, rows := range set.Rows {
		for i := range rows {
			if rows[i].Features == "" {
				stale[rows[i].ID] = &rows[i]
			}
		}
	}
	if err := t.decodeRecords(ctx, stale); err != nil {
		return nil, nil, fmt.Errorf("candidates: %w", err)
	}
	if q.KeyRows && len(set.Masters) > 0 {
		if err := t.keyRows(ctx, set); err != nil {
			return nil, nil, fmt.Errorf("candidates: %w", err)
		}
	}
	return set, masters, nil
}

// newCandidateSet returns an empty set for q and q's keys, sorted and distinct.
func newCandidateSet(q warehouse.CandidateQuery) (*warehouse.CandidateSet, []string) {
	set := &warehouse.CandidateSet{Masters: map[string][]int64{}, Rows: map[int64][]warehouse.SourceRow{}}
	if q.KeyRows {
		set.KeyRows = map[string][]int64{}
	}
	return set, slices.Compact(slices.Sorted(slices.Values(q.Keys)))
}

// placeKey records key k's masters ms in set (k is skipped when they are over max) and
// returns masters with them appended.
func placeKey(set *warehouse.CandidateSet, k string, ms []int64, max int, masters []int64) []int64 {
	switch {
	case len(ms) > max:
		set.Skipped = append(set.Skipped, k)
	case len(ms) > 0:
		set.Masters[k] = ms
		masters = append(masters, ms...)
	}
	return masters
}

// fillKeyRows sets set.KeyRows from the rows that each reports under the keys of
// set.Masters (sorted), keeping those of set.Rows, in ascending order.
func fillKeyRows(set *warehouse.CandidateSet, each func(keys []string, add func(k string, id int64)) error) error {
	live := map[int64]bool{}
	for _, rows := range set.Rows {
		for i := range rows {
			live[rows[i].ID] = true
		}
	}
	err := each(slices.Sorted(maps.Keys(set.Masters)), func(k string, id int64) {
		if live[id] {
			set.KeyRows[k] = append(set.KeyRows[k], id)
		}
	})
	if err != nil {
		return err
	}
	for k, ids := range set.KeyRows {
		set.KeyRows[k] = slices.Compact(slices.Sorted(slices.Values(ids)))
	}
	return nil
}

// keyRows fills set.KeyRows for the keys of set.Masters: the candidate rows holding each.
func (t *tx) keyRows(ctx context.Context, set *warehouse.CandidateSet) error {
	return fillKeyRows(set, func(keys []string, add func(k string, id int64)) error {
		switch {
		case t.s.mem != nil:
			x, err := t.index(ctx)
			if err != nil {
				return err
			}
			for _, k := range keys {
				x.keyRows(k, func(id int64) { add(k, id) })
			}
			return nil
		case t.d.Arrays:
			return t.byBlockKey(ctx, aKeyRows, keys, add)
		default:
			return errors.New("key rows: not supported by this dialect")
		}
	})
}

// candidateRowsSQL reads the live rows of the masters into set.Rows.
func (t *tx) candidateRowsSQL(ctx context.Context, masters []int64, featuresVersion string, set *warehouse.CandidateSet) error {
	return inLists(t.d.Arrays, masters, func(part []int64) error {
		q, args := t.idQuery(part, qCandidateRows, aCandidateRows)
		rows, err := t.query(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var r warehouse.SourceRow
			var feats sql.NullString
			if err := rows.Scan(&r.ID, &r.Source, &r.SourceID, &r.MasterID, &feats); err != nil {
				return err
			}
			if strings.HasPrefix(feats.String, featuresVersion) && featuresVersion != "" {
				r.Features = feats.String
			}
			set.Rows[r.MasterID] = append(set.Rows[r.MasterID], r)
		}
		return rows.Err()
	})
}

// decodeRecords reads and decodes the records of the rows by id.
func (t *tx) decodeRecords(ctx context.Context, rows map[int64]*warehouse.SourceRow) error {
	ids := make([]int64, 0, len(rows))
	for id := range rows {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return inLists(t.d.Arrays, ids, func(part []int64) error {
		q, args := t.idQuery(part, qRecordsByID, aRecordsByID)
		res, err := t.query(ctx, q, args...)
		if err != nil {
			return err
		}
		defer res.Close()
		for res.Next() {
			var id int64
			var rec []byte
			if err := res.Scan(&id, &rec); err != nil {
				return err
			}
			r := &contact.Record{}
			if err := decodeRecord(rec, r); err != nil {
				return fmt.Errorf("source record %d: %w", id, err)
			}
			rows[id].Record = r
		}
		return res.Err()
	})
}

func (t *tx) MembersOf(ctx context.Context, masterIDs []int64) (map[int64][]warehouse.SourceRow, error) {
	out := map[int64][]warehouse.SourceRow{}
	ids := slices.Compact(slices.Sorted(slices.Values(masterIDs)))
	err := inLists(t.d.Arrays, ids, func(part []int64) error {
		q, args := t.idQuery(part, qMembersOf, aMembersOf)
		rs, err := t.sourceRows(ctx, q, args...)
		for _, r := range rs {
			out[r.MasterID] = append(out[r.MasterID], r)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("members: %w", err)
	}
	return out, nil
}

func (t *tx) MemberRecords(ctx context.Context, masterIDs []int64) (map[int64][]*contact.Record, error) {
	out := map[int64][]*contact.Record{}
	ids := slices.Compact(slices.Sorted(slices.Values(masterIDs)))
	err := inLists(t.d.Arrays, ids, func(part []int64) error {
		q, args := t.idQuery(part, qMemberRecords, aMemberRecords)
		rows, err := t.query(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		var masters []int64
		var raw [][]byte
		for rows.Next() {
			var m int64
			var rec []byte
			if err := rows.Scan(&m, &rec); err != nil {
				return err
			}
			masters, raw = append(masters, m), append(raw, rec)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		// Decoded on every core, as sourceRows decodes (under the batch's write lock).
		recs := make([]*contact.Record, len(raw))
		if err := par.Each(len(raw), decodeSerial, func(i int) error {
			recs[i] = &contact.Record{}
			if err := decodeRecord(raw[i], &withoutAttributes{Record: recs[i]}); err != nil {
				return fmt.Errorf("a record of master %d: %w", masters[i], err)
			}
			return nil
		}); err != nil {
			return err
		}
		for i, m := range masters {
			out[m] = append(out[m], recs[i])
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("member records: %w", err)
	}
	return out, nil
}

// withoutAttributes decodes a stored record but its attributes: the field shadows the
// embedded record's, and its value is skipped without being built (a map of strings
// and numbers per record, which survivorship never reads).
type withoutAttributes struct {
	*contact.Record
	Attributes skipJSON `json:"attributes"`
}

// skipJSON is a JSON value read and dropped.
type skipJSON struct{}

func (*skipJSON) UnmarshalJSON([]byte) error { return nil }

func (t *tx) PutSourceRecords(ctx context.Context, rows []*warehouse.SourceRow) error {
	now := time.Now().UTC()
	byKey := make(map[string]*warehouse.SourceRow, len(rows))
	for _, r := range rows {
		byKey[r.Key()] = r
	}
	if len(byKey) != len(rows) {
		return fmt.Errorf("put source records: a record appears twice in one batch")
	}
	// Rows the caller knows (ID set) may have moved to another master: their blocking
	// keys follow (on block_keys, to master 0 for a row no longer live: blockMaster).
	var known []*warehouse.SourceRow
	for _, r := range rows {
		if r.ID != 0 && (r.MasterID != 0 || !t.d.MemoryIndex) {
			known = append(known, r)
		}
	}
	if t.d.Arrays && len(rows) > 0 {
		recs, err := recordsJSON(rows)
		if err != nil {
			return err
		}
		if err := t.putSourceRecordsArrays(ctx, rows, recs, byKey); err != nil {
			return err
		}
		return t.syncBlockMastersArrays(ctx, known)
	}
	for _, r := range known {
		if _, err := t.exec(ctx, t.d.qSyncMasters(), r.MasterID, r.ID, r.MasterID); err != nil {
			return fmt.Errorf("put source records: block keys: %w", err)
		}
	}
	recs, err := recordsJSON(rows)
	if err != nil {
		return err
	}
	if t.s.mem != nil {
		defer func() { t.s.mem.source(rows...) }()
	}
	return eachChunk(len(rows), func(lo, hi int) error {
		args := make([]any, 0, 13*(hi-lo))
		for i, r := range rows[lo:hi] {
			args = append(args, r.Source, r.SourceID, r.Hash, nullTime(r.UpdatedAt), r.Deleted, recs[lo+i], nullID(r.MasterID),
				r.Score, nullJSON(r.Explanation), r.Position, nullString(r.Features), now, now)
		}
		res, err := t.query(ctx, qPutSources(hi-lo), args...)
		if err != nil {
			return fmt.Errorf("put source records: %w", err)
		}
		return setIDs(res, byKey)
	})
}

// setIDs reads the (id, source, source_id) rows an upsert returned into the rows' IDs.
func setIDs(res *sql.Rows, byKey map[string]*warehouse.SourceRow) error {
	defer res.Close()
	for res.Next() {
		var id int64
		var k warehouse.SourceKey
		if err := res.Scan(&id, &k.Source, &k.SourceID); err != nil {
			return err
		}
		if r := byKey[k.Key()]; r != nil {
			r.ID = id
		}
	}
	return res.Err()
}

func (t *tx) AddRowBlockKeys(ctx context.Context, keys []warehouse.RowKey) error {
	for _, k := range keys {
		// SQLite's row_keys joins a row's keys with line breaks: such a key would be
		// found until the index is read again from the file, and then as its pieces.
		// PostgreSQL's text refuses bytes that are not UTF-8: refused on every store.
		if k.Key == "" || strings.ContainsAny(k.Key, "\n") || !utf8.ValidString(k.Key) {
			// A data problem (dead-lettered, not retried: the record would give it again).
			return contact.Invalid("block_keys", "block key %q of source row %d: empty, holding a line break or not UTF-8", k.Key, k.RowID)
		}
	}
	if t.d.Arrays && len(keys) > 0 {
		return t.addRowBlockKeysArrays(ctx, keys)
	}
	if t.s.mem != nil {
		return t.addRowKeys(ctx, keys)
	}
	if len(keys) == 0 {
		return nil
	}
	return errors.New("block keys: a dialect without arrays needs the memory index")
}

func (t *tx) NewMasterIDs(ctx context.Context, n int) ([]int64, error) {
	if n <= 0 {
		return nil, nil
	}
	ids, err := t.d.NextIDs(ctx, t.tx, "masters", n)
	if err != nil {
		return nil, fmt.Errorf("new master ids: %w", err)
	}
	slices.Sort(ids)
	return ids, nil
}

func (t *tx) InsertMasters(ctx context.Context, ms []*contact.Master) error {
	if len(ms) == 0 {
		return nil
	}
	gs, err := goldens(ms)
	if err != nil {
		return err
	}
	now := time.Now().UTC()
	for _, m := range ms {
		if m.Status == "" {
			m.Status = contact.MasterActive
		}
		m.CreatedAt, m.UpdatedAt = now, now
	}
	if t.d.Arrays {
		return t.insertMastersArrays(ctx, ms, gs)
	}
	return t.execChunks(ctx, "insert masters", len(ms), qInsertMasters, func(i int) []any {
		m := ms[i]
		return []any{m.ID, m.Version, m.Status, gs[i], m.Quality, now, now}
	})
}

func (t *tx) MastersByID(ctx context.Context, ids []int64) (map[int64]*contact.Master, error) {
	return t.mastersByID(ctx, ids, qMastersByID, aMastersByID, scanMaster)
}

func (t *tx) MasterStates(ctx context.Context, ids []int64) (map[int64]*contact.Master, error) {
	return t.mastersByID(ctx, ids, qMasterStates, aMasterStates, scanMasterState)
}

// mastersByID reads masters by id, locked, with the query of list (IN list) or array,
// each row read by scan.
func (t *tx) mastersByID(ctx context.Context, ids []int64, list func(n int) string, array string, scan func(scanner) (*contact.Master, error)) (map[int64]*contact.Master, error) {
	out := make(map[int64]*contact.Master, len(ids))
	ids = slices.Compact(slices.Sorted(slices.Values(ids)))
	err := inLists(t.d.Arrays, ids, func(part []int64) error {
		q, args := t.idQuery(part, list, array)
		rows, err := t.query(ctx, q+t.d.ForUpdate, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			m, err := scan(rows)
			if err != nil {
				return err
			}
			out[m.ID] = m
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("masters: %w", err)
	}
	return out, nil
}

func (t *tx) SaveMasters(ctx context.Context, ms []*contact.Master) error {
	if len(ms) == 0 {
		return nil
	}
	gs, err := goldens(ms)
	if err != nil {
		return err
	}
	now := time.Now().UTC()
	for _, m := range ms {
		m.UpdatedAt = now
	}
	if t.d.Arrays {
		return t.saveMastersArrays(ctx, ms, gs)
	}
	return t.execChunks(ctx, "save masters", len(ms), qSaveMasters, func(i int) []any {
		m := ms[i]
		return []any{m.ID, m.Version, m.Status, nullID(m.MergedInto), gs[i], m.Quality, now}
	})
}

func (t *tx) AppendEvents(ctx context.Context, es []*warehouse.Event) error {
	eventDefaults(es, time.Now().UTC())
	if t.d.Arrays && len(es) > 0 {
		return t.appendEventsArrays(ctx, es)
	}
	return t.execChunks(ctx, "append events", len(es), qAppendEvents, func(i int) []any {
		e := es[i]
		return []any{e.At, e.Kind, e.MasterID, e.OtherID, e.SourceKey, e.Score, e.Actor, nullJSON(e.Details)}
	})
}

func (t *tx) AddOutboxes(ctx context.Context, os []*warehouse.OutboxEvent) error {
	outboxDefaults(os, time.Now().UTC())
	if t.d.Arrays && len(os) > 0 {
		return t.addOutboxesArrays(ctx, os)
	}
	return t.execChunks(ctx, "add outbox", len(os), qAddOutboxes, func(i int) []any {
		o := os[i]
		return []any{o.CreatedAt, o.Topic, o.Key, textArg(o.Payload)}
	})
}

// execChunks writes n rows with a multi-row statement per chunk (query(k) writes k rows),
// row(i) giving the values of row i.
func (t *tx) execChunks(ctx context.Context, what string, n int, query func(k int) string, row func(i int) []any) error {
	return eachChunk(n, func(lo, hi int) error {
		var args []any
		for i := lo; i < hi; i++ {
			args = append(args, row(i)...)
		}
		if _, err := t.exec(ctx, query(hi-lo), args...); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		return nil
	})
}

// The preparation the two ways of writing (chunks of VALUES rows, arrays) share:
// defaults set on the caller's values and JSON encoded once.

// goldens encodes the masters' golden records.
func goldens(ms []*contact.Master) ([]string, error) {
	return par.Map(len(ms), encodeSerial, func(i int) (string, error) {
		b, err := json.Marshal(ms[i].Golden)
		if err != nil {
			return "", fmt.Errorf("master %d: golden record: %w", ms[i].ID, err)
		}
		return textArg(b), nil // Marshal's own bytes
	})
}

// recordsJSON encodes the source rows' records.
func recordsJSON(rows []*warehouse.SourceRow) ([]string, error) {
	return par.Map(len(rows), encodeSerial, func(i int) (string, error) {
		if j := rows[i].RecordJSON; j != "" {
			return j, nil
		}
		j, err := contact.EncodeString(rows[i].Record)
		if err != nil {
			return "", fmt.Errorf("encode source record %s: %w", rows[i].Key(), err)
		}
		return j, nil
	})
}

// encodeSerial is the number of rows per core below which they are encoded on one
// (a record is encoded in about 10 µs).
const encodeSerial = 16

// eventDefaults stamps events and names the engine as their actor when unset.
func eventDefaults(es []*warehouse.Event, now time.Time) {
	for _, e := range es {
		if e.At.IsZero() {
			e.At = now
		}
		if e.Actor == "" {
			e.Actor = "engine"
		}
	}
}

// outboxDefaults stamps outbox events when unset.
func outboxDefaults(os []*warehouse.OutboxEvent, now time.Time) {
	for _, o := range os {
		if o.CreatedAt.IsZero() {
			o.CreatedAt = now
		}
	}
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// cappedKeyMasters is the key → masters read of Tx.Candidates in one statement: fn gets
// each key's masters (at least q.Cap(k)+1 of them, in order, when there are that many:
// more than q.Cap(k) means over the cap).
func (t *tx) cappedKeyMasters(ctx context.Context, keys []string, q warehouse.CandidateQuery, fn func(k string, masters []int64)) error {
	var byKey map[string][]int64
	var err error
	switch {
	case t.s.mem != nil:
		byKey, err = t.keyMastersMem(ctx, keys, func(k string) int { return q.Cap(k) + 1 })
	case t.d.Arrays: // one LIMIT for every key: the largest cap's
		byKey, err = t.keyMastersArrays(ctx, keys, q.MostMasters()+1)
	default: // SQLite keeps its blocking index in memory (row_keys), not in block_keys
		return errors.New("candidates: a dialect without arrays needs the memory index")
	}
	if err != nil {
		return err
	}
	for _, k := range keys {
		if ms, ok := byKey[k]; ok {
			slices.Sort(ms)
			fn(k, ms)
		}
	}
	return nil
}
