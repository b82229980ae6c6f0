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

	"github.com/steward-crm/steward/contact"
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
	q := warehouse.CandidateQuery{Keys: keyPool, MaxMasters: 3, FeaturesVersion: "f1|", KeyRows: true}
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

	rng := rand.New(rand.NewPCG(seed, 9))
	pick := func() []string {
		var ks []string
		for _, k := range keyPool {
			if rng.IntN(3) == 0 {
				ks = append(ks, k)
			}
		}
		return ks
	}
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

	var rows []*warehouse.SourceRow
	var masters []int64
	boom := errors.New("boom")
	for step := 0; step < 150; step++ {
		op := rng.IntN(5)
		if len(rows) < 2 {
			op = 0
		}
		rollback := rng.IntN(5) == 0
		before, okBefore := a.Prefetch(ctx, q)
		var during *warehouse.Prefetched
		var added *warehouse.SourceRow
		err := a.InTx(ctx, func(tx warehouse.Tx) error {
			// Read the index first, so that the transaction's changes go to a loaded one.
			if _, err := tx.Candidates(ctx, warehouse.CandidateQuery{Keys: keyPool[:1], MaxMasters: 3}); err != nil {
				return err
			}
			added = nil
			switch op {
			case 0: // a new record with its own master
				m := &contact.Master{}
				if err := tx.CreateMaster(ctx, m); err != nil {
					return err
				}
				id := fmt.Sprint(step)
				r := &contact.Record{Source: "web", SourceID: id, FamilyName: "x"}
				added = &warehouse.SourceRow{Source: "web", SourceID: id, Hash: "h", Record: r, MasterID: m.ID, Features: fmt.Sprint("f1|", step)}
				if err := tx.PutSourceRecord(ctx, added); err != nil {
					return err
				}
				if err := tx.AddBlockKeys(ctx, added.ID, pick()); err != nil {
					return err
				}
				if !rollback {
					masters = append(masters, m.ID)
				}
			case 1: // new keys for a record
				if err := tx.ReplaceBlockKeys(ctx, rows[rng.IntN(len(rows))].ID, pick()); err != nil {
					return err
				}
			case 2: // a record moves to another master, alone
				r := *rows[rng.IntN(len(rows))]
				r.MasterID = masters[rng.IntN(len(masters))]
				if err := tx.PutSourceRecord(ctx, &r); err != nil {
					return err
				}
			case 3: // several move in a batch
				var batch []*warehouse.SourceRow
				for _, i := range rng.Perm(len(rows))[:2] {
					r := *rows[i]
					r.MasterID = masters[rng.IntN(len(masters))]
					batch = append(batch, &r)
				}
				if err := tx.PutSourceRecords(ctx, batch); err != nil {
					return err
				}
			case 4: // a record is withdrawn (its keys go) or comes back with new features
				r := *rows[rng.IntN(len(rows))]
				r.Deleted = rng.IntN(2) == 0
				r.Features = fmt.Sprint("f1|v", step)
				if err := tx.PutSourceRecord(ctx, &r); err != nil {
					return err
				}
				var keys []string
				if !r.Deleted {
					keys = pick()
				}
				if err := tx.ReplaceBlockKeys(ctx, r.ID, keys); err != nil {
					return err
				}
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
			rows = append(rows, added)
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
	if known := a.Known([]warehouse.SourceKey{{Source: "web", SourceID: rows[0].SourceID}, {Source: "web", SourceID: "never"}, {Source: "we", SourceID: "b" + rows[0].SourceID}}); !slices.Equal(known, []bool{true, false, false}) {
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
		return tx.AddBlockKeys(ctx, rows[0].ID, []string{"email:other@x.fr"})
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
