package resolve

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/steward-crm/steward/contact"
	"github.com/steward-crm/steward/internal/par"
	"github.com/steward-crm/steward/internal/synthtest"
	"github.com/steward-crm/steward/pipeline"
	"github.com/steward-crm/steward/pipeline/stages"
	"github.com/steward-crm/steward/synth"
)

// TestBatcherGroupsConcurrentRecords: records submitted concurrently are written in
// shared transactions (fewer batches than records), each caller gets its own outcome,
// and the warehouse ends as a one-at-a-time run leaves it: same masters for the same
// people.
func TestBatcherGroupsConcurrentRecords(t *testing.T) {
	for _, workers := range []int{1, 3} {
		t.Run(fmt.Sprint("workers=", workers), func(t *testing.T) { testBatcherGroups(t, workers) })
	}
}

func testBatcherGroups(t *testing.T, workers int) {
	rs, r, st := resolver(t, false)
	nc, ic, err := stages.Chains(r)
	if err != nil {
		t.Fatal(err)
	}
	var recs []*contact.Record
	for i := range 40 {
		// 20 people, each sent by two sources with the same e-mail.
		line := fmt.Sprintf(`{"source":"s%d","source_id":"%d","given_name":"Person%c","family_name":"Batchtest%c","emails":["p%d@example.org"]}`,
			i%2, i, 'a'+rune(i/2%26), 'a'+rune(i/2%26), i/2)
		rec, err := contact.Decode([]byte(line))
		if err != nil {
			t.Fatal(err)
		}
		if err := nc.Process(context.Background(), rec); err != nil {
			t.Fatal(err)
		}
		if err := ic.Process(context.Background(), rec); err != nil {
			t.Fatal(err)
		}
		recs = append(recs, rec)
	}
	var mu sync.Mutex
	var sizes []int
	b := &Batcher{Resolver: rs, Max: 8, Workers: workers, OnBatch: func(n int) { mu.Lock(); sizes = append(sizes, n); mu.Unlock() }}
	// The first of each pair first, concurrently; then the second ones.
	outs := make([]Outcome, len(recs))
	for pass := range 2 {
		var wg sync.WaitGroup
		for i := pass; i < len(recs); i += 2 {
			wg.Go(func() {
				o, err := b.Resolve(context.Background(), recs[i], fmt.Sprint("test:", i))
				if err != nil {
					t.Error(err)
				}
				outs[i] = o
			})
		}
		wg.Wait()
	}
	for i := 0; i < len(recs); i += 2 {
		if outs[i].Action != ActionNewMaster || outs[i+1].Action != ActionLinked || outs[i+1].MasterID != outs[i].MasterID {
			t.Errorf("person %d: outcomes %+v / %+v", i/2, outs[i], outs[i+1])
		}
	}
	if len(sizes) >= len(recs) {
		t.Errorf("%d batches for %d concurrent records: nothing was grouped (%v)", len(sizes), len(recs), sizes)
	}
	total := 0
	for _, n := range sizes {
		if n > 8 {
			t.Errorf("batch of %d > Max 8", n)
		}
		total += n
	}
	if total != len(recs) {
		t.Errorf("batches hold %d records, want %d", total, len(recs))
	}
	stats, err := st.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if stats.SourceRecords != 40 || stats.Masters != 20 {
		t.Errorf("warehouse: %d source records, %d masters; want 40, 20", stats.SourceRecords, stats.Masters)
	}
	t.Logf("batch sizes: %v", sizes)
}

// TestBatcherIsolatesFailures: a record that cannot be resolved fails alone; the records
// that shared its batch are written.
func TestBatcherIsolatesFailures(t *testing.T) {
	rs, r, st := resolver(t, false)
	recs := normalized(t, r,
		`{"source":"web","source_id":"1","given_name":"Ann","family_name":"Goodrecord","emails":["ann@example.org"]}`,
		`{"source":"web","source_id":"2","given_name":"Bob","family_name":"Badrecord"}`)
	recs[1].Attributes = map[string]any{"score": math.Inf(1)} // JSON cannot hold it: hashing fails
	var sizes []int
	var mu sync.Mutex
	b := &Batcher{Resolver: rs, OnBatch: func(n int) { mu.Lock(); sizes = append(sizes, n); mu.Unlock() }}
	errs := make([]error, 2)
	// Mark the batcher busy so that both records queue, then let it write them as one
	// batch.
	var wg sync.WaitGroup
	b.mu.Lock()
	b.running = 1
	b.mu.Unlock()
	for i := range recs {
		wg.Go(func() { _, errs[i] = b.Resolve(context.Background(), recs[i], fmt.Sprint("t:", i)) })
	}
	for {
		b.mu.Lock()
		n := len(b.pending)
		b.mu.Unlock()
		if n == 2 {
			break
		}
		runtime.Gosched()
	}
	go b.loop()
	wg.Wait()
	if errs[0] != nil || errs[1] == nil {
		t.Fatalf("good record error %v, bad record error %v", errs[0], errs[1])
	}
	if len(sizes) != 1 || sizes[0] != 2 {
		t.Errorf("batches %v, want one of 2 (retried record by record after its failure)", sizes)
	}
	stats, err := st.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if stats.SourceRecords != 1 {
		t.Errorf("%d source records stored, want the good one", stats.SourceRecords)
	}
}

// TestBatcherSubmitWritesBehindInOrder: records submitted without waiting (write-behind,
// the embedded ingest) are written in the order submitted, in batches that linger to
// fill, with a bounded queue, each write holding a core (par.Reserve); each callback gets the record's own outcome, in order; a
// record that cannot be written reports its error; and the warehouse ends exactly as
// resolving the records one at a time leaves it.
func TestBatcherSubmitWritesBehindInOrder(t *testing.T) {
	rs, r, st := resolver(t, false)
	recs := synthtest.Normalized(t, r, synth.Config{N: 600, Seed: 9, DupRate: 0.35})
	bad := *recs[100]
	bad.Attributes = map[string]any{"score": math.Inf(1)} // JSON cannot hold it: hashing fails
	recs[100] = &bad
	var mu sync.Mutex
	var sizes, order []int
	unreserved := 0 // pipelined writes (of more than one record) that held no core
	outs := make([]Outcome, len(recs))
	errs := make([]error, len(recs))
	b := &Batcher{Resolver: rs, Max: 64, Workers: 1, Queue: 100, Linger: 20 * time.Millisecond,
		OnBatch: func(n int) {
			mu.Lock()
			defer mu.Unlock()
			sizes = append(sizes, n)
			if n > 1 && par.Reserved() < 1 {
				unreserved++
			}
		}}
	for i, rec := range recs {
		b.Submit(context.Background(), rec, fmt.Sprint("p", i), func(o Outcome, err error) {
			mu.Lock()
			defer mu.Unlock()
			order = append(order, i)
			outs[i], errs[i] = o, err
		})
	}
	b.Wait()
	if len(order) != len(recs) || !slices.IsSorted(order) {
		t.Fatalf("callbacks: %d, in order %v", len(order), slices.IsSorted(order))
	}
	for i, err := range errs {
		if (err != nil) != (i == 100) {
			t.Errorf("record %d: err %v", i, err)
		}
	}
	if len(sizes) > len(recs)/8 {
		t.Errorf("%d batches for %d records: they did not fill (%v)", len(sizes), len(recs), sizes)
	}
	// Each pipelined write kept a core from the preparing of the next batch, and gave
	// it back.
	if unreserved > 0 || par.Reserved() != 0 {
		t.Errorf("%d of %d writes held no core; %d cores still reserved after the last", unreserved, len(sizes), par.Reserved())
	}

	// The same records one at a time, into another warehouse: same outcomes, same rows.
	one, _, st1 := resolver(t, false)
	for i, rec := range recs {
		o, err := one.Resolve(context.Background(), rec, fmt.Sprint("p", i))
		if (err != nil) != (i == 100) {
			t.Fatalf("one at a time, record %d: %v", i, err)
		}
		if err == nil && (o.Action != outs[i].Action || o.MasterID != outs[i].MasterID) {
			t.Errorf("record %d: one at a time %+v, write-behind %+v", i, o, outs[i])
		}
	}
	q := `SELECT source || ':' || source_id || ' m' || master_id || ' ' || hash FROM source_records ORDER BY source, source_id`
	if a, b := dump(t, st.(interface{ DB() *sql.DB }).DB(), q), dump(t, st1.(interface{ DB() *sql.DB }).DB(), q); a != b {
		t.Errorf("source rows differ:\n%s", firstDiff(b, a))
	}
	t.Logf("%d records in %d batches", len(recs), len(sizes))
}

// TestBatcherLingerWithWorkers: lingering loops on several workers never write an empty
// batch (two loops waking at once: one takes every record), and every record is written.
func TestBatcherLingerWithWorkers(t *testing.T) {
	rs, r, _ := resolver(t, false)
	recs := synthtest.Normalized(t, r, synth.Config{N: 40, Seed: 4})
	var mu sync.Mutex
	var sizes []int
	b := &Batcher{Resolver: rs, Max: 64, Workers: 2, Linger: 30 * time.Millisecond, OnBatch: func(n int) {
		mu.Lock()
		sizes = append(sizes, n)
		mu.Unlock()
	}}
	written := 0
	for round := range 3 {
		for i, rec := range recs[round*10 : round*10+10] {
			b.Submit(context.Background(), rec, fmt.Sprint("p", round, i), func(_ Outcome, err error) {
				if err != nil {
					t.Error(err)
				}
				mu.Lock()
				written++
				mu.Unlock()
			})
		}
		time.Sleep(10 * time.Millisecond) // both loops linger
	}
	b.Wait()
	if written != 30 {
		t.Errorf("%d records written, want 30", written)
	}
	sum := 0
	for _, n := range sizes {
		if n == 0 {
			t.Errorf("an empty batch was written (batch sizes %v)", sizes)
		}
		sum += n
	}
	if sum != 30 {
		t.Errorf("batch sizes %v add up to %d, want 30", sizes, sum)
	}
}

// TestBatcherTurnsPanicIntoRecordError: a record whose resolution panics (on the
// Batcher's goroutine, out of the handler's recoverer) fails alone with an error that
// says it is a data problem; the records of its batch are written.
func TestBatcherTurnsPanicIntoRecordError(t *testing.T) {
	rs, r, _ := resolver(t, false)
	rs.Quality = func(_ contact.Golden, members []*contact.Record) int {
		for _, m := range members {
			if m.FamilyName == "Panicking" {
				panic("quality of a bad record\nwith a stack")
			}
		}
		return 1
	}
	recs := normalized(t, r,
		`{"source":"web","source_id":"1","given_name":"Ann","family_name":"Fine","emails":["ann@example.org"]}`,
		`{"source":"web","source_id":"2","given_name":"Bob","family_name":"Panicking"}`,
		`{"source":"web","source_id":"3","given_name":"Cid","family_name":"Alsofine"}`)
	b := &Batcher{Resolver: rs, Max: 8, Linger: time.Second}
	errs := make([]error, len(recs))
	for i, rec := range recs {
		b.Submit(context.Background(), rec, fmt.Sprint("p", i), func(_ Outcome, err error) { errs[i] = err })
	}
	b.Wait()
	if errs[0] != nil || errs[2] != nil {
		t.Errorf("the fine records failed: %v, %v", errs[0], errs[2])
	}
	if !errors.Is(errs[1], pipeline.ErrInvalidRecord) || !strings.Contains(errs[1].Error(), "panic: quality of a bad record") || !strings.Contains(errs[1].Error(), "(at batcher_test.go:") || strings.Contains(errs[1].Error(), "stack") {
		t.Errorf("panicking record: %v", errs[1])
	}
}

// TestBatcherResolveEndsLinger: a record queued by Resolve (a caller waits for it) ends
// the linger of submitted records: it is written at once, not after Linger.
func TestBatcherResolveEndsLinger(t *testing.T) {
	rs, r, _ := resolver(t, false)
	recs := synthtest.Normalized(t, r, synth.Config{N: 4, Seed: 5})
	b := &Batcher{Resolver: rs, Max: 64, Linger: time.Hour}
	b.Submit(context.Background(), recs[0], "p0", func(_ Outcome, err error) {
		if err != nil {
			t.Error(err)
		}
	})
	time.Sleep(20 * time.Millisecond) // the loop lingers on the submitted record
	done := make(chan error, 1)
	go func() {
		_, err := b.Resolve(context.Background(), recs[1], "p1")
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Resolve waited for the linger (an hour)")
	}
	b.Wait()
}
