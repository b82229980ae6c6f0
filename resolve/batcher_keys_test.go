package resolve

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/steward-crm/steward/internal/synthtest"
	"github.com/steward-crm/steward/rules"
	"github.com/steward-crm/steward/synth"
	"github.com/steward-crm/steward/warehouse"
)

// TestBatcherTakeKeepsKeysApart: with several workers a batch takes no record that
// shares a lock key with a batch being written or with a record passed over before it;
// the records passed over stay queued in order, and a written batch gives its keys back.
// With one worker a batch is the first Max records.
func TestBatcherTakeKeepsKeysApart(t *testing.T) {
	calls := func() []*call {
		var cs []*call
		for i, keys := range [][]string{{"a", "b"}, {"c"}, {"b", "d"}, {"e"}, {"d"}, {"f"}} {
			cs = append(cs, &call{pos: fmt.Sprint(i + 1), keys: keys})
		}
		return cs
	}
	names := func(cs []*call) []string {
		var out []string
		for _, c := range cs {
			out = append(out, c.pos)
		}
		return out
	}
	b := &Batcher{Max: 8, Workers: 2, held: map[string]int{"a": 1}}
	b.pending = calls()
	got := b.take()
	// 1 waits for "a"; 3 shares "b" with 1 and 5 shares "d" with 3: they keep their order.
	if want := []string{"2", "4", "6"}; !slices.Equal(names(got), want) {
		t.Errorf("batch %v, want %v", names(got), want)
	}
	if want := []string{"1", "3", "5"}; !slices.Equal(names(b.pending), want) {
		t.Errorf("queue %v, want %v", names(b.pending), want)
	}
	if b.held["c"] != 1 || b.held["e"] != 1 || b.held["f"] != 1 || b.held["a"] != 1 {
		t.Errorf("held %v", b.held)
	}
	// Everything queued waits: an empty batch.
	if again := b.take(); len(again) != 0 {
		t.Errorf("second batch %v, want none (1 waits for a, 3 and 5 for 1)", names(again))
	}
	b.release(got)
	if b.held["c"] != 0 || len(b.held) != 1 {
		t.Errorf("held after release %v, want only a", b.held)
	}
	b.held = map[string]int{}
	if got := b.take(); !slices.Equal(names(got), []string{"1", "3", "5"}) {
		t.Errorf("once free, batch %v, want [1 3 5]", names(got))
	}

	// Max bounds a batch; what follows stays queued in order.
	b = &Batcher{Max: 2, Workers: 2, held: map[string]int{"a": 1}}
	b.pending = calls()
	if got := b.take(); !slices.Equal(names(got), []string{"2", "4"}) || !slices.Equal(names(b.pending), []string{"1", "3", "5", "6"}) {
		t.Errorf("Max 2: batch %v, queue %v", names(got), names(b.pending))
	}
	// One worker: the first Max records, keys or not.
	b = &Batcher{Max: 4, Workers: 1, held: map[string]int{"a": 1}}
	b.pending = calls()
	if got := b.take(); !slices.Equal(names(got), []string{"1", "2", "3", "4"}) {
		t.Errorf("one worker: batch %v", names(got))
	}
}

// TestBatcherWorkersDoNotWaitForEachOther: on PostgreSQL two workers write batches at
// once, and no two transactions running together lock a common key (they would wait
// for each other); every record is written.
func TestBatcherWorkersDoNotWaitForEachOther(t *testing.T) {
	ctx := context.Background()
	r := rules.Default()
	rs, st := postgresResolver(t, r)
	w := &lockWatch{Store: st}
	rs.Store = w
	recs := synthtest.Normalized(t, r, synth.Config{N: 600, DupRate: 0.3, Seed: 8})
	b := &Batcher{Resolver: rs, Max: 16, Workers: 2}
	var mu sync.Mutex
	failed := 0
	for i, rec := range recs {
		b.Submit(ctx, rec, fmt.Sprint("test:", i), func(_ Outcome, err error) {
			if err != nil {
				mu.Lock()
				failed++
				mu.Unlock()
				t.Error(err)
			}
		})
	}
	b.Wait()
	if failed > 0 {
		t.Fatalf("%d records failed", failed)
	}
	stats, err := st.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if stats.SourceRecords != int64(len(recs)) {
		t.Errorf("%d source records, want %d", stats.SourceRecords, len(recs))
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.overlaps > 0 {
		t.Errorf("%d transactions locked a key another running transaction held", w.overlaps)
	}
	if w.most < 2 {
		t.Errorf("at most %d transactions ran at once: the two workers never wrote together", w.most)
	}
	t.Logf("%d records, %d transactions, at most %d at once", len(recs), w.txs, w.most)
}

// lockWatch is a store that watches its transactions' key locks: overlaps counts the
// transactions that locked a key a running one holds, most the transactions that ran
// at once.
type lockWatch struct {
	warehouse.Store
	mu                  sync.Mutex
	running             map[*watchedTx]bool
	overlaps, most, txs int
}

func (w *lockWatch) InTx(ctx context.Context, fn func(warehouse.Tx) error) error {
	return w.Store.InTx(ctx, func(tx warehouse.Tx) error {
		wt := &watchedTx{Tx: tx, w: w, keys: map[string]bool{}}
		defer wt.end()
		return fn(wt)
	})
}

type watchedTx struct {
	warehouse.Tx
	w    *lockWatch
	keys map[string]bool
}

// LockKeys notes the keys before it waits for them, as the transaction holds them from
// then on.
func (t *watchedTx) LockKeys(ctx context.Context, keys []string) error {
	w := t.w
	w.mu.Lock()
	if w.running == nil {
		w.running = map[*watchedTx]bool{}
	}
	if !w.running[t] {
		w.running[t] = true
		w.txs++
		w.most = max(w.most, len(w.running))
	}
	for other := range w.running {
		if other == t {
			continue
		}
		if slices.ContainsFunc(keys, func(k string) bool { return other.keys[k] }) {
			w.overlaps++
		}
	}
	for _, k := range keys {
		t.keys[k] = true
	}
	w.mu.Unlock()
	if err := t.Tx.LockKeys(ctx, keys); err != nil {
		return err
	}
	// Each transaction holds its keys a little longer than the resolver needs on an
	// idle machine: on a loaded one (CI) a worker's short transaction could end before
	// the other's began every time, and "never wrote together" would say nothing of the
	// Batcher.
	time.Sleep(3 * time.Millisecond)
	return nil
}

func (t *watchedTx) end() {
	t.w.mu.Lock()
	defer t.w.mu.Unlock()
	delete(t.w.running, t)
}

// TestBatcherPreparesWithItsLockKeys: with several workers the Batcher computes each
// record's blocking keys once, for its lock keys, and the batch's preparation uses them
// (the same slices) instead of computing them again; with one worker it computes none
// up front, and the preparation computes the same keys.
func TestBatcherPreparesWithItsLockKeys(t *testing.T) {
	rs, _ := sqliteResolver(t, rules.Default())
	recs := synthtest.Normalized(t, rules.Default(), synth.Config{N: 20, Seed: 3})[:3]
	ctx := context.Background()
	for _, workers := range []int{1, 2} {
		b := &Batcher{Resolver: rs, Workers: workers}
		var batch []*call
		for i, r := range recs {
			batch = append(batch, b.newCall(ctx, r, fmt.Sprint("p", i), nil))
		}
		p := b.prepare(batch, false)
		if p.err != nil {
			t.Fatal(p.err)
		}
		for i, c := range batch {
			want := rs.Engine.BlockKeys(recs[i].Norm)
			if len(want) == 0 || !slices.Equal(p.blockKeys[i], want) {
				t.Fatalf("workers=%d: record %d prepared with keys %q, want %q", workers, i, p.blockKeys[i], want)
			}
			switch {
			case workers == 1 && (c.keys != nil || c.blockKeys != nil):
				t.Errorf("one worker: record %d has lock keys %q", i, c.keys)
			case workers > 1 && !slices.Equal(c.keys, rs.lockKeys(recs[i], want)):
				t.Errorf("record %d locks %q, want %q", i, c.keys, rs.lockKeys(recs[i], want))
			case workers > 1 && &p.blockKeys[i][0] != &c.blockKeys[0]:
				t.Errorf("record %d: its blocking keys were computed again", i)
			}
		}
	}
}
