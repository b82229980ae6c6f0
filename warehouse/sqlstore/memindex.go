package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/steward-crm/steward/internal/par"
	"github.com/steward-crm/steward/warehouse"
)

// memIndex is the blocking index of a single-writer database (SQLite) held in memory:
// key hash → live source rows → master, and each master's live rows with what
// Candidates returns of them (source, source id, match features). The database keeps
// one row_keys row per source row (its master and its keys, written with the row: an
// append, where a B-tree of keys took a dozen random inserts per record, most of a
// resolve batch's page writes against a large warehouse), and the index is read from it
// and from source_records on first use. Candidates then reads nothing from the file but
// the records of rows whose stored features are of an older version: against a million
// masters, reading the candidate rows of a batch cost a few thousand B-tree descents.
//
// Coherence:
//   - Transactions run one at a time on it (mu is held from begin to end; SQLite has one
//     writer anyway). A transaction changes the index as it writes row_keys and keeps
//     what it changed; a rollback restores it.
//   - Triggers count every change to row_keys and source_records in row_keys_version,
//     whichever connection makes it (another process on the same file, a hand-written
//     UPDATE). A transaction that finds the count changed since the index was read drops
//     the index, and the next Candidates reads it again.
//   - The only statements that write source_records are those of PutSourceRecord(s),
//     which mirror what they wrote here.
type memIndex struct {
	mu      sync.Mutex
	loaded  bool
	version int64 // row_keys_version when read or last committed
	// rows holds the rows by id, byMaster each master's live rows in id order, by master
	// id: ids are a table's AUTOINCREMENT ids, dense, and a slice is a single memory
	// access where a map of a million entries took several cache misses per lookup (the
	// candidate read touches some 4 000 rows and 2 500 masters per batch of 100 records).
	rows     []memRow
	byMaster [][]int64
	sources  map[string]string // interned source names
	// posts map key hashes to their live rows, in two halves by the hash's top bit
	// (postingsOf), which a load builds on two cores.
	posts [2]postings
	undo  []memUndo // the running transaction's changes, oldest first
	// loadedInTx: the running transaction read the index, uncommitted writes included.
	loadedInTx bool
}

// postings map key hashes to rows: post holds a row id (> 0) when a key has one row,
// else -(i+1) for multi[i]. Most keys (an e-mail, a phone) belong to one row.
type postings struct {
	post  map[uint64]int64
	multi [][]int64
	free  []int64
}

// postingsOf returns the half of the postings that holds hash h.
func (x *memIndex) postingsOf(h uint64) *postings { return &x.posts[h>>63] }

// memRow is a source row that is live (it has a master and is not withdrawn) or that has
// keys in row_keys. Only live rows are posted under their keys and listed in byMaster: a
// row that is not live keeps its keys here because it can come back (PutSourceRecord of
// a newer version) with the keys row_keys still holds for it.
type memRow struct {
	live             bool
	master           int64
	keys             []uint64
	source, sourceID string
	features         string
}

// present reports whether the slot holds a row.
func (r *memRow) present() bool { return r.live || r.keys != nil }

// row returns the row of id (the zero memRow when there is none).
func (x *memIndex) row(id int64) memRow {
	if id > 0 && id < int64(len(x.rows)) {
		return x.rows[id]
	}
	return memRow{}
}

// setRow stores r at id, growing rows as needed.
func (x *memIndex) setRow(id int64, r memRow) {
	if id >= int64(len(x.rows)) {
		x.rows = slices.Grow(x.rows, int(id)+1-len(x.rows))[:id+1]
	}
	x.rows[id] = r
}

// members returns the live rows of master m.
func (x *memIndex) members(m int64) []int64 {
	if m > 0 && m < int64(len(x.byMaster)) {
		return x.byMaster[m]
	}
	return nil
}

// setMembers sets the live rows of master m.
func (x *memIndex) setMembers(m int64, ids []int64) {
	if m >= int64(len(x.byMaster)) {
		if len(ids) == 0 {
			return
		}
		x.byMaster = slices.Grow(x.byMaster, int(m)+1-len(x.byMaster))[:m+1]
	}
	x.byMaster[m] = ids
}

type memUndo struct {
	id   int64
	had  bool
	prev memRow
}

func newMemIndex() *memIndex { return &memIndex{} }

// keyHash is 64-bit FNV-1a of a blocking key. A collision (about one in 10¹² pairs of
// keys) only adds a candidate master, which is scored on its features like any other.
func keyHash(k string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(k); i++ {
		h ^= uint64(k[i])
		h *= 1099511628211
	}
	return h
}

func (x *memIndex) reset() {
	x.loaded, x.rows, x.byMaster, x.sources, x.posts, x.undo, x.loadedInTx = false, nil, nil, nil, [2]postings{}, nil, false
}

// headroom is the capacity given to a slice of n rows or masters read at load: an
// eighth more, so that the rows a run adds seldom copy it.
func headroom(n int64) int64 { return n + n/8 + 1024 }

// load reads the index from source_records and row_keys inside tx.
func (x *memIndex) load(ctx context.Context, tx *sql.Tx) (err error) {
	defer func() {
		if err != nil {
			x.reset()
			err = fmt.Errorf("blocking index: %w", err)
		}
	}()
	var n, maxRow, maxMaster int64
	err = tx.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM row_keys), (SELECT COALESCE(MAX(id), 0) FROM source_records), (SELECT COALESCE(MAX(id), 0) FROM masters)`).Scan(&n, &maxRow, &maxMaster)
	if err != nil {
		return err
	}
	x.reset()
	// Room to grow: the first row added past a full slice copies all of it (a million
	// rows: 90 MB, a pause of the first batch).
	x.rows = make([]memRow, maxRow+1, headroom(maxRow+1))
	x.byMaster = make([][]int64, maxMaster+1, headroom(maxMaster+1))
	x.sources = map[string]string{}
	for i := range x.posts {
		x.posts[i].post = make(map[uint64]int64, 4*n)
	}
	err = x.scan(ctx, tx, `SELECT id, master_id, source, source_id, features FROM source_records INDEXED BY source_records_candidates
WHERE master_id IS NOT NULL AND deleted = FALSE`, func(rows *sql.Rows) error {
		r := memRow{live: true}
		var id int64
		var feats sql.NullString
		if err := rows.Scan(&id, &r.master, &r.source, &r.sourceID, &feats); err != nil {
			return err
		}
		r.source, r.features = x.intern(r.source), feats.String
		x.setRow(id, r)
		x.setMembers(r.master, append(x.members(r.master), id))
		return nil
	})
	if err != nil {
		return err
	}
	for _, ids := range x.byMaster {
		slices.Sort(ids)
	}
	// The keys: this goroutine reads them and two others post them, one per half of the
	// postings (eight million keys for a million rows: map inserts, most of them a cache
	// miss, were the longest part of a load). Each half gets its keys in row order, so
	// the result is the one of posting them here.
	type posting struct {
		h  uint64
		id int64
	}
	const chunk = 4096
	var (
		work [2]chan []posting
		bufs [2][]posting
		wg   sync.WaitGroup
	)
	for i := range work {
		work[i] = make(chan []posting, 8)
		p := &x.posts[i]
		wg.Go(func() {
			for ps := range work[i] {
				for _, q := range ps {
					p.add(q.h, q.id, false)
				}
			}
		})
	}
	err = x.scan(ctx, tx, `SELECT source_row_id, keys FROM row_keys`, func(rows *sql.Rows) error {
		var id int64
		var keys string
		if err := rows.Scan(&id, &keys); err != nil {
			return err
		}
		r := x.row(id)
		r.keys = hashKeys(nil, keys)
		x.setRow(id, r)
		if r.live {
			for _, h := range r.keys {
				i := h >> 63
				if bufs[i] = append(bufs[i], posting{h, id}); len(bufs[i]) == chunk {
					work[i] <- bufs[i]
					bufs[i] = make([]posting, 0, chunk)
				}
			}
		}
		return nil
	})
	for i := range work {
		work[i] <- bufs[i]
		close(work[i])
	}
	wg.Wait()
	if err != nil {
		return err
	}
	x.loaded = true
	return nil
}

func (x *memIndex) scan(ctx context.Context, tx *sql.Tx, q string, fn func(*sql.Rows) error) error {
	rows, err := tx.QueryContext(ctx, q)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

func (x *memIndex) intern(s string) string {
	if v, ok := x.sources[s]; ok {
		return v
	}
	x.sources[s] = s
	return s
}

// hashKeys appends the hashes of a row_keys list (keys separated by newlines) to hs,
// sorted and deduplicated.
func hashKeys(hs []uint64, keys string) []uint64 {
	for k := range strings.SplitSeq(keys, "\n") {
		if k != "" {
			hs = append(hs, keyHash(k))
		}
	}
	slices.Sort(hs)
	return slices.Compact(hs)
}

// put sets a row (no undo): its old postings and membership go, the new ones come. A
// row neither live nor with keys is not kept.
func (x *memIndex) put(id int64, r memRow) {
	x.drop(id)
	if !r.live {
		if len(r.keys) > 0 {
			x.setRow(id, memRow{keys: r.keys})
		}
		return
	}
	if r.keys == nil {
		r.keys = []uint64{} // present() tells a live row without keys from an empty slot
	}
	x.setRow(id, r)
	for _, h := range r.keys {
		x.postingsOf(h).add(h, id, true)
	}
	ids := x.members(r.master)
	i, _ := slices.BinarySearch(ids, id)
	x.setMembers(r.master, slices.Insert(ids, i, id))
}

// drop removes a row (no undo).
func (x *memIndex) drop(id int64) {
	old := x.row(id)
	if !old.present() {
		return
	}
	x.rows[id] = memRow{}
	if !old.live {
		return
	}
	for _, h := range old.keys {
		x.postingsOf(h).remove(h, id)
	}
	ids := x.members(old.master)
	if i, found := slices.BinarySearch(ids, id); found {
		ids = slices.Delete(ids, i, i+1)
	}
	if len(ids) == 0 {
		ids = nil
	}
	x.setMembers(old.master, ids)
}

// add posts row id under h. With check it makes sure the row is not posted there
// already; a load, which reads each row's distinct keys once, does not check (a long
// list of a common key made each add a scan of it).
func (p *postings) add(h uint64, id int64, check bool) {
	v, ok := p.post[h]
	switch {
	case !ok:
		p.post[h] = id
	case v > 0:
		if v == id {
			return
		}
		p.post[h] = -(p.newMulti([]int64{v, id}) + 1)
	default:
		i := -v - 1
		if !check || !slices.Contains(p.multi[i], id) {
			p.multi[i] = append(p.multi[i], id)
		}
	}
}

func (p *postings) newMulti(ids []int64) int64 {
	if n := len(p.free); n > 0 {
		i := p.free[n-1]
		p.free = p.free[:n-1]
		p.multi[i] = ids
		return i
	}
	p.multi = append(p.multi, ids)
	return int64(len(p.multi) - 1)
}

// remove takes row id off h.
func (p *postings) remove(h uint64, id int64) {
	v, ok := p.post[h]
	switch {
	case !ok:
	case v > 0:
		if v == id {
			delete(p.post, h)
		}
	default:
		i := -v - 1
		ids := p.multi[i]
		if j := slices.Index(ids, id); j >= 0 {
			ids = slices.Delete(ids, j, j+1)
		}
		if len(ids) == 1 {
			p.post[h] = ids[0]
			p.multi[i] = nil
			p.free = append(p.free, i)
		} else {
			p.multi[i] = ids
		}
	}
}

// rows returns the rows posted under h: one, or a list (nil when none).
func (p *postings) rows(h uint64) (one int64, list []int64) {
	v, ok := p.post[h]
	switch {
	case !ok:
		return 0, nil
	case v > 0:
		return v, nil
	default:
		return 0, p.multi[-v-1]
	}
}

// remember keeps a row's state before the running transaction changes it.
func (x *memIndex) remember(id int64) {
	old := x.row(id)
	x.undo = append(x.undo, memUndo{id: id, had: old.present(), prev: old})
}

// The changes a transaction makes, mirroring its writes to row_keys. They apply only to
// a loaded index: an index read later reads them from the table.

// source mirrors the write of a source row: it takes its master, source and features,
// keeping its keys; a withdrawn row, or one without a master, is no longer live.
func (x *memIndex) source(r *warehouse.SourceRow) {
	if !x.loaded {
		return
	}
	old := x.row(r.ID)
	had := old.present()
	live := !r.Deleted && r.MasterID != 0
	if !had && !live {
		return
	}
	x.remember(r.ID)
	if !live {
		x.put(r.ID, memRow{keys: old.keys})
		return
	}
	x.put(r.ID, memRow{live: true, master: r.MasterID, keys: old.keys, source: x.intern(r.Source), sourceID: r.SourceID, features: r.Features})
}

// addKeys mirrors keys added to a row, which PutSourceRecord(s) wrote first (a row that
// is not live keeps them for when it comes back).
func (x *memIndex) addKeys(id int64, keys []string) {
	if !x.loaded {
		return
	}
	r := x.row(id)
	x.remember(id)
	hs := slices.Clone(r.keys)
	for _, k := range keys {
		hs = append(hs, keyHash(k))
	}
	slices.Sort(hs)
	r.keys = slices.Compact(hs)
	x.put(id, r)
}

// clearKeys mirrors the deletion of a row's keys (the row stays).
func (x *memIndex) clearKeys(id int64) {
	if !x.loaded {
		return
	}
	if r := x.row(id); len(r.keys) > 0 {
		x.remember(id)
		r.keys = nil
		x.put(id, r)
	}
}

// rollback restores the index as it was when the transaction began (or drops it when
// the transaction read it).
func (x *memIndex) rollback() {
	if x.loadedInTx {
		x.reset()
		return
	}
	for i := len(x.undo) - 1; i >= 0; i-- {
		u := x.undo[i]
		if u.had {
			x.put(u.id, u.prev)
		} else {
			x.drop(u.id)
		}
	}
	x.undo = nil
}

// commit keeps the transaction's changes; version is row_keys_version as it committed.
func (x *memIndex) commit(version int64) { x.undo, x.loadedInTx, x.version = nil, false, version }

// indexVersion reads row_keys_version.
func indexVersion(ctx context.Context, tx *sql.Tx) (int64, error) {
	var v int64
	if err := tx.QueryRowContext(ctx, `SELECT v FROM row_keys_version`).Scan(&v); err != nil {
		return 0, fmt.Errorf("blocking index version: %w", err)
	}
	return v, nil
}

// keyMasters returns the distinct masters of a key's rows, sorted, stopping at limit.
func (x *memIndex) keyMasters(k string, limit int) []int64 {
	h := keyHash(k)
	one, list := x.postingsOf(h).rows(h)
	if one > 0 {
		return []int64{x.rows[one].master}
	}
	var ms []int64
	for _, id := range list {
		m := x.rows[id].master
		if !slices.Contains(ms, m) {
			if ms = append(ms, m); len(ms) >= limit {
				break
			}
		}
	}
	slices.Sort(ms)
	return ms
}

// keyRows calls fn with each live row holding key.
func (x *memIndex) keyRows(k string, fn func(id int64)) {
	h := keyHash(k)
	one, list := x.postingsOf(h).rows(h)
	if one > 0 {
		fn(one)
	}
	for _, id := range list {
		fn(id)
	}
}

// index returns the loaded in-memory index, reading it first if needed.
func (t *tx) index(ctx context.Context) (*memIndex, error) {
	x := t.s.mem
	if !x.loaded {
		if err := x.load(ctx, t.tx); err != nil {
			return nil, err
		}
		x.loadedInTx = true
	}
	return x, nil
}

// keyMastersMem reads the first masters of each key (up to limit) from the in-memory index.
func (t *tx) keyMastersMem(ctx context.Context, keys []string, limit int) (map[string][]int64, error) {
	x, err := t.index(ctx)
	if err != nil {
		return nil, err
	}
	// On every core, as candidateRows: a batch's thousand keys are scattered reads of the
	// index, which the transaction holds and nothing writes meanwhile.
	found := make([][]int64, len(keys))
	par.For(len(keys), 128, func(i int) { found[i] = x.keyMasters(keys[i], limit) })
	byKey := make(map[string][]int64, len(keys))
	for i, k := range keys {
		if len(found[i]) > 0 {
			byKey[k] = found[i]
		}
	}
	return byKey, nil
}

// addRowKeys is AddRowBlockKeys on row_keys: one row per source row.
func (t *tx) addRowKeys(ctx context.Context, keys []warehouse.RowKey) error {
	type rowKeys struct {
		id, master int64
		keys       []string
	}
	var rows []*rowKeys
	byID := map[int64]*rowKeys{}
	for _, k := range keys {
		r := byID[k.RowID]
		if r == nil {
			r = &rowKeys{id: k.RowID, master: k.MasterID}
			byID[k.RowID] = r
			rows = append(rows, r)
		}
		r.master = k.MasterID
		r.keys = append(r.keys, k.Key)
	}
	err := t.execChunks(ctx, "block keys", len(rows), qInsertRowKeys, func(i int) []any {
		r := rows[i]
		return []any{r.id, r.master, strings.Join(r.keys, "\n")}
	})
	if err != nil {
		return err
	}
	for _, r := range rows {
		t.s.mem.addKeys(r.id, r.keys)
	}
	return nil
}

// candidateRows is the read of Candidates' rows on the in-memory index: the live rows of
// the masters, oldest first, with their features when of featuresVersion.
func (t *tx) candidateRows(ctx context.Context, masters []int64, featuresVersion string, set *warehouse.CandidateSet) error {
	x, err := t.index(ctx)
	if err != nil {
		return err
	}
	// On every core: the index is only read here (the transaction holds it), and a
	// batch's candidate rows are a few thousand scattered reads of memory.
	byMaster := make([][]warehouse.SourceRow, len(masters))
	par.For(len(masters), 256, func(j int) {
		m := masters[j]
		ids := x.members(m)
		if len(ids) == 0 {
			return
		}
		rows := make([]warehouse.SourceRow, len(ids))
		for i, id := range ids {
			r := &x.rows[id]
			rows[i] = warehouse.SourceRow{ID: id, Source: r.source, SourceID: r.sourceID, MasterID: m}
			if featuresVersion != "" && strings.HasPrefix(r.features, featuresVersion) {
				rows[i].Features = r.features
			}
		}
		byMaster[j] = rows
	})
	for j, rows := range byMaster {
		if rows != nil {
			set.Rows[masters[j]] = rows
		}
	}
	return nil
}
