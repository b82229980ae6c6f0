package resolve

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/steward-crm/steward/contact"
	"github.com/steward-crm/steward/internal/synthtest"
	"github.com/steward-crm/steward/pipeline/stages"
	"github.com/steward-crm/steward/rules"
	"github.com/steward-crm/steward/synth"
)

// streamWithChanges is generated records (duplicates included) followed, interleaved, by
// what a real stream also carries: exact redeliveries, newer versions, older versions,
// withdrawals, withdrawals of unknown records, and a record twice in a row.
func streamWithChanges(t *testing.T, r *rules.Rules) []*contact.Record {
	t.Helper()
	base := synthtest.Normalized(t, r, synth.Config{N: 700, Seed: 2})
	var out []*contact.Record
	for i, rec := range base {
		out = append(out, rec)
		switch {
		case i%17 == 5: // redelivered at once
			out = append(out, rec)
		case i%23 == 7 && i > 10: // a newer version of an earlier record
			prev := *base[i-9]
			prev.UpdatedAt = prev.UpdatedAt.Add(time.Hour)
			prev.JobTitle = "Director"
			prev.Norm = base[i-9].Norm
			out = append(out, &prev)
		case i%29 == 3 && i > 10: // an older version: stale
			prev := *base[i-4]
			prev.UpdatedAt = prev.UpdatedAt.Add(-time.Hour)
			prev.JobTitle = "Clerk"
			out = append(out, &prev)
		case i%31 == 11: // withdrawn
			del := *base[i-1]
			del.Op = contact.OpDelete
			out = append(out, &del)
		case i%37 == 2: // withdrawal of a record never seen
			del := *rec
			del.SourceID += "-unknown"
			del.Op = contact.OpDelete
			out = append(out, &del)
		}
	}
	return out
}

// TestBatchesMatchRecordAtATime resolves one stream three ways: record at a time (the
// statement-per-step path), and set-based one record per transaction and in batches of
// 40. Outcomes, master ids, clusters, golden records, audit events, outbox events, review
// items and block keys must be identical. With auto_merge, records that bridge masters
// merge them (on the record-at-a-time path, the others set-based).
func TestBatchesMatchRecordAtATime(t *testing.T) {
	for _, c := range []struct{ autoMerge, orderIndependent bool }{{false, false}, {true, false}, {true, true}} {
		t.Run(fmt.Sprintf("auto_merge=%v,order_independent=%v", c.autoMerge, c.orderIndependent), func(t *testing.T) {
			r := rules.Default()
			r.Match.AutoMerge, r.Match.OrderIndependent = c.autoMerge, c.orderIndependent
			batchesMatchRecordAtATime(t, r)
		})
	}
}

func batchesMatchRecordAtATime(t *testing.T, r *rules.Rules) {
	batchesMatchRecordAtATimeOn(t, r, streamWithChanges(t, r))
}

// TestBatchesMatchRecordAtATimeLifecycle is TestBatchesMatchRecordAtATime on a stream
// that also carries the rest of a source record's life: newer versions whose blocking
// keys change (a new e-mail address), records sent again after their withdrawal (with
// another address; those whose withdrawal retired their master get it back), and
// withdrawals repeated later.
func TestBatchesMatchRecordAtATimeLifecycle(t *testing.T) {
	for _, c := range []struct{ autoMerge, orderIndependent bool }{{false, false}, {true, false}, {true, true}} {
		t.Run(fmt.Sprintf("auto_merge=%v,order_independent=%v", c.autoMerge, c.orderIndependent), func(t *testing.T) {
			r := rules.Default()
			r.Match.AutoMerge, r.Match.OrderIndependent = c.autoMerge, c.orderIndependent
			outs, tables := batchesMatchRecordAtATimeOn(t, r, streamWithLifecycle(t, r))
			if !strings.Contains(tables["events"], "restore m") {
				t.Error("the stream restored no master to a record that came back")
			}
			queued := 0
			for _, o := range outs {
				if o.Action == ActionUpdated && o.Reviews > 0 {
					queued++
				}
			}
			if closed := strings.Count(tables["reviews"], " superseded source record updated"); queued == 0 || closed == 0 {
				t.Errorf("updates queued review items for %d records and closed %d items: the stream does not exercise both", queued, closed)
			}
		})
	}
}

// streamWithLifecycle is streamWithChanges with, for some records, a newer version with
// another e-mail address (other blocking keys) or with the e-mail addresses and phones of
// an earlier record besides its own (it may now match another master), and for some
// withdrawals, the record sent again later with another address, or withdrawn again
// later.
func streamWithLifecycle(t *testing.T, r *rules.Rules) []*contact.Record {
	t.Helper()
	nc, ic, err := stages.Chains(r)
	if err != nil {
		t.Fatal(err)
	}
	// normalized returns a newer version of rec (d later) with e-mails and phones,
	// normalized again.
	normalized := func(rec *contact.Record, d time.Duration, emails, phones []string) *contact.Record {
		v := *rec
		v.Norm, v.Op = nil, ""
		v.UpdatedAt = rec.UpdatedAt.Add(d)
		v.Emails, v.Phones = emails, phones
		if err := nc.Process(context.Background(), &v); err != nil {
			t.Fatal(err)
		}
		if err := ic.Process(context.Background(), &v); err != nil {
			t.Fatal(err)
		}
		return &v
	}
	// version returns a newer version of rec (d later) with another e-mail address.
	version := func(rec *contact.Record, d time.Duration, n int) *contact.Record {
		return normalized(rec, d, []string{fmt.Sprintf("moved%d.%s@example.org", n, strings.ToLower(strings.ReplaceAll(rec.SourceID, " ", "")))}, rec.Phones)
	}
	// borrowing returns a newer version of rec (d later) that adds from's e-mail
	// addresses and phones to its own.
	borrowing := func(rec, from *contact.Record, d time.Duration) *contact.Record {
		return normalized(rec, d, append(slices.Clone(rec.Emails), from.Emails...), append(slices.Clone(rec.Phones), from.Phones...))
	}
	in := streamWithChanges(t, r)
	last := map[string]*contact.Record{} // the last upsert of each key
	var later [][2]any                   // records to insert: position, record
	for i, rec := range in {
		k := rec.Key()
		switch {
		case rec.EffectiveOp() == contact.OpDelete && last[k] != nil:
			if i%2 == 0 {
				later = append(later, [2]any{i + 15, version(last[k], 2*time.Hour, i)})
			} else {
				again := *rec
				again.UpdatedAt = rec.UpdatedAt.Add(3 * time.Hour)
				later = append(later, [2]any{i + 5, &again})
			}
		case rec.EffectiveOp() != contact.OpDelete && last[k] != nil && i%7 == 3:
			later = append(later, [2]any{i + 3, version(rec, 90*time.Minute, i)})
		case rec.EffectiveOp() != contact.OpDelete && i%13 == 4 && i > 30 && in[i-25].EffectiveOp() != contact.OpDelete:
			later = append(later, [2]any{i + 2, borrowing(rec, in[i-25], 80*time.Minute)})
		}
		if rec.EffectiveOp() != contact.OpDelete {
			last[k] = rec
		}
	}
	var out []*contact.Record
	for i, rec := range in {
		out = append(out, rec)
		for _, l := range later {
			if l[0].(int) == i {
				out = append(out, l[1].(*contact.Record))
			}
		}
	}
	return out
}

// batchesMatchRecordAtATimeOn checks that recs leave the same warehouse every way, and
// returns the outcomes and the tables as record at a time left them.
func batchesMatchRecordAtATimeOn(t *testing.T, r *rules.Rules, recs []*contact.Record) ([]Outcome, map[string]string) {
	autoMerge := r.Match.AutoMerge
	ctx := context.Background()
	type result struct {
		outs   []Outcome
		tables map[string]string
	}
	// run resolves the stream in transactions of size records; pipelined, through a
	// Batcher that prepares each batch while the one before is written, which counts
	// the records it scored before their transaction (reused) and again in it (reread).
	var reused, reread int
	run := func(size int, oneByOne, pipelined bool) result {
		rs, st := sqliteResolver(t, r)
		rs.oneByOne = oneByOne
		var res result
		if pipelined {
			bt := &Batcher{Resolver: rs, Max: size, Workers: 1, OnPrefetch: func(u, r int) { reused, reread = reused+u, reread+r }}
			if !bt.pipelined() {
				t.Fatal("the Batcher does not pipeline on SQLite")
			}
			res.outs = submitAll(t, bt, recs)
		} else {
			var err error
			if res.outs, err = resolveInBatches(ctx, rs, recs, size); err != nil {
				t.Fatal(err)
			}
		}
		db := st.DB()
		// The review queue never names a retired master, nor a master against itself.
		var stale, merged int
		if err := db.QueryRow(`SELECT COUNT(*) FROM review_items ri JOIN masters m ON m.id IN (ri.master_id, ri.candidate_id)
WHERE ri.status = 'open' AND m.status = 'merged'`).Scan(&stale); err != nil || stale != 0 {
			t.Errorf("%d open review items name a merged master (%v)", stale, err)
		}
		if err := db.QueryRow(`SELECT COUNT(*) FROM review_items WHERE note LIKE 'master % merged into %'`).Scan(&merged); err != nil {
			t.Fatal(err)
		}
		if autoMerge && merged == 0 && size == 1 && oneByOne {
			t.Error("no review item was closed by a merge: the stream does not exercise it")
		}
		res.tables = map[string]string{}
		for name, q := range map[string]string{
			"source rows": `SELECT source || ':' || source_id || ' m' || COALESCE(master_id, 0) || ' ' || hash || ' d' || deleted || ' ' || position || ' ' || COALESCE(features, '') FROM source_records ORDER BY source, source_id`,
			"masters":     `SELECT id || ' v' || version || ' ' || status || ' q' || quality || ' ' || golden FROM masters ORDER BY id`,
			"events":      `SELECT kind || ' m' || master_id || ' o' || other_id || ' ' || source_key || ' ' || score FROM merge_events ORDER BY id`,
			"outbox":      `SELECT key || ' ' || json_extract(payload, '$.version') || ' ' || json_extract(payload, '$.status') || ' ' || json_extract(payload, '$.cause') || ' ' || json_extract(payload, '$.master.golden') FROM outbox ORDER BY id`,
			"reviews":     `SELECT kind || ' ' || source_key || ' m' || master_id || ' c' || candidate_id || ' ' || company_key || ' ' || score || ' ' || status || ' ' || COALESCE(note, '') FROM review_items ORDER BY id`,
			"block keys":  `SELECT s.source || ':' || s.source_id || ' m' || rk.master_id || ' ' || rk.keys FROM row_keys rk JOIN source_records s ON s.id = rk.source_row_id ORDER BY 1`,
		} {
			res.tables[name] = dump(t, db, q)
		}
		return res
	}
	one := run(1, true, false)
	actions := map[Action]int{}
	for _, o := range one.outs {
		actions[o.Action]++
	}
	for _, a := range []Action{ActionNewMaster, ActionLinked, ActionUpdated, ActionUnchanged, ActionStale, ActionWithdrawn} {
		if actions[a] == 0 {
			t.Errorf("the stream exercised no %s record: %v", a, actions)
		}
	}
	for _, table := range []string{"reviews", "outbox", "events"} {
		if strings.Count(one.tables[table], "\n") == 0 {
			t.Errorf("the stream left no %s to compare", table)
		}
	}
	if merges := strings.Count(one.tables["events"], "merge m"); autoMerge != (merges > 0) {
		t.Errorf("auto_merge %v: %d merge events", autoMerge, merges)
	}
	// The pipelined run must have used what it prepared, and read again what the
	// batch before it changed.
	pipelined := run(40, false, true)
	if reused == 0 || reread == 0 {
		t.Errorf("pipelined: %d records scored before their transaction, %d read again in it: want both", reused, reread)
	}
	t.Logf("pipelined: %d records scored before their transaction, %d read again in it", reused, reread)
	for _, c := range []struct {
		name string
		res  result
	}{{"set-based, 1 per transaction", run(1, false, false)}, {"set-based, 40 per transaction", run(40, false, false)}, {"set-based, 40 per transaction, pipelined", pipelined}} {
		for i := range recs {
			a, b := one.outs[i], c.res.outs[i]
			if a.Action != b.Action || a.MasterID != b.MasterID || a.Reviews != b.Reviews || !slices.Equal(a.SkippedKeys, b.SkippedKeys) || (a.Score == nil) != (b.Score == nil) ||
				(a.Score != nil && a.Score.Weight != b.Score.Weight) {
				t.Errorf("%s: record %d (%s): record at a time %+v, set-based %+v", c.name, i, recs[i].Key(), a, b)
			}
		}
		for name, want := range one.tables {
			if got := c.res.tables[name]; got != want {
				t.Errorf("%s: %s differ:\n%s", c.name, name, firstDiff(want, got))
			}
		}
	}
	t.Logf("%d records: %v; %d review items, %d merges", len(recs), actions, strings.Count(one.tables["reviews"], "\n"), strings.Count(one.tables["events"], "merge m"))
	return one.outs, one.tables
}

// dump returns a query's single text column, one row per line.
func dump(t *testing.T, db *sql.DB, q string) string {
	t.Helper()
	rows, err := db.Query(q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		b.WriteString(s)
		b.WriteByte('\n')
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range max(len(al), len(bl)) {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y {
			return fmt.Sprintf("line %d:\n  record at a time: %s\n  set-based:        %s", i+1, x, y)
		}
	}
	return ""
}
