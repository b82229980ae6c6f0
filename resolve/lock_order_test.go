package resolve

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/steward-crm/steward/contact"
	"github.com/steward-crm/steward/rules"
	"github.com/steward-crm/steward/warehouse"
)

// Two masters of one person: A (Élodie by e-mail, a2 with a mobile and a birth date) and
// B (Elodie by phone, b2 with an e-mail address and an address in Lyon). Each of the
// records below links to one and bridges it to the other (a merge item), and no two of
// them share a blocking key, so their transactions run side by side.
const (
	lockA1 = `{"source":"web","source_id":"A1","given_name":"Élodie","family_name":"Weiningkamp","emails":["e.weiningkamp@example.fr"]}`
	lockA2 = `{"source":"web","source_id":"A2","given_name":"Élodie","family_name":"Weiningkamp","emails":["e.weiningkamp@example.fr"],"phones":["+33 6 98 76 54 32"],"birth_date":"1985-03-02"}`
	lockB1 = `{"source":"crm","source_id":"B1","given_name":"Elodie","family_name":"Weiningkamp","phones":["+33 6 12 34 56 78"]}`
	lockB2 = `{"source":"crm","source_id":"B2","given_name":"Elodie","family_name":"Weiningkamp","phones":["+33 6 12 34 56 78"],"emails":["elo.w@example.com"],"address":{"lines":["12 rue des Lilas"],"postcode":"69003","city":"Lyon"}}`
	// toAViaB joins A (its e-mail) and resembles B (B's mobile): it locks A, then B.
	toAViaB = `{"source":"erp","source_id":"R1","given_name":"Elodie","family_name":"Weiningkamp","emails":["e.weiningkamp@example.fr"],"phones":["+33 6 12 34 56 78"]}`
	// toBViaA joins B (its e-mail and address) and resembles A (a2's mobile and birth
	// date): it locks B, then A.
	toBViaA = `{"source":"shop","source_id":"R2","family_name":"Weiningkamp","emails":["elo.w@example.com"],"phones":["+33 6 98 76 54 32"],"birth_date":"1985-03-02","address":{"lines":["12 rue des Lilas"],"postcode":"69003","city":"Lyon"}}`
	// a1WithBsMobile is a1's newer version with B's mobile: it stays in A and resembles B.
	a1WithBsMobile = `{"source":"web","source_id":"A1","given_name":"Élodie","family_name":"Weiningkamp","emails":["e.weiningkamp@example.fr"],"phones":["+33 6 12 34 56 78"]}`
)

// masterLockStore pauses each transaction after its first read of masters under lock
// (MastersByID, Master) at a meeting point shared with another store, and counts the
// attempts and the deadlocks (SQLSTATE 40P01) its transactions ran into.
type masterLockStore struct {
	warehouse.Store
	meet      func()
	attempts  *atomic.Int32
	deadlocks *atomic.Int32
}

func (s *masterLockStore) InTx(ctx context.Context, fn func(warehouse.Tx) error) error {
	return s.Store.InTx(ctx, func(tx warehouse.Tx) error {
		s.attempts.Add(1)
		err := fn(&masterLockTx{Tx: tx, s: s})
		var pe *pgconn.PgError
		if errors.As(err, &pe) && pe.Code == "40P01" {
			s.deadlocks.Add(1)
		}
		return err
	})
}

type masterLockTx struct {
	warehouse.Tx
	s      *masterLockStore
	locked bool
}

func (t *masterLockTx) MastersByID(ctx context.Context, ids []int64) (map[int64]*contact.Master, error) {
	ms, err := t.Tx.MastersByID(ctx, ids)
	t.first()
	return ms, err
}

func (t *masterLockTx) Master(ctx context.Context, id int64) (*contact.Master, error) {
	m, err := t.Tx.Master(ctx, id)
	t.first()
	return m, err
}

func (t *masterLockTx) first() {
	if !t.locked {
		t.locked = true
		t.s.meet()
	}
}

// meeting returns a function that holds each of its first n callers until all n have
// called it, or for wait at most: a transaction that waits for a lock the first caller
// holds never comes, and the first goes on alone.
func meeting(n int, wait time.Duration) func() {
	var mu sync.Mutex
	count := 0
	all := make(chan struct{})
	return func() {
		mu.Lock()
		count++
		c := count
		mu.Unlock()
		switch {
		case c == n:
			close(all)
		case c < n:
			select {
			case <-all:
			case <-time.After(wait):
			}
		}
	}
}

// TestConcurrentBridgesLockMastersInOrder: two transactions on PostgreSQL, each of which
// locks masters A and B (the master a record joins or stays in, and the candidate of its
// merge item), one coming from A and the other from B, with no blocking key in common.
// Both hold their first master when they ask for the second: they must ask in the same
// order (no deadlock, which PostgreSQL breaks after deadlock_timeout by aborting one, run
// again by InTx), and the pair ends with one open merge item.
func TestConcurrentBridgesLockMastersInOrder(t *testing.T) {
	for _, c := range []struct {
		name     string
		oneByOne bool
		setup    []string
		records  [2]string
	}{
		{"two new records", false, nil, [2]string{toAViaB, toBViaA}},
		{"two new records, record at a time", true, nil, [2]string{toAViaB, toBViaA}},
		{"an update and a new record", false, nil, [2]string{a1WithBsMobile, toBViaA}},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			r := rules.Default()
			plain, st := postgresResolver(t, r)
			outs := resolveAll(t, plain, r, lockA1, lockA2, lockB1, lockB2)
			a, b := outs[0].MasterID, outs[2].MasterID
			if outs[1].MasterID != a || outs[3].MasterID != b || a == b {
				t.Fatalf("setup: masters %d %d %d %d, want A A B B", outs[0].MasterID, outs[1].MasterID, outs[2].MasterID, outs[3].MasterID)
			}
			meet := meeting(2, 2*time.Second)
			var attempts, deadlocks atomic.Int32
			recs := normalized(t, r, c.records[0], c.records[1])
			got := make([]Outcome, 2)
			var wg sync.WaitGroup
			for i := range recs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					s := &masterLockStore{Store: st, meet: meet, attempts: &attempts, deadlocks: &deadlocks}
					rs := &Resolver{Store: s, Engine: plain.Engine, oneByOne: c.oneByOne}
					var err error
					if got[i], err = rs.Resolve(ctx, recs[i], fmt.Sprint("p", i)); err != nil {
						t.Error(err)
					}
				}()
			}
			wg.Wait()
			if d, n := deadlocks.Load(), attempts.Load(); d != 0 || n != 2 {
				t.Errorf("%d deadlock(s), %d transaction attempts; want 0 and 2 (masters locked in one order)", d, n)
			}
			if got[0].MasterID != a || got[1].MasterID != b {
				t.Errorf("outcomes %+v and %+v; want the first in master %d, the second in %d", got[0], got[1], a, b)
			}
			if items := mergeReviewRows(t, st); len(items) == 0 || items != fmt.Sprintf("merge %s m%d c%d open\n", recs[0].Key(), a, b) &&
				items != fmt.Sprintf("merge %s m%d c%d open\n", recs[1].Key(), b, a) {
				t.Errorf("review items:\n%s\nwant one open merge item between %d and %d", items, a, b)
			}
		})
	}
}
