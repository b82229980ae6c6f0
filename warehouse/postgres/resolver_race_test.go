package postgres

import (
	"context"
	"encoding/json"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/steward-crm/steward/contact"
	"github.com/steward-crm/steward/internal/pgtest"
	"github.com/steward-crm/steward/pipeline/match"
	"github.com/steward-crm/steward/pipeline/stages"
	rsv "github.com/steward-crm/steward/resolve"
	"github.com/steward-crm/steward/rules"
	"github.com/steward-crm/steward/warehouse"
)

type hookStore struct {
	warehouse.Store
	hook func(string)
}

func (s *hookStore) InTx(ctx context.Context, fn func(warehouse.Tx) error) error {
	return s.Store.InTx(ctx, func(tx warehouse.Tx) error { return fn(&hookTx{tx, s.hook}) })
}

type hookTx struct {
	warehouse.Tx
	hook func(string)
}

func (t *hookTx) LockKeys(ctx context.Context, keys []string) error {
	t.hook("lock")
	return t.Tx.LockKeys(ctx, keys)
}
func (t *hookTx) Members(ctx context.Context, id int64) ([]warehouse.SourceRow, error) {
	t.hook("members")
	return t.Tx.Members(ctx, id)
}

func norm(t *testing.T, js string) *contact.Record {
	r := rules.Default()
	nc, _, err := stages.Chains(r)
	if err != nil {
		t.Fatal(err)
	}
	var rec contact.Record
	if err := json.Unmarshal([]byte(js), &rec); err != nil {
		t.Fatal(err)
	}
	if err := nc.Process(context.Background(), &rec); err != nil {
		t.Fatal(err)
	}
	return &rec
}

func barrierAt(point string, n int) func(string) {
	var wg sync.WaitGroup
	wg.Add(n)
	var mu sync.Mutex
	count := 0
	return func(p string) {
		if p != point {
			return
		}
		mu.Lock()
		count++
		first := count <= n
		mu.Unlock()
		if first {
			wg.Done()
			done := make(chan struct{})
			go func() { wg.Wait(); close(done) }()
			select {
			case <-done:
			case <-time.After(2 * time.Second):
				// With the resolver's locks the second transaction cannot reach the
				// point while the first holds it: the barrier gives up, as it should.
			}
		}
	}
}

// The tests below pause two resolver transactions at the same point (a barrier in a
// Store wrapper) to reproduce races that only PostgreSQL's concurrent writers allow.

// TestResolverSameRecordTwiceConcurrently: one record delivered to two consumers at once
// yields one master and one source record (no orphan master).
func TestResolverSameRecordTwiceConcurrently(t *testing.T) {
	eng, _ := match.New(rules.Default())
	url := pgtest.URL(t)
	hook := barrierAt("lock", 2)
	a, b := &hookStore{open(t, url), hook}, &hookStore{open(t, url), hook}
	rec := `{"source":"w","source_id":"1","given_name":"Élodie","family_name":"Martin","emails":["elodie.martin@example.fr"]}`
	var wg sync.WaitGroup
	for _, s := range []warehouse.Store{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := (&rsv.Resolver{Store: s, Engine: eng}).Resolve(context.Background(), norm(t, rec), "p"); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	st, _ := a.Stats(context.Background())
	if st.Masters != 1 || st.SourceRecords != 1 {
		t.Errorf("active masters %d, source records %d; want 1 and 1", st.Masters, st.SourceRecords)
	}
}

// TestResolverNoLostGoldenUpdate: two records linking to one master through different
// keys at the same time both end up in its golden record.
func TestResolverNoLostGoldenUpdate(t *testing.T) {
	r := rules.Default()
	eng, _ := match.New(r)
	url := pgtest.URL(t)
	ctx := context.Background()
	plain := open(t, url)
	seed := norm(t, `{"source":"w","source_id":"1","given_name":"Élodie","family_name":"Martin","emails":["elodie.martin@example.fr"],"phones":["+33 6 12 34 56 78"]}`)
	o, err := (&rsv.Resolver{Store: plain, Engine: eng}).Resolve(ctx, seed, "p")
	if err != nil {
		t.Fatal(err)
	}
	hook := barrierAt("members", 2)
	a, b := &hookStore{open(t, url), hook}, &hookStore{open(t, url), hook}
	recs := []string{
		`{"source":"w","source_id":"2","family_name":"Martin","emails":["elodie.martin@example.fr"],"job_title":"CTO","birth_date":"1980-01-02"}`,
		`{"source":"w","source_id":"3","given_name":"Élodie","family_name":"Martin","phones":["+33 6 12 34 56 78"],"job_title":"Directrice"}`,
	}
	var wg sync.WaitGroup
	for i, s := range []warehouse.Store{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := (&rsv.Resolver{Store: s, Engine: eng}).Resolve(ctx, norm(t, recs[i]), "p"); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	plain.InTx(ctx, func(tx warehouse.Tx) error {
		m, _ := tx.Master(ctx, o.MasterID)
		rows, _ := tx.Members(ctx, o.MasterID)
		var members []*contact.Record
		for i := range rows {
			members = append(members, rows[i].Record)
		}
		want := match.Survive(members, r.Survivorship)
		gj, _ := json.Marshal(m.Golden)
		wj, _ := json.Marshal(want)
		if len(rows) != 3 || !reflect.DeepEqual(m.Golden, want) {
			t.Errorf("members %d, golden up to date: %v\nstored %s\nwant   %s", len(rows), reflect.DeepEqual(m.Golden, want), gj, wj)
		}
		return nil
	})
}
