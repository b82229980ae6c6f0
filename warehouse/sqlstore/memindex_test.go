package sqlstore

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/steward-crm/steward/warehouse"
)

// TestKeyMastersLongLists: the first limit distinct masters of a key's rows, in row
// order, sorted; lists long enough to take the set (masterSet) give what searching the
// masters found so far gives, whatever the limit and however the rows share masters.
func TestKeyMastersLongLists(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for round := range 200 {
		x := &memIndex{}
		rows := 1 + r.IntN(400)
		masters := 1 + r.IntN(150)
		h := keyHash("k")
		var list []int64
		for id := int64(1); id <= int64(rows); id++ {
			m := int64(r.IntN(masters))
			if round%2 == 0 {
				m++ // ids from 1, as stored; odd rounds include 0
			}
			x.setRow(id, memRow{live: true, master: m})
			x.postingsOf(h).add(h, id)
			list = append(list, id)
		}
		for _, limit := range []int{1, 2, 10, 51, 64, 65, 200} {
			var want []int64
			for _, id := range list {
				if m := x.rows[id].master; !slices.Contains(want, m) {
					if want = append(want, m); len(want) >= limit {
						break
					}
				}
			}
			slices.Sort(want)
			if got := x.keyHashMasters(keyHash("k"), limit); !slices.Equal(got, want) {
				t.Fatalf("round %d, %d rows over %d masters, limit %d: %v, want %v", round, rows, masters, limit, got, want)
			}
		}
	}
}

// memSnapshot is what a memory index holds, read through its accessors.
type memSnapshot struct {
	rows    map[int64]string
	members map[int64][]int64
	posts   map[uint64][]int64
}

func snapshotOf(x *memIndex) memSnapshot {
	s := memSnapshot{rows: map[int64]string{}, members: map[int64][]int64{}, posts: map[uint64][]int64{}}
	for id := range x.rows {
		r := &x.rows[id]
		if !r.present() {
			continue
		}
		s.rows[int64(id)] = fmt.Sprintf("live=%v master=%d fv=%d keys=%v source=%q id=%q features=%q",
			r.live, r.master, r.fv, x.keysOf(r), x.srcNames[r.src], x.sourceID(r), x.features(r))
		for _, h := range x.keysOf(r) {
			if _, ok := s.posts[h]; !ok {
				one, list := x.postingsOf(h).rows(h)
				if one > 0 {
					list = []int64{one}
				}
				s.posts[h] = slices.Clone(list)
			}
		}
	}
	for m := range x.byMaster {
		if ids := x.members(int64(m)); len(ids) > 0 {
			s.members[int64(m)] = slices.Clone(ids)
		}
	}
	return s
}

// checkArenas fails unless the counts of what the rows and masters use of the arenas
// are right.
func checkArenas(t *testing.T, x *memIndex) {
	t.Helper()
	var keys, strs, members int64
	for id := range x.rows {
		r := &x.rows[id]
		keys += int64(r.keys.n)
		strs += int64(r.idLen + r.featLen)
	}
	for _, l := range x.byMaster {
		members += int64(l.n)
	}
	if keys != x.liveKeys || strs != x.liveStrs || members != x.liveMembers {
		t.Fatalf("arena use counted keys %d, strings %d, members %d; it is %d, %d, %d", x.liveKeys, x.liveStrs, x.liveMembers, keys, strs, members)
	}
	for i := range x.posts {
		p := &x.posts[i]
		var room int64
		for _, l := range p.lists {
			if l.n > 0 {
				room += int64(l.cap)
			}
			if l.n > l.cap || (l.n == 1) {
				t.Fatalf("postings list of %d rows with room for %d", l.n, l.cap)
			}
		}
		if room != p.room {
			t.Fatalf("postings room counted %d; it is %d", p.room, room)
		}
	}
	// The masters' lists and the postings are those of the live rows.
	byMaster := map[int64][]int64{}
	byKey := map[uint64][]int64{}
	for id := range x.rows {
		if r := &x.rows[id]; r.live {
			byMaster[r.master] = append(byMaster[r.master], int64(id))
			for _, h := range x.keysOf(r) {
				byKey[h] = append(byKey[h], int64(id))
			}
		}
	}
	s := snapshotOf(x)
	if !reflect.DeepEqual(s.members, byMaster) {
		t.Fatalf("masters' rows %v, want %v", s.members, byMaster)
	}
	for h, ids := range s.posts {
		slices.Sort(ids)
		if want := byKey[h]; !slices.Equal(ids, want) {
			t.Fatalf("key %x: rows %v, want %v", h, ids, want)
		}
	}
}

// TestMemIndexArenas: rows written, withdrawn, moved between masters and given keys in
// transactions committed or rolled back keep the index's contents (rows, masters' lists,
// postings) through a compaction of its arenas; the arenas' use is counted right; and
// committing compacts arenas more than half unused, so that they stay bounded however
// many updates a stream brings.
func TestMemIndexArenas(t *testing.T) {
	defer func(v int64) { arenaMinWaste = v }(arenaMinWaste)
	arenaMinWaste = 64
	r := rand.New(rand.NewPCG(3, 4))
	x := loadedIndex()
	var kept []string // strings handed out before compactions
	var keptWant []string
	for round := range 400 {
		for range 1 + r.IntN(8) {
			id := 1 + r.Int64N(60)
			switch r.IntN(4) {
			case 0, 1:
				row := &warehouse.SourceRow{ID: id, Source: fmt.Sprint("src", r.IntN(3)), SourceID: fmt.Sprint("id", id),
					MasterID: r.Int64N(12), Deleted: r.IntN(6) == 0, Features: fmt.Sprintf("f1|%d|%s", round, strings.Repeat("x", r.IntN(40)))}
				x.source(row)
			case 2:
				var ks []string
				for range 1 + r.IntN(4) {
					ks = append(ks, fmt.Sprint("k", r.IntN(25)))
				}
				x.addKeys([]*rowKeys{{id: id, keys: ks}})
			case 3:
				x.clearKeys(id)
			}
		}
		committed := r.IntN(5) != 0
		if committed {
			x.commit(int64(round))
		} else {
			x.rollback()
		}
		checkArenas(t, x)
		if committed && (x.wasteful() || x.posts[0].wasteful() || x.posts[1].wasteful()) {
			t.Fatalf("round %d: committed with arenas more than half unused: keys %d of %d, members %d of %d, strings %d of %d",
				round, x.liveKeys, len(x.keyArena), x.liveMembers, len(x.memberArena), x.liveStrs, x.strs.size)
		}
		if round%7 == 0 {
			for id := range x.rows {
				if rw := &x.rows[id]; rw.live {
					kept, keptWant = append(kept, x.features(rw)), append(keptWant, strings.Clone(x.features(rw)))
				}
			}
		}
		before := snapshotOf(x)
		x.compact()
		x.posts[0].compact()
		x.posts[1].compact()
		checkArenas(t, x)
		if got := snapshotOf(x); !reflect.DeepEqual(got, before) {
			t.Fatalf("round %d: compaction changed the index:\n%+v\nwant\n%+v", round, got, before)
		}
		if int64(len(x.keyArena)) != x.liveKeys || int64(len(x.memberArena)) != x.liveMembers || x.strs.size != x.liveStrs ||
			int64(len(x.posts[0].arena)) != x.posts[0].room || int64(len(x.posts[1].arena)) != x.posts[1].room {
			t.Fatalf("round %d: compacted arenas hold more than is used", round)
		}
	}
	if !slices.Equal(kept, keptWant) {
		t.Fatal("a string handed out changed")
	}
	if len(snapshotOf(x).rows) == 0 {
		t.Fatal("no rows left to check")
	}
}

// loadedIndex returns an empty index as loaded, which the changes of transactions apply
// to.
func loadedIndex() *memIndex {
	x := newMemIndex()
	x.loaded, x.known = true, map[uint64]struct{}{}
	for i := range x.posts {
		x.posts[i].post = newKeyTable(16)
	}
	return x
}

// TestMemIndexEmptyKeysCompacted: a row whose row_keys list is empty (a hand-written
// row: the store writes none) points into no arena, so a compaction cannot leave it
// pointing past one; its record written again after a compaction works. (A review found
// the row keeping an offset a compaction made stale: a panic in the next write.)
func TestMemIndexEmptyKeysCompacted(t *testing.T) {
	defer func(v int64) { arenaMinWaste = v }(arenaMinWaste)
	arenaMinWaste = 4
	x := loadedIndex()
	for id := int64(1); id <= 1500; id++ {
		x.source(&warehouse.SourceRow{ID: id, Source: "s", SourceID: fmt.Sprint(id), MasterID: id})
		x.addKeys([]*rowKeys{{id: id, keys: []string{fmt.Sprint("k", id), fmt.Sprint("j", id)}}})
	}
	x.commit(1)
	x.source(&warehouse.SourceRow{ID: 5000, Source: "s", SourceID: "500", MasterID: 7})
	r := x.row(5000)
	r.keys = x.newKeys(nil, strings.SplitSeq("", "\n")) // a load's read of keys ""
	x.setRow(5000, r)
	x.commit(2)
	for id := int64(1); id <= 1490; id++ { // the key arena mostly unused: compacted
		x.clearKeys(id)
	}
	x.commit(3)
	if int64(len(x.keyArena)) != x.liveKeys {
		t.Fatalf("key arena of %d for %d keys in use: not compacted", len(x.keyArena), x.liveKeys)
	}
	x.source(&warehouse.SourceRow{ID: 5000, Source: "s", SourceID: "500", MasterID: 9999})
	x.commit(4)
	if got := x.members(9999); !slices.Equal(got, []int64{5000}) {
		t.Fatalf("master 9999's rows %v", got)
	}
	checkArenas(t, x)
}

// TestMemIndexConcurrentReads: readers as Prefetch (under the data read lock) while
// transactions write, roll back and compact: no race (under -race), and the strings
// handed out never change.
func TestMemIndexConcurrentReads(t *testing.T) {
	defer func(v int64) { arenaMinWaste = v }(arenaMinWaste)
	arenaMinWaste = 8
	x := loadedIndex()
	var wg sync.WaitGroup
	stop := make(chan struct{})
	var reads atomic.Int64
	for range 2 {
		wg.Go(func() {
			type handed struct{ got, want string }
			var kept []handed
			for {
				select {
				case <-stop:
					for _, k := range kept {
						if k.got != k.want {
							t.Errorf("a string handed out changed: %q, was %q", k.got, k.want)
						}
					}
					return
				default:
				}
				ks := []string{"k1", "k2", "k3", "k4", "k5"}
				found := make([][]int64, len(ks))
				x.data.RLock()
				x.keysMasters(ks, func(string) int { return 100 }, found)
				var ms []int64
				for _, f := range found {
					ms = append(ms, f...)
				}
				slices.Sort(ms)
				ms = slices.Compact(ms)
				out := make([][]warehouse.SourceRow, len(ms))
				x.masterRows(ms, out, "f1|")
				for _, k := range ks {
					x.keyRows(k, func(int64) {})
				}
				x.data.RUnlock()
				reads.Add(1)
				for _, rows := range out {
					for _, r := range rows {
						if len(kept) < 10000 {
							kept = append(kept, handed{r.Features, strings.Clone(r.Features)})
						}
					}
				}
			}
		})
	}
	compactions := 0
	for i := range 3000 {
		id := int64(1 + i%40)
		x.source(&warehouse.SourceRow{ID: id, Source: "s", SourceID: fmt.Sprint(id), MasterID: int64(1 + i%7),
			Features: fmt.Sprintf("f1|%d|%s", i, strings.Repeat("x", i%30))})
		x.addKeys([]*rowKeys{{id: id, keys: []string{fmt.Sprint("k", i%6), fmt.Sprint("j", i)}}})
		if i%11 == 0 {
			x.clearKeys(int64(1 + (i/11)%40))
		}
		if i%5 == 0 {
			x.rollback()
			continue
		}
		before := len(x.keyArena) + len(x.posts[0].arena) + len(x.posts[1].arena)
		x.commit(int64(i))
		if len(x.keyArena)+len(x.posts[0].arena)+len(x.posts[1].arena) < before {
			compactions++
		}
	}
	close(stop)
	wg.Wait()
	if compactions == 0 || reads.Load() == 0 {
		t.Fatalf("%d compactions, %d reads: the test tested nothing", compactions, reads.Load())
	}
	checkArenas(t, x)
}
