package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

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
//   - Prefetch reads it outside transactions, while one may be writing (a resolver
//     scores a batch while the one before it writes): it takes data to read, and the
//     transaction takes data to write each change. What Prefetch read can thus mix
//     states; the log of changes (changeLog) tells the next transaction which keys and
//     masters changed since Prefetch began, and the resolver reads those again.
type memIndex struct {
	mu sync.Mutex // a transaction's, from begin to end
	// touched keeps the early reads of rows (keep) from being compiled away.
	touched atomic.Uint32
	// data guards the index's contents against Prefetch's reads: a transaction takes
	// it to write (each change, a load's start and end, a rollback, a reset); the
	// transaction's own reads, under mu, need not take it.
	data   sync.RWMutex
	loaded bool
	// gen counts the index's loads and resets: a prefetch of another generation is void.
	gen uint64
	// The changes of the last transactions (at most changeLogSize), oldest first, for
	// changedSince; cur is the running transaction's once it changed something (also
	// the last of log); done is the seq of the last transaction ended.
	log       []*memChange
	cur       *memChange
	seq, done uint64
	version   int64 // row_keys_version when read or last committed
	// rows holds the rows by id, byMaster each master's live rows in id order, by master
	// id: ids are a table's AUTOINCREMENT ids, dense, and a slice is a single memory
	// access where a map of a million entries took several cache misses per lookup (the
	// candidate read touches some 4 000 rows and 2 500 masters per batch of 100 records).
	rows     []memRow
	byMaster []span // into memberArena
	// The arenas rows and masters point into (memarena.go), and how much of each they
	// use.
	keyArena                        []uint64
	memberArena                     []int64
	strs                            strArena
	liveKeys, liveStrs, liveMembers int64
	srcNames                        []string          // source names, by memRow.src
	srcIndex                        map[string]uint32 // and their indexes
	versions                        []string          // the features' version prefixes rows point to (memRow.fv); [0] is ""
	// known holds sourceKeyHash of every source record the index has held (a hint for
	// Known: never removed; a collision only costs a prefetch).
	known map[uint64]struct{}
	// posts map key hashes to their live rows, in two halves by the hash's top bit
	// (postingsOf), which a load builds on two cores.
	posts [2]postings
	undo  []memUndo // the running transaction's changes, oldest first
	// loadedInTx: the running transaction read the index, uncommitted writes included.
	loadedInTx bool
}

// postings map key hashes to rows: post holds a row id (> 0) when a key has one row,
// else -(i+1) for lists[i]. Most keys (an e-mail, a phone) belong to one row. The lists
// are in an arena (memarena.go; a million of them against a million masters), each with
// room to grow in place: one that outgrows it moves to the arena's end with twice the
// room.
type postings struct {
	post  keyTable
	lists []plist
	arena []int64
	free  []int64 // indexes of unused lists
	room  int64   // the room of the lists in use
}

// plist is a list of n row ids at off in a postings arena, with room for cap.
type plist struct{ off, n, cap uint32 }

// postingsOf returns the half of the postings that holds hash h.
func (x *memIndex) postingsOf(h uint64) *postings { return &x.posts[h>>63] }

// memRow is a source row that is live (it has a master and is not withdrawn) or that has
// keys in row_keys. Only live rows are posted under their keys and listed in byMaster: a
// row that is not live keeps its keys here because it can come back (PutSourceRecord of
// a newer version) with the keys row_keys still holds for it.
//
// It holds no pointer (memarena.go): its keys, source id and features are in the index's
// arenas.
type memRow struct {
	live bool
	// fv indexes memIndex.versions: the features' version prefix (up to their first
	// "|", FeaturesVersion's form), so that masterRows tells current features without
	// reading them (a cache miss per candidate; 3 % of a streaming run against a million
	// masters). 0: none known. It sits in live's padding.
	fv     uint8
	src    uint32 // memIndex.srcNames
	master int64
	keys   span // key hashes in keyArena, sorted and distinct
	// The source id and the features, one after the other in strs.
	strChunk, strOff, idLen, featLen uint32
}

// present reports whether the slot holds a row: a live one, or one with keys.
func (r *memRow) present() bool { return r.live || r.keys.n > 0 }

// row returns the row of id (the zero memRow when there is none).
func (x *memIndex) row(id int64) memRow {
	if id > 0 && id < int64(len(x.rows)) {
		return x.rows[id]
	}
	return memRow{}
}

// memChange is what one transaction changed in the index: the keys whose rows changed
// and the masters whose rows changed (a row's keys, master, features or liveness,
// before and after).
type memChange struct {
	seq     uint64
	keys    map[uint64]struct{}
	masters map[int64]struct{}
}

// changeLogSize bounds the transactions changedSince looks back over: a prefetch older
// than that is read again.
const changeLogSize = 64

type memUndo struct {
	id   int64
	had  bool
	prev memRow
}

func newMemIndex() *memIndex { return &memIndex{} }

// keyHash is 64-bit FNV-1a of a blocking key. A collision (about one in 10¹² pairs of
// keys) only adds a candidate master, which is scored on its features like any other.
func keyHash(k string) uint64 { return fnv1a(14695981039346656037, k) }

// fnv1a continues 64-bit FNV-1a hash h with s.
func fnv1a(h uint64, s string) uint64 {
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

// sourceKeyHash hashes a source record's key (source, source id).
func sourceKeyHash(source, sourceID string) uint64 {
	h := fnv1a(14695981039346656037, source)
	h ^= 0xff // not a byte of UTF-8: "a"+"bc" and "ab"+"c" differ
	h *= 1099511628211
	return fnv1a(h, sourceID)
}

// reset drops the index (data held for writing).
func (x *memIndex) reset() {
	x.loaded, x.rows, x.byMaster, x.known, x.posts, x.undo, x.loadedInTx = false, nil, nil, nil, [2]postings{}, nil, false
	x.keyArena, x.memberArena, x.strs, x.liveKeys, x.liveStrs, x.liveMembers = nil, nil, strArena{}, 0, 0, 0
	x.srcNames, x.srcIndex = nil, nil
	x.versions = nil
	x.gen++
	x.log, x.cur, x.done = nil, nil, x.seq
}

// resetLocked is reset taking data.
func (x *memIndex) resetLocked() {
	x.data.Lock()
	defer x.data.Unlock()
	x.reset()
}

// changing returns the running transaction's change record, starting it; data is
// held for writing.
func (x *memIndex) changing() *memChange {
	if x.cur == nil {
		x.seq++
		x.cur = &memChange{seq: x.seq, keys: map[uint64]struct{}{}, masters: map[int64]struct{}{}}
		if len(x.log) == changeLogSize {
			x.log = slices.Delete(x.log, 0, 1)
		}
		x.log = append(x.log, x.cur)
	}
	return x.cur
}

// noteRow records a live row's keys and master as changed.
func (x *memIndex) noteRow(r *memRow) {
	if x.cur == nil || !r.live {
		return
	}
	for _, h := range x.keysOf(r) {
		x.cur.keys[h] = struct{}{}
	}
	x.cur.masters[r.master] = struct{}{}
}

// ended closes the running transaction's change record.
func (x *memIndex) ended() { x.cur, x.done = nil, x.seq }

// headroom is the capacity given to a slice of n rows or masters read at load: an
// eighth more, so that the rows a run adds seldom copy it.
func headroom(n int64) int64 { return n + n/8 + 1024 }

// load reads the index from source_records and row_keys inside tx.
func (x *memIndex) load(ctx context.Context, tx *sql.Tx) (err error) {
	defer func() {
		if err != nil {
			x.resetLocked()
			err = fmt.Errorf("blocking index: %w", err)
		}
	}()
	var n, maxRow, maxMaster int64
	err = tx.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM row_keys), (SELECT COALESCE(MAX(id), 0) FROM source_records), (SELECT COALESCE(MAX(id), 0) FROM masters)`).Scan(&n, &maxRow, &maxMaster)
	if err != nil {
		return err
	}
	// Prefetch reads nothing while loaded is false, which the lock publishes: the
	// index is built without it.
	x.resetLocked()
	// Room to grow: the first row added past a full slice copies all of it (a million
	// rows: 90 MB, a pause of the first batch).
	x.rows = make([]memRow, maxRow+1, headroom(maxRow+1))
	x.byMaster = make([]span, maxMaster+1, headroom(maxMaster+1))
	x.memberArena = make([]int64, 0, headroom(maxRow))
	x.keyArena = make([]uint64, 0, headroom(8*n))
	x.srcIndex = map[string]uint32{}
	x.known = make(map[uint64]struct{}, headroom(maxRow))
	for i := range x.posts {
		x.posts[i].post = newKeyTable(int(4 * n))
	}
	err = x.scan(ctx, tx, `SELECT id, master_id, source, source_id, features FROM source_records INDEXED BY source_records_candidates
WHERE master_id IS NOT NULL AND deleted = FALSE`, func(rows *sql.Rows) error {
		r := memRow{live: true}
		var id int64
		var source, sourceID string
		var feats sql.NullString
		if err := rows.Scan(&id, &r.master, &source, &sourceID, &feats); err != nil {
			return err
		}
		r.src = x.intern(source)
		x.setStrings(&r, sourceID, feats.String)
		r.fv = x.fvIndex(feats.String)
		x.known[sourceKeyHash(source, sourceID)] = struct{}{}
		x.setRow(id, r)
		x.setMembers(r.master, x.members(r.master), id, true)
		return nil
	})
	if err != nil {
		return err
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
					p.add(q.h, q.id)
				}
			}
			p.compact() // the lists' moves while they grew
		})
	}
	err = x.scan(ctx, tx, `SELECT source_row_id, keys FROM row_keys`, func(rows *sql.Rows) error {
		var id int64
		var keys string
		if err := rows.Scan(&id, &keys); err != nil {
			return err
		}
		r := x.row(id)
		r.keys = x.newKeys(nil, strings.SplitSeq(keys, "\n"))
		x.setRow(id, r)
		if r.live {
			for _, h := range x.keysOf(&r) {
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
	// Room for a quarter more keys and members than loaded (the load's estimate may
	// have been short): the arenas then grow, copying themselves, only after some
	// 250 000 new records against a million.
	x.keyArena = slices.Grow(x.keyArena, len(x.keyArena)/4)
	x.memberArena = slices.Grow(x.memberArena, len(x.memberArena)/4)
	x.data.Lock()
	x.loaded = true
	x.data.Unlock()
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

// fvIndex returns the index in x.versions of the version prefix of features (up to and
// including its first "|"), adding it; 0 when it has none or 255 are known already.
func (x *memIndex) fvIndex(features string) uint8 {
	i := strings.IndexByte(features, '|')
	if i < 0 {
		return 0
	}
	p := features[:i+1]
	if len(x.versions) == 0 {
		x.versions = []string{""}
	}
	for j, v := range x.versions[1:] {
		if v == p {
			return uint8(j + 1)
		}
	}
	if len(x.versions) > math.MaxUint8 {
		return 0
	}
	x.versions = append(x.versions, strings.Clone(p))
	return uint8(len(x.versions) - 1)
}

// current reports whether r's features are of featuresVersion: from r.fv, reading the
// features themselves only for a row whose prefix is another one (or unknown).
func (x *memIndex) current(r *memRow, featuresVersion string) bool {
	if featuresVersion == "" {
		return false
	}
	if int(r.fv) < len(x.versions) && r.fv != 0 && x.versions[r.fv] == featuresVersion {
		return true
	}
	return strings.HasPrefix(x.features(r), featuresVersion)
}

// intern returns the index of source name s in srcNames, adding it.
func (x *memIndex) intern(s string) uint32 {
	if i, ok := x.srcIndex[s]; ok {
		return i
	}
	if x.srcIndex == nil {
		x.srcIndex = map[string]uint32{}
	}
	s = strings.Clone(s)
	x.srcIndex[s] = uint32(len(x.srcNames))
	x.srcNames = append(x.srcNames, s)
	return uint32(len(x.srcNames) - 1)
}

// put sets a row (no undo): its old postings and membership go, the new ones come. A
// row neither live nor with keys is not kept.
func (x *memIndex) put(id int64, r memRow) {
	x.drop(id)
	if !r.live {
		if r.keys.n > 0 {
			x.setRow(id, memRow{keys: r.keys})
		}
		return
	}
	x.noteRow(&r)
	x.setRow(id, r)
	// The row is posted nowhere now (drop took it off its old keys) and its keys are
	// distinct (sorted and compacted wherever they are built): add does not look for it
	// in a key's list (~1.4 % of a streaming run's CPU against a million masters).
	for _, h := range x.keysOf(&r) {
		x.postingsOf(h).add(h, id)
	}
	x.setMembers(r.master, x.members(r.master), id, true)
}

// drop removes a row (no undo).
func (x *memIndex) drop(id int64) {
	old := x.row(id)
	if !old.present() {
		return
	}
	x.setRow(id, memRow{})
	if !old.live {
		return
	}
	x.noteRow(&old)
	for _, h := range x.keysOf(&old) {
		x.postingsOf(h).remove(h, id)
	}
	x.setMembers(old.master, x.members(old.master), id, false)
}

// add posts row id under h, where it is not posted yet: a load reads each row's
// distinct keys once, and put posts a row that is posted nowhere. (Looking for the row in
// a key's list first made each add a scan of a common key's thousands of rows.)
func (p *postings) add(h uint64, id int64) {
	v, ok := p.post.get(h)
	switch {
	case !ok:
		p.post.set(h, id)
	case v > 0:
		p.post.set(h, -(p.newList(v, id) + 1))
	default:
		l := &p.lists[-v-1]
		if l.n == l.cap {
			// Moved to the end with twice the room.
			off := len(p.arena)
			p.arena = push(p.arena, p.arena[l.off:l.off+l.n]...)
			p.arena = extend(p.arena, len(p.arena)+int(l.cap))
			p.room += int64(l.cap)
			l.off, l.cap = uint32(off), 2*l.cap
		}
		p.arena[l.off+l.n] = id
		l.n++
	}
}

// newList starts a list of two rows, returning its index.
func (p *postings) newList(a, b int64) int64 {
	const room = 4
	off := len(p.arena)
	p.arena = push(p.arena, a, b, 0, 0)
	p.room += room
	l := plist{uint32(off), 2, room}
	if n := len(p.free); n > 0 {
		i := p.free[n-1]
		p.free = p.free[:n-1]
		p.lists[i] = l
		return i
	}
	p.lists = append(p.lists, l)
	return int64(len(p.lists) - 1)
}

// list returns list i's rows (not to be appended to).
func (p *postings) list(i int64) []int64 {
	l := p.lists[i]
	return p.arena[l.off : l.off+l.n : l.off+l.n]
}

// wasteful reports whether more than half of the arena is unused.
func (p *postings) wasteful() bool { return halfUnused(int64(len(p.arena)), p.room) }

// withRoom is the capacity a compaction gives a list of n rows: a quarter more.
func withRoom(n uint32) uint32 { return n + n/4 }

// compact copies the lists in use into a new arena, each with room for what it holds
// and a quarter more.
func (p *postings) compact() {
	var room int64
	for _, l := range p.lists {
		room += int64(withRoom(l.n))
	}
	arena := make([]int64, 0, room)
	p.room = 0
	for i := range p.lists {
		l := &p.lists[i]
		if l.n == 0 {
			continue
		}
		off := len(arena)
		c := withRoom(l.n)
		arena = append(arena, p.arena[l.off:l.off+l.n]...)
		arena = extend(arena, off+int(c)) // within the capacity made above
		l.off, l.cap = uint32(off), c
		p.room += int64(c)
	}
	p.arena = arena
}

// remove takes row id off h.
func (p *postings) remove(h uint64, id int64) {
	v, ok := p.post.get(h)
	switch {
	case !ok:
	case v > 0:
		if v == id {
			p.post.del(h)
		}
	default:
		i := -v - 1
		l := &p.lists[i]
		ids := p.arena[l.off : l.off+l.n]
		if j := slices.Index(ids, id); j >= 0 {
			copy(ids[j:], ids[j+1:])
			l.n--
		}
		if l.n == 1 {
			p.post.set(h, ids[0])
			p.room -= int64(l.cap)
			*l = plist{}
			p.free = append(p.free, i)
		}
	}
}

// rows returns the rows posted under h: one, or a list (nil when none).
func (p *postings) rows(h uint64) (one int64, list []int64) {
	v, ok := p.post.get(h)
	switch {
	case !ok:
		return 0, nil
	case v > 0:
		return v, nil
	default:
		return 0, p.list(-v - 1)
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
func (x *memIndex) source(rs ...*warehouse.SourceRow) {
	if !x.loaded {
		return
	}
	x.data.Lock()
	defer x.data.Unlock()
	x.changing()
	for _, r := range rs {
		if r.ID != 0 {
			x.source1(r)
		}
	}
}

func (x *memIndex) source1(r *warehouse.SourceRow) {
	old := x.row(r.ID)
	had := old.present()
	live := !r.Deleted && r.MasterID != 0
	if !had && !live {
		return
	}
	x.remember(r.ID)
	x.known[sourceKeyHash(r.Source, r.SourceID)] = struct{}{}
	if !live {
		x.put(r.ID, memRow{keys: old.keys})
		return
	}
	n := memRow{live: true, master: r.MasterID, keys: old.keys, src: x.intern(r.Source), fv: x.fvIndex(r.Features)}
	x.setStrings(&n, r.SourceID, r.Features)
	x.put(r.ID, n)
}

// addKeys mirrors keys added to rows, which PutSourceRecord(s) wrote first (a row that
// is not live keeps them for when it comes back).
func (x *memIndex) addKeys(rows []*rowKeys) {
	if !x.loaded {
		return
	}
	x.data.Lock()
	defer x.data.Unlock()
	x.changing()
	for _, r := range rows {
		x.addKeys1(r.id, r.keys)
	}
}

func (x *memIndex) addKeys1(id int64, keys []string) {
	r := x.row(id)
	x.remember(id)
	r.keys = x.newKeys(x.keysOf(&r), slices.Values(keys))
	x.put(id, r)
}

// clearKeys mirrors the deletion of a row's keys (the row stays).
func (x *memIndex) clearKeys(id int64) {
	if !x.loaded {
		return
	}
	if r := x.row(id); r.keys.n > 0 {
		x.data.Lock()
		defer x.data.Unlock()
		x.changing()
		x.remember(id)
		r.keys = span{}
		x.put(id, r)
	}
}

// rollback restores the index as it was when the transaction began (or drops it when
// the transaction read it).
func (x *memIndex) rollback() {
	x.data.Lock()
	defer x.data.Unlock()
	if x.loadedInTx {
		x.reset()
		return
	}
	defer x.ended()
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
func (x *memIndex) commit(version int64) {
	x.undo, x.loadedInTx, x.version = nil, false, version
	x.data.Lock()
	defer x.data.Unlock()
	x.ended()
	if !x.loaded {
		return
	}
	if x.wasteful() {
		x.compact()
	}
	for i := range x.posts {
		if p := &x.posts[i]; p.wasteful() {
			p.compact()
		}
	}
}

// memChanges is what changed in the index since a prefetch (warehouse.Changes).
type memChanges []*memChange

// Key reports whether rows holding k changed.
func (c memChanges) Key(k string) bool {
	h := keyHash(k)
	for _, e := range c {
		if _, ok := e.keys[h]; ok {
			return true
		}
	}
	return false
}

// Master reports whether the rows of master id changed.
func (c memChanges) Master(id int64) bool {
	for _, e := range c {
		if _, ok := e.masters[id]; ok {
			return true
		}
	}
	return false
}

// changedSince returns the changes made since the prefetch of generation gen that saw
// the transactions up to seq ended; false when they are not known (the index was read
// again since, or the log does not reach back that far). mu is held.
func (x *memIndex) changedSince(gen, seq uint64) (memChanges, bool) {
	if !x.loaded || gen != x.gen {
		return nil, false
	}
	if seq == x.seq {
		return nil, true
	}
	if len(x.log) == 0 || x.log[0].seq > seq+1 {
		return nil, false
	}
	var out memChanges
	for _, e := range x.log {
		if e.seq > seq {
			out = append(out, e)
		}
	}
	return out, true
}

// indexVersion reads row_keys_version.
func indexVersion(ctx context.Context, tx *sql.Tx) (int64, error) {
	var v int64
	if err := tx.QueryRowContext(ctx, `SELECT v FROM row_keys_version`).Scan(&v); err != nil {
		return 0, fmt.Errorf("blocking index version: %w", err)
	}
	return v, nil
}

// keysMasters sets found[i] to the masters of key ks[i], up to limit(ks[i])
// (keyHashMasters). Each key's postings slot is a cache miss: the slots of up to 64 keys
// are read ahead in a loop of independent loads (keyTable.touch), and the lookups after
// it find them in cache.
func (x *memIndex) keysMasters(ks []string, limit func(k string) int, found [][]int64) {
	for len(ks) > 0 {
		n := min(len(ks), 64)
		var hs [64]uint64
		var t uint64
		for i, k := range ks[:n] {
			h := keyHash(k)
			hs[i] = h
			t ^= x.postingsOf(h).post.touch(h)
		}
		x.keep(t)
		for i, k := range ks[:n] {
			found[i] = x.keyHashMasters(hs[i], limit(k))
		}
		ks, found = ks[n:], found[n:]
	}
}

// keyHashMasters returns the distinct masters of the rows of the key of hash h, sorted,
// stopping at limit.
func (x *memIndex) keyHashMasters(h uint64, limit int) []int64 {
	one, list := x.postingsOf(h).rows(h)
	if one > 0 {
		return []int64{x.rows[one].master}
	}
	if len(list) == 0 {
		return nil
	}
	ms := make([]int64, 0, max(0, min(len(list), limit)))
	if len(list) <= 16 || limit > len(masterSet{})/2 {
		for _, id := range list {
			m := x.rows[id].master
			if !slices.Contains(ms, m) {
				if ms = append(ms, m); len(ms) >= limit {
					break
				}
			}
		}
	} else {
		// A long list (a common name: hundreds of rows, up to limit masters) searched
		// ms for every row; a set on the stack answers at once.
		var seen masterSet
		for _, id := range list {
			if m := x.rows[id].master; seen.add(m) {
				if ms = append(ms, m); len(ms) >= limit {
					break
				}
			}
		}
	}
	slices.Sort(ms)
	return ms
}

// masterSet is a set of up to half its size of master ids, open addressing on the
// stack (keyHashMasters: at most limit ids).
type masterSet [128]int64

// add adds m and reports whether it was not in the set yet. Slot values are m+1 (0 is
// an empty slot; master ids are positive, and a zero id still works).
func (s *masterSet) add(m int64) bool {
	v := m + 1
	i := (uint64(v) * 0x9e3779b97f4a7c15) >> 57 // 7 bits: len(s) is 128
	for s[i] != 0 {
		if s[i] == v {
			return false
		}
		i = (i + 1) & (uint64(len(s)) - 1)
	}
	s[i] = v
	return true
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

// keyMastersMem reads the first masters of each key (up to limit(key)) from the
// in-memory index.
func (t *tx) keyMastersMem(ctx context.Context, keys []string, limit func(string) int) (map[string][]int64, error) {
	x, err := t.index(ctx)
	if err != nil {
		return nil, err
	}
	// On every core, as candidateRows: a batch's thousand keys are scattered reads of the
	// index, which the transaction holds and nothing writes meanwhile.
	found := make([][]int64, len(keys))
	chunks(len(keys), func(lo, hi int) { x.keysMasters(keys[lo:hi], limit, found[lo:hi]) })
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
	t.s.mem.addKeys(rows)
	return nil
}

// rowKeys are the keys added to a source row.
type rowKeys struct {
	id, master int64
	keys       []string
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
	chunks(len(masters), func(lo, hi int) { x.masterRows(masters[lo:hi], byMaster[lo:hi], featuresVersion) })
	for j, rows := range byMaster {
		if rows != nil {
			set.Rows[masters[j]] = rows
		}
	}
	return nil
}

// keep uses v, the result of reads made only to bring rows into the cache, so that the
// compiler keeps them: it cannot tell what keepNever holds (a constant it could: a
// uint8 widened is never 0x9e37..., and the reads were compiled away).
func (x *memIndex) keep(v uint64) {
	if v == keepNever {
		x.touched.Add(1)
	}
}

// keepNever is a value keep's argument does not take: read, never written.
var keepNever uint64 = 1 << 63

// masterRows sets out[j] to the live rows of masters[j], oldest first, with their
// features when of featuresVersion (nil when it has none), all carved from one
// allocation; stale reports a row whose features are not of that version.
func (x *memIndex) masterRows(masters []int64, out [][]warehouse.SourceRow, featuresVersion string) (stale bool) {
	n := 0
	var touched uint8
	for _, m := range masters {
		ids := x.members(m)
		n += len(ids)
		// Each row is a cache miss (a million rows): read here in a loop of
		// independent loads, many are fetched at once; the loop below, which writes
		// a SourceRow per row, then finds them in cache.
		for _, id := range ids {
			touched ^= x.rows[id].fv
		}
	}
	x.keep(uint64(touched))
	all := make([]warehouse.SourceRow, n)
	for j, m := range masters {
		ids := x.members(m)
		if len(ids) == 0 {
			continue
		}
		rows := all[:len(ids):len(ids)]
		all = all[len(ids):]
		for i, id := range ids {
			r := &x.rows[id]
			rows[i] = warehouse.SourceRow{ID: id, Source: x.srcNames[r.src], SourceID: x.sourceID(r), MasterID: m}
			if x.current(r, featuresVersion) {
				rows[i].Features = x.features(r)
			} else {
				stale = true
			}
		}
		out[j] = rows
	}
	return stale
}

var (
	_ warehouse.Prefetcher    = (*Store)(nil)
	_ warehouse.ChangeTracker = (*tx)(nil)
)

// Prefetches reports whether the store has a memory index.
func (s *Store) Prefetches() bool { return s.mem != nil }

// Prefetch reads what Candidates would return for q, outside any transaction, from the
// memory index. A transaction may be writing meanwhile: Changes, in a later transaction,
// tells what changed since. ok is false when the store has no memory index, it is not
// loaded yet, it was read again meanwhile or a candidate's features are of another
// version: the transaction then reads everything itself.
func (s *Store) Prefetch(ctx context.Context, q warehouse.CandidateQuery) (*warehouse.Prefetched, bool) {
	x := s.mem
	if x == nil {
		return nil, false
	}
	x.data.RLock()
	loaded, gen, seq := x.loaded, x.gen, x.done
	x.data.RUnlock()
	if !loaded {
		return nil, false
	}
	// read runs fn on the index under the read lock, if it is still the one of gen.
	var void atomic.Bool
	read := func(fn func()) {
		x.data.RLock()
		defer x.data.RUnlock()
		if !x.loaded || x.gen != gen {
			void.Store(true)
			return
		}
		fn()
	}
	set, ks := newCandidateSet(q)
	found := make([][]int64, len(ks))
	limit := func(k string) int { return q.Cap(k) + 1 }
	chunks(len(ks), func(lo, hi int) {
		read(func() { x.keysMasters(ks[lo:hi], limit, found[lo:hi]) })
	})
	var masters []int64
	for i, k := range ks {
		masters = placeKey(set, k, found[i], q.Cap(k), masters)
	}
	slices.Sort(masters) // built here: sorted in place, not copied
	masters = slices.Compact(masters)
	byMaster := make([][]warehouse.SourceRow, len(masters))
	var stale atomic.Bool
	chunks(len(masters), func(lo, hi int) {
		read(func() {
			if x.masterRows(masters[lo:hi], byMaster[lo:hi], q.FeaturesVersion) {
				stale.Store(true)
			}
		})
	})
	if void.Load() || stale.Load() {
		return nil, false
	}
	for j, rows := range byMaster {
		if rows != nil {
			set.Rows[masters[j]] = rows
		}
	}
	if q.KeyRows {
		_ = fillKeyRows(set, func(keys []string, add func(k string, id int64)) error {
			for _, k := range keys {
				read(func() { x.keyRows(k, func(id int64) { add(k, id) }) })
			}
			return nil
		})
		if void.Load() {
			return nil, false
		}
	}
	return &warehouse.Prefetched{Set: set, Gen: gen, Seq: seq}, true
}

// Known reports, for each key, whether the warehouse may hold a live source record of
// it (false: it holds none live, as last committed or being written; the index loads
// only live rows, so a withdrawn one may exist), from the memory index (all false when
// it is not loaded).
func (s *Store) Known(keys []warehouse.SourceKey) []bool {
	out := make([]bool, len(keys))
	x := s.mem
	if x == nil {
		return out
	}
	x.data.RLock()
	defer x.data.RUnlock()
	if !x.loaded {
		return out
	}
	for i, k := range keys {
		_, out[i] = x.known[sourceKeyHash(k.Source, k.SourceID)]
	}
	return out
}

// chunks calls fn on every core for the ranges [lo, hi) of 64 items that make up n:
// Prefetch takes the index's read lock once per range, which the writer waits for at
// most that long.
func chunks(n int, fn func(lo, hi int)) {
	const size = 64
	par.For((n+size-1)/size, 2, func(c int) { fn(c*size, min(n, (c+1)*size)) })
}

// Changes returns what changed in the memory index since p was read (see Prefetch):
// false when that is not known (p is of an index read again since, or too old).
func (t *tx) Changes(p *warehouse.Prefetched) (warehouse.Changes, bool) {
	if t.s.mem == nil || p == nil {
		return nil, false
	}
	c, ok := t.s.mem.changedSince(p.Gen, p.Seq)
	if !ok {
		return nil, false
	}
	return c, true
}
