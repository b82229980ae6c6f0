package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/steward-crm/steward/warehouse"
)

// memIndex is the blocking index of a single-writer database (SQLite) held in memory:
// key hash → source rows → master. The database keeps one row_keys row per source row
// (its master and its keys, written with the row: an append, where a B-tree of keys took
// a dozen random inserts per record, most of a resolve batch's page writes against a
// large warehouse), and the index is read from it on first use.
//
// Coherence:
//   - Transactions run one at a time on it (mu is held from begin to end; SQLite has one
//     writer anyway). A transaction changes the index as it writes row_keys and keeps
//     what it changed; a rollback restores it.
//   - Triggers count every change to row_keys in row_keys_version, whichever connection
//     makes it (another process on the same file, a hand-written UPDATE). A transaction
//     that finds the count changed since the index was read drops the index, and the
//     next Candidates reads it again.
type memIndex struct {
	mu      sync.Mutex
	loaded  bool
	version int64 // row_keys_version when read or last committed
	rows    map[int64]memRow
	// post maps a key hash to its rows: a row id (> 0) when there is one, else -(i+1)
	// for multi[i]. Most keys (an e-mail, a phone) belong to one row.
	post  map[uint64]int64
	multi [][]int64
	free  []int64
	undo  []memUndo // the running transaction's changes, oldest first
	// loadedInTx: the running transaction read the index, uncommitted writes included.
	loadedInTx bool
}

type memRow struct {
	master int64
	keys   []uint64
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
	x.loaded, x.rows, x.post, x.multi, x.free, x.undo, x.loadedInTx = false, nil, nil, nil, nil, nil, false
}

// load reads the index from row_keys inside tx.
func (x *memIndex) load(ctx context.Context, tx *sql.Tx) error {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM row_keys`).Scan(&n); err != nil {
		return fmt.Errorf("blocking index: %w", err)
	}
	x.reset()
	x.rows = make(map[int64]memRow, n)
	x.post = make(map[uint64]int64, 8*n)
	rows, err := tx.QueryContext(ctx, `SELECT source_row_id, master_id, keys FROM row_keys`)
	if err != nil {
		return fmt.Errorf("blocking index: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, master int64
		var keys string
		if err := rows.Scan(&id, &master, &keys); err != nil {
			return fmt.Errorf("blocking index: %w", err)
		}
		x.put(id, master, hashKeys(nil, keys))
	}
	if err := rows.Err(); err != nil {
		x.reset()
		return fmt.Errorf("blocking index: %w", err)
	}
	x.loaded = true
	return nil
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

// put sets a row (no undo): its old postings go, the new ones come.
func (x *memIndex) put(id, master int64, keys []uint64) {
	if old, ok := x.rows[id]; ok {
		for _, h := range old.keys {
			x.unpost(h, id)
		}
	}
	x.rows[id] = memRow{master: master, keys: keys}
	for _, h := range keys {
		x.addPost(h, id)
	}
}

// drop removes a row (no undo).
func (x *memIndex) drop(id int64) {
	if old, ok := x.rows[id]; ok {
		for _, h := range old.keys {
			x.unpost(h, id)
		}
		delete(x.rows, id)
	}
}

func (x *memIndex) addPost(h uint64, id int64) {
	v, ok := x.post[h]
	switch {
	case !ok:
		x.post[h] = id
	case v > 0:
		if v == id {
			return
		}
		x.post[h] = -(x.newMulti([]int64{v, id}) + 1)
	default:
		i := -v - 1
		if !slices.Contains(x.multi[i], id) {
			x.multi[i] = append(x.multi[i], id)
		}
	}
}

func (x *memIndex) newMulti(ids []int64) int64 {
	if n := len(x.free); n > 0 {
		i := x.free[n-1]
		x.free = x.free[:n-1]
		x.multi[i] = ids
		return i
	}
	x.multi = append(x.multi, ids)
	return int64(len(x.multi) - 1)
}

func (x *memIndex) unpost(h uint64, id int64) {
	v, ok := x.post[h]
	switch {
	case !ok:
	case v > 0:
		if v == id {
			delete(x.post, h)
		}
	default:
		i := -v - 1
		ids := x.multi[i]
		if j := slices.Index(ids, id); j >= 0 {
			ids = slices.Delete(ids, j, j+1)
		}
		if len(ids) == 1 {
			x.post[h] = ids[0]
			x.multi[i] = nil
			x.free = append(x.free, i)
		} else {
			x.multi[i] = ids
		}
	}
}

// remember keeps a row's state before the running transaction changes it.
func (x *memIndex) remember(id int64) {
	old, had := x.rows[id]
	x.undo = append(x.undo, memUndo{id: id, had: had, prev: old})
}

// The changes a transaction makes, mirroring its writes to row_keys. They apply only to
// a loaded index: an index read later reads them from the table.

func (x *memIndex) addKeys(id, master int64, keys []string) {
	if !x.loaded {
		return
	}
	x.remember(id)
	var hs []uint64
	if old, ok := x.rows[id]; ok {
		hs = append(hs, old.keys...)
	}
	for _, k := range keys {
		hs = append(hs, keyHash(k))
	}
	slices.Sort(hs)
	x.put(id, master, slices.Compact(hs))
}

func (x *memIndex) dropRow(id int64) {
	if !x.loaded {
		return
	}
	if _, ok := x.rows[id]; ok {
		x.remember(id)
		x.drop(id)
	}
}

func (x *memIndex) move(id, master int64) {
	if !x.loaded {
		return
	}
	if r, ok := x.rows[id]; ok && r.master != master {
		x.remember(id)
		r.master = master
		x.rows[id] = r
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
			x.put(u.id, u.prev.master, u.prev.keys)
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
	v, ok := x.post[keyHash(k)]
	if !ok {
		return nil
	}
	if v > 0 {
		return []int64{x.rows[v].master}
	}
	var ms []int64
	for _, id := range x.multi[-v-1] {
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

// keyMastersMem is keyMastersJSON on the in-memory index.
func (t *tx) keyMastersMem(ctx context.Context, keys []string, limit int) (map[string][]int64, error) {
	x, err := t.index(ctx)
	if err != nil {
		return nil, err
	}
	byKey := make(map[string][]int64, len(keys))
	for _, k := range keys {
		if ms := x.keyMasters(k, limit); len(ms) > 0 {
			byKey[k] = ms
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
		t.s.mem.addKeys(r.id, r.master, r.keys)
	}
	return nil
}
