package sqlite

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/steward-crm/steward/warehouse"
)

// TestPrefetchChangesAreSound drives a store through random additions, key replacements,
// moves between masters, withdrawals and rolled-back transactions, and prefetches its
// candidates before each transaction and in the middle of it (after its writes, before
// its commit or rollback: what a resolver preparing the next batch can read). After the
// transaction, whatever the changes since a prefetch do not name must be as the
// prefetch read it: a key's masters, skip and key rows, a master's rows. Meanwhile other
// goroutines prefetch without pause (for the race detector).
func TestPrefetchChangesAreSound(t *testing.T) {
	seeds := []uint64{3, 17}
	if raceEnabled {
		seeds = seeds[:1]
	}
	for _, seed := range seeds {
		t.Run(fmt.Sprint("seed=", seed), func(t *testing.T) { prefetchChangesAreSound(t, seed) })
	}
}

func prefetchChangesAreSound(t *testing.T, seed uint64) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "w.db")
	a, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	keyPool := []string{"name:martin", "name:durand", "name:petit", "email:a@x.fr", "email:b@x.fr", "phone:+33612345678", "pc:75011|12"}
	// Name keys have a cap of their own (rules match.blocking[].max_masters), below the
	// others', e-mail keys one above it.
	q := warehouse.CandidateQuery{Keys: keyPool, MaxMasters: 3, RuleMaxMasters: map[string]int{"name": 2, "email": 4}, FeaturesVersion: "f1|", KeyRows: true}
	if _, ok := a.Prefetch(ctx, q); ok {
		t.Fatal("a prefetch before the index was read succeeded")
	}

	stop := make(chan struct{})
	var wg sync.WaitGroup
	var background atomic.Int64
	for range 2 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				if _, ok := a.Prefetch(ctx, q); ok {
					background.Add(1)
				}
				time.Sleep(50 * time.Microsecond)
			}
		})
	}
	defer func() { close(stop); wg.Wait() }()

	w := &walk{rng: rand.New(rand.NewPCG(seed, 9)), keyPool: keyPool}
	// check asserts, in a transaction of its own, that what Changes does not name is as
	// pre read it.
	checked := 0
	check := func(step int, when string, pre *warehouse.Prefetched) {
		t.Helper()
		err := a.InTx(ctx, func(tx warehouse.Tx) error {
			ch, ok := tx.(warehouse.ChangeTracker).Changes(pre)
			if !ok {
				return fmt.Errorf("the changes since the prefetch %s are not known", when)
			}
			now, err := tx.Candidates(ctx, q)
			if err != nil {
				return err
			}
			for _, k := range keyPool {
				if ch.Key(k) {
					continue
				}
				if !slices.Equal(now.Masters[k], pre.Set.Masters[k]) || slices.Contains(now.Skipped, k) != slices.Contains(pre.Set.Skipped, k) || !slices.Equal(now.KeyRows[k], pre.Set.KeyRows[k]) {
					return fmt.Errorf("key %s unchanged by the changes, but its masters went from %v (key rows %v) to %v (key rows %v)", k, pre.Set.Masters[k], pre.Set.KeyRows[k], now.Masters[k], now.KeyRows[k])
				}
			}
			for m, rows := range pre.Set.Rows {
				if ch.Master(m) {
					continue
				}
				if _, found := now.Rows[m]; !found {
					// No longer a candidate: the keys that found it must have changed
					// (one went over the cap, say).
					for k, ms := range pre.Set.Masters {
						if slices.Contains(ms, m) && !ch.Key(k) {
							return fmt.Errorf("master %d is no longer found, but key %s that found it is unchanged by the changes", m, k)
						}
					}
					continue
				}
				if fmt.Sprint(now.Rows[m]) != fmt.Sprint(rows) {
					return fmt.Errorf("master %d unchanged by the changes, but its rows went from %v to %v", m, rows, now.Rows[m])
				}
			}
			checked++
			return nil
		})
		if err != nil {
			t.Fatalf("step %d: %v", step, err)
		}
	}

	boom := errors.New("boom")
	for step := 0; step < 150; step++ {
		op := w.rng.IntN(5)
		if len(w.rows) < 2 {
			op = 0
		}
		rollback := w.rng.IntN(5) == 0
		before, okBefore := a.Prefetch(ctx, q)
		var during *warehouse.Prefetched
		var added *warehouse.SourceRow
		err := a.InTx(ctx, func(tx warehouse.Tx) error {
			// Read the index first, so that the transaction's changes go to a loaded one.
			if _, err := tx.Candidates(ctx, warehouse.CandidateQuery{Keys: keyPool[:1], MaxMasters: 3}); err != nil {
				return err
			}
			var err error
			if added, err = w.step(ctx, tx, op, step, rollback); err != nil {
				return err
			}
			// What the next batch's preparation reads while this one is being written.
			var ok bool
			if during, ok = a.Prefetch(ctx, q); !ok {
				return fmt.Errorf("a prefetch during the transaction failed")
			}
			if rollback {
				return boom
			}
			return nil
		})
		if err != nil && !errors.Is(err, boom) {
			t.Fatalf("step %d: %v", step, err)
		}
		if err == nil && added != nil {
			w.rows = append(w.rows, added)
		}
		if okBefore {
			check(step, "before the transaction", before)
		}
		if during != nil {
			check(step, "during the transaction", during)
		}
	}
	if checked < 200 || background.Load() == 0 {
		t.Errorf("%d prefetches checked, %d background prefetches: too few", checked, background.Load())
	}

	// Known tells the records the warehouse holds (a hint that lets a resolver skip
	// preparing updates and repeats) from those it does not.
	if known := a.Known([]warehouse.SourceKey{{Source: "web", SourceID: w.rows[0].SourceID}, {Source: "web", SourceID: "never"}, {Source: "we", SourceID: "b" + w.rows[0].SourceID}}); !slices.Equal(known, []bool{true, false, false}) {
		t.Errorf("Known = %v, want [true false false]", known)
	}

	// A prefetch of an index read again (another store wrote the file) is void.
	pre, ok := a.Prefetch(ctx, q)
	if !ok {
		t.Fatal("prefetch failed")
	}
	b, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	err = b.InTx(ctx, func(tx warehouse.Tx) error {
		return tx.AddBlockKeys(ctx, w.rows[0].ID, []string{"email:other@x.fr"})
	})
	if err != nil {
		t.Fatal(err)
	}
	err = a.InTx(ctx, func(tx warehouse.Tx) error {
		if _, ok := tx.(warehouse.ChangeTracker).Changes(pre); ok {
			t.Error("the changes since a prefetch are known after another store wrote the file")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
