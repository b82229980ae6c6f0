package resolve

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/steward-crm/steward/contact"
	"github.com/steward-crm/steward/rules"
	"github.com/steward-crm/steward/warehouse"
	"github.com/steward-crm/steward/warehouse/sqlstore"
)

// errInjected fails a transaction after its work (differentialRun).
var errInjected = errors.New("injected")

// hookStore runs hook inside each transaction after its work (what the pipelined
// Batcher's preparation of the next batch can read), then fails it when fail is set.
type hookStore struct {
	*sqlstore.Store
	hook func()
	fail bool
}

func (h *hookStore) InTx(ctx context.Context, fn func(tx warehouse.Tx) error) error {
	return h.Store.InTx(ctx, func(tx warehouse.Tx) error {
		err := fn(tx)
		if h.hook != nil {
			h.hook()
		}
		if err == nil && h.fail {
			return errInjected
		}
		return err
	})
}

// differentialRun resolves recs in batches of size through prepare and commit, as the
// Batcher does: with prefetch, each batch is prepared while the one before is written
// (during: inside its transaction, after its writes, before its commit; else before it
// begins); every failEvery-th batch's transaction fails after its work and its records
// are resolved one at a time, as Batcher.write does. It returns the outcomes, the
// warehouse's source rows, masters and review items as text, and the records whose
// prefetch was used.
func differentialRun(t *testing.T, r *rules.Rules, recs []*contact.Record, size int, prefetch bool, during bool, failEvery int) ([]Outcome, map[string]string, int) {
	ctx := context.Background()
	rs, st := sqliteResolver(t, r)
	hs := &hookStore{Store: st}
	rs.Store = hs
	// read the index once
	if _, err := rs.Resolve(ctx, recs[0], "p0"); err != nil {
		t.Fatal(err)
	}
	outs := make([]Outcome, len(recs))
	reused := 0
	reusedp := &reused
	var batches [][]int
	for i := 1; i < len(recs); i += size {
		var b []int
		for j := i; j < min(i+size, len(recs)); j++ {
			b = append(b, j)
		}
		batches = append(batches, b)
	}
	prep := func(b []int, pf bool) *prepared {
		rr := make([]*contact.Record, len(b))
		pos := make([]string, len(b))
		for k, j := range b {
			rr[k], pos[k] = recs[j], fmt.Sprint("p", j)
		}
		pp := rs.prepare(ctx, rr, pos, nil, pf)
		if pf {
			pp.report = func(u, _ int) { *reusedp += u }
		}
		return pp
	}
	var next *prepared
	for n, b := range batches {
		p := next
		if p == nil {
			p = prep(b, false)
		}
		next = nil
		hs.hook = nil
		if prefetch && n+1 < len(batches) {
			nb := batches[n+1]
			if during {
				hs.hook = func() { next = prep(nb, true) }
			} else {
				next = prep(nb, true)
			}
		}
		hs.fail = failEvery > 0 && n%failEvery == failEvery-1
		o, err := rs.commit(ctx, p)
		hs.hook, hs.fail = nil, false
		if err == nil {
			for k, j := range b {
				outs[j] = o[k]
			}
		} else {
			if !errors.Is(err, errInjected) {
				t.Fatalf("batch %d: %v", n, err)
			}
			for _, j := range b {
				o, err := rs.Resolve(ctx, recs[j], fmt.Sprint("p", j))
				if err != nil {
					t.Fatal(err)
				}
				outs[j] = o
			}
		}
	}
	return outs, warehouseTables(t, st.DB()), reused
}

// TestPrefetchChangesNothing: resolving a stream (duplicates, updates, deletes) with
// each batch prepared while the one before is written gives the same outcomes, source
// rows, masters and review items as without any prefetch, whether the preparing reads
// before the write or in the middle of it, with transactions that fail and are redone
// record by record, auto-merge and order independence on or off, and keys over a small
// cap. (Written by a review of the prefetch's coherence.)
func TestPrefetchChangesNothing(t *testing.T) {
	configs := []struct {
		am, oi bool
		cap    int
	}{{false, false, 0}, {true, false, 0}, {true, true, 0}, {false, false, 2}, {true, true, 3}}
	seeds, sizes := []int64{2, 5}, []int{3, 8}
	if raceEnabled {
		configs, seeds, sizes = configs[len(configs)-1:], seeds[:1], sizes[1:]
	}
	for _, c := range configs {
		for _, seed := range seeds {
			r := matchRules(c.am, c.oi, c.cap)
			recs := pipelineStream(t, r, seed)
			for _, size := range sizes {
				for _, failEvery := range []int{0, 3} {
					ref, refT, _ := differentialRun(t, r, recs, size, false, false, failEvery)
					for _, during := range []bool{false, true} {
						got, gotT, reused := differentialRun(t, r, recs, size, true, during, failEvery)
						name := fmt.Sprintf("am=%v oi=%v cap=%d seed=%d size=%d fail=%d during=%v", c.am, c.oi, c.cap, seed, size, failEvery, during)
						if reused == 0 {
							t.Errorf("%s: no record's prefetch was used", name)
						}
						for i := range recs {
							a, b := ref[i], got[i]
							if a.Action != b.Action || a.MasterID != b.MasterID || a.Reviews != b.Reviews || (a.Score == nil) != (b.Score == nil) || (a.Score != nil && a.Score.Weight != b.Score.Weight) {
								t.Errorf("%s: record %d: %+v vs %+v", name, i, a, b)
								break
							}
						}
						for n, want := range refT {
							if gotT[n] != want {
								t.Errorf("%s: %s differ: %s", name, n, firstDiff(want, gotT[n]))
							}
						}
					}
				}
			}
		}
	}
}
