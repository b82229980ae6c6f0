package resolve

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	stdjson "encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/segmentio/encoding/json"
	"github.com/steward-crm/steward/contact"
	"github.com/steward-crm/steward/internal/synthtest"
	"github.com/steward-crm/steward/rules"
	"github.com/steward-crm/steward/synth"
	"github.com/steward-crm/steward/warehouse"
	"github.com/steward-crm/steward/warehouse/sqlstore"
)

// pipelineStream is generated records with many duplicates (80 %, up to 6 records a
// person: candidates that the batch before has just written), newer versions and
// withdrawals.
func pipelineStream(t *testing.T, r *rules.Rules, seed int64) []*contact.Record {
	base := synthtest.Normalized(t, r, synth.Config{N: 500, Seed: seed, DupRate: 0.8, MaxPerEntity: 6})
	var out []*contact.Record
	for i, rec := range base {
		out = append(out, rec)
		switch {
		case i%13 == 7 && i > 10:
			prev := *base[i-5]
			prev.UpdatedAt = prev.UpdatedAt.Add(time.Hour)
			prev.JobTitle = "Director"
			prev.Norm = base[i-5].Norm
			out = append(out, &prev)
		case i%19 == 11:
			del := *base[i-1]
			del.Op = contact.OpDelete
			out = append(out, &del)
		}
	}
	return out
}

// TestPipelinedBatcherMatchesRecordAtATime resolves a stream dense in duplicates through
// a pipelined Batcher (each batch prepared while the one before is written) at small
// batch sizes, with and without linger, under each matching mode, and compares outcomes,
// source rows, masters and review items with record-at-a-time resolution.
func TestPipelinedBatcherMatchesRecordAtATime(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct{ am, oi bool }{{false, false}, {true, false}, {true, true}} {
		for _, seed := range []int64{2} {
			r := matchRules(c.am, c.oi, 0)
			recs := pipelineStream(t, r, seed)
			var reused int
			run := func(size int, pipelined bool, linger time.Duration) ([]Outcome, map[string]string) {
				rs, st := sqliteResolver(t, r)
				rs.oneByOne = !pipelined
				outs := make([]Outcome, len(recs))
				if pipelined {
					bt := &Batcher{Resolver: rs, Max: size, Workers: 1, Linger: linger, OnPrefetch: func(u, _ int) { reused += u }}
					outs = submitAll(t, bt, recs)
				} else {
					for i, rec := range recs {
						o, err := rs.Resolve(ctx, rec, fmt.Sprint("p", i))
						if err != nil {
							t.Fatal(err)
						}
						outs[i] = o
					}
				}
				return outs, warehouseTables(t, st.DB())
			}
			one, oneT := run(1, false, 0)
			for _, size := range []int{2, 17} {
				for _, linger := range []time.Duration{0, time.Millisecond} {
					reused = 0
					got, gotT := run(size, true, linger)
					if reused == 0 {
						t.Errorf("am=%v oi=%v seed=%d size=%d linger=%v: no record was scored before its transaction", c.am, c.oi, seed, size, linger)
					}
					t.Logf("am=%v oi=%v seed=%d size=%d linger=%v: %d records scored before their transaction", c.am, c.oi, seed, size, linger, reused)
					for i := range recs {
						a, b := one[i], got[i]
						if a.Action != b.Action || a.MasterID != b.MasterID || a.Reviews != b.Reviews || (a.Score == nil) != (b.Score == nil) || (a.Score != nil && a.Score.Weight != b.Score.Weight) {
							t.Errorf("am=%v oi=%v seed=%d size=%d: record %d: %+v vs %+v", c.am, c.oi, seed, size, i, a, b)
							break
						}
					}
					for name, want := range oneT {
						if gotT[name] != want {
							t.Errorf("am=%v oi=%v seed=%d size=%d: %s differ: %s", c.am, c.oi, seed, size, name, firstDiff(want, gotT[name]))
						}
					}
				}
			}
		}
	}
}

// panickyPrefetch is a SQLite store whose Prefetch panics, counting its transactions.
type panickyPrefetch struct {
	*sqlstore.Store
	txs *int
}

func (p panickyPrefetch) Prefetch(context.Context, warehouse.CandidateQuery) (*warehouse.Prefetched, bool) {
	panic("prefetch bug")
}

func (p panickyPrefetch) InTx(ctx context.Context, fn func(tx warehouse.Tx) error) error {
	*p.txs++
	return p.Store.InTx(ctx, fn)
}

// TestPrefetchPanicCostsOnlyTheHeadStart: a panic while preparing a batch (an
// optimization) must not fail the batch, which would be retried one record per
// transaction without anyone knowing: the batch is read in its transaction instead, and
// the panic is counted.
func TestPrefetchPanicCostsOnlyTheHeadStart(t *testing.T) {
	ctx := context.Background()
	r := rules.Default()
	rs, st := sqliteResolver(t, r)
	recs := synthtest.Normalized(t, r, synth.Config{N: 200, Seed: 3})
	txs := 0
	rs.Store = panickyPrefetch{st, &txs}
	if _, err := rs.Resolve(ctx, recs[0], "p0"); err != nil { // reads the index
		t.Fatal(err)
	}
	bt := &Batcher{Resolver: rs, Max: 50, Workers: 1}
	if !bt.pipelined() {
		t.Fatal("not pipelined")
	}
	panics := prefetchPanics.Load()
	txs = 0
	for i, rec := range recs[1:] {
		bt.Submit(ctx, rec, fmt.Sprint("p", i+1), func(o Outcome, err error) {
			if err != nil {
				t.Errorf("record %d: %v", i+1, err)
			}
		})
	}
	bt.Wait()
	if n := prefetchPanics.Load() - panics; n == 0 {
		t.Error("the prefetch panics were not counted")
	}
	if txs > 10 {
		t.Errorf("%d records took %d transactions: batches failed and were retried record by record", len(recs)-1, txs)
	}
	var rows int
	if err := st.DB().QueryRow(`SELECT COUNT(*) FROM source_records`).Scan(&rows); err != nil || rows != len(recs) {
		t.Errorf("%d source rows (%v), want %d", rows, err, len(recs))
	}
}

// TestHashIsTheStandardEncoding: a stored record's hash (Hash) tells an unchanged record
// sent again, so the bytes hashed must be encoding/json's, or every record would look
// changed once after an upgrade; records are encoded by segmentio/encoding/json
// (contact.Encode, which cuts out the zero updated_at that encoder writes despite
// omitzero). Checked on generated records, some without updated_at and some with
// attributes, and their decoding with segmentio gives the same record back.
func TestHashIsTheStandardEncoding(t *testing.T) {
	recs := synthtest.Normalized(t, rules.Default(), synth.Config{N: 3000, Seed: 3, Corruption: 1, DupRate: 0.35, MaxPerEntity: 5})
	for i, r := range recs {
		if i%3 == 0 {
			r.UpdatedAt = time.Time{}
		}
		if i%5 == 0 {
			r.Attributes = map[string]any{"loyalty": "gold", "orders": 3.0, "tags": []any{"b2b", "vip"}}
		}
		c := *r
		c.Norm = nil
		// Hash leaves out an op or kind spelt out as its default.
		if c.Op == contact.OpUpsert {
			c.Op = ""
		}
		if c.Kind == contact.KindPerson {
			c.Kind = ""
		}
		std, err := stdjson.Marshal(&c)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(std)
		if h, err := Hash(r); err != nil || h != hex.EncodeToString(sum[:16]) {
			t.Fatalf("record %d: Hash %s (%v), encoding/json's %x\n%s", i, h, err, sum[:16], std)
		}
		full, _ := stdjson.Marshal(r)
		var back contact.Record
		if err := json.Unmarshal(full, &back); err != nil {
			t.Fatalf("record %d: %v", i, err)
		}
		if again, _ := stdjson.Marshal(&back); !bytes.Equal(again, full) {
			t.Fatalf("record %d decoded differs:\n%s\n%s", i, full, again)
		}
	}
}

// warehouseTables returns the warehouse's source rows, masters and review items as text
// by table, to compare two runs.
func warehouseTables(t *testing.T, db *sql.DB) map[string]string {
	t.Helper()
	tables := map[string]string{}
	for name, q := range map[string]string{
		"source rows": `SELECT source || ':' || source_id || ' m' || COALESCE(master_id, 0) || ' ' || hash || ' d' || deleted || ' ' || position || ' ' || record FROM source_records ORDER BY source, source_id`,
		"masters":     `SELECT id || ' v' || version || ' ' || status || ' ' || golden FROM masters ORDER BY id`,
		"reviews":     `SELECT kind || ' ' || source_key || ' m' || master_id || ' c' || candidate_id || ' ' || score FROM review_items ORDER BY id`,
		// Change events, but for the masters' timestamps (those of each run's writes).
		"outbox": `SELECT topic || ' ' || key || ' ' || json_remove(payload, '$.master.created_at', '$.master.updated_at') FROM outbox ORDER BY id`,
	} {
		tables[name] = dump(t, db, q)
	}
	return tables
}

// submitAll resolves recs through bt, record i at position "p<i>", and returns their
// outcomes once all are written (an error fails the test).
func submitAll(t testing.TB, bt *Batcher, recs []*contact.Record) []Outcome {
	t.Helper()
	outs := make([]Outcome, len(recs))
	for i, rec := range recs {
		bt.Submit(context.Background(), rec, fmt.Sprint("p", i), func(o Outcome, err error) {
			if err != nil {
				t.Errorf("record %d: %v", i, err)
			}
			outs[i] = o
		})
	}
	bt.Wait()
	return outs
}

// matchRules returns the default rules with auto_merge and order_independent as given,
// and max_block_size maxBlock when it is above 0.
func matchRules(autoMerge, orderIndependent bool, maxBlock int) *rules.Rules {
	r := rules.Default()
	r.Match.AutoMerge, r.Match.OrderIndependent = autoMerge, orderIndependent
	if maxBlock > 0 {
		r.Match.MaxBlockSize = maxBlock
	}
	return r
}
