package resolve

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/steward-crm/steward/contact"
	"github.com/steward-crm/steward/internal/gctune"
	"github.com/steward-crm/steward/internal/measure"
	"github.com/steward-crm/steward/internal/synthtest"
	"github.com/steward-crm/steward/pipeline/match"
	"github.com/steward-crm/steward/rules"
	"github.com/steward-crm/steward/synth"
	"github.com/steward-crm/steward/warehouse"
	"github.com/steward-crm/steward/warehouse/sqlite"
)

// BenchmarkResolveStreaming resolves new records, batch by batch, against a warehouse of
// STEWARD_BENCH_MASTERS masters (default 20 000; the figure is for 1 000 000:
// ~1.5 million records), built once and cached in the temp directory
// (steward-bench-Nmasters-TAG.db, TAG naming the
// match rules and features codec it was built with: a warehouse built under other
// rules holds other blocking keys and masters). Each run works on a
// copy of the cached file, so that runs start from the same warehouse and can be
// compared. Blocking index lookups, scoring, survivorship, audit and outbox writes are
// included.
func BenchmarkResolveStreaming(b *testing.B) {
	// The collector as steward's commands set it (internal/gctune: GOGC 50 once the
	// memory index makes the live heap large), unless GOGC is set.
	if os.Getenv("GOGC") == "" {
		gctune.Floor(gctune.DefaultFloor)
		defer gctune.Floor(0)
	}
	r := benchRules(b)
	rs := benchResolver(b, r)
	ctx := context.Background()
	// The cases: batches resolved one after the other (ResolveBatch), and through a
	// Batcher with one worker, as `steward ingest` writes: it prepares each batch
	// (candidates read, records scored) while the one before it is written.
	// The case resolve-only does the part of each batch that decides, without the
	// transaction that writes: the records' keys, their candidates read from the
	// warehouse's blocking index (the memory index of the million masters) and scored,
	// each ranked and encoded for storage. Nothing is written, so a record never sees
	// the records of the batches before it: it measures the engine and the index
	// lookups, which the target names, apart from the warehouse's writes.
	type benchCase struct {
		batch                          int
		noEvents, batcher, resolveOnly bool
	}
	cases := []benchCase{{1, false, false, false}, {100, false, false, false}, {100, true, false, false}, {100, false, true, false}, {100, true, true, false}, {100, false, false, true}}
	// STEWARD_BENCH_BATCH adds a case of that batch size (kafka.resolve_batch).
	if v, err := strconv.Atoi(os.Getenv("STEWARD_BENCH_BATCH")); err == nil && v > 0 {
		cases = append(cases, benchCase{v, false, false, false}, benchCase{v, false, true, false})
	}
	// A stream runs for hours: the figures are of its steady state. Before the clock
	// starts, benchWarmup records (STEWARD_BENCH_WARMUP, default 20 000; 0: none) are
	// resolved, so that the heap has grown to its working size: in the first 20 000
	// records after the index's load the process takes ~4 fresh pages per record from
	// the kernel (page faults, ~110 µs of system time per record against 1M masters),
	// which a process that has been running does not.
	warmup := 20000
	if v, err := strconv.Atoi(os.Getenv("STEWARD_BENCH_WARMUP")); err == nil && v >= 0 {
		warmup = v
	}
	if warmup > 0 {
		start := time.Now()
		recs := synthtest.Normalized(b, r, synth.Config{N: warmup, Seed: time.Now().UnixNano(), Sources: []string{fmt.Sprint("warmup", time.Now().UnixNano())}})
		if _, err := resolveInBatches(ctx, rs, recs, 100); err != nil {
			b.Fatal(err)
		}
		b.Logf("warm-up: %d records in %s", len(recs), time.Since(start).Round(time.Millisecond))
	}
	for _, c := range cases {
		batch, name := c.batch, fmt.Sprintf("batch=%d", c.batch)
		if c.noEvents {
			name += ",no-events" // ingest -no-events: no outbox rows
		}
		if c.batcher {
			name += ",batcher"
		}
		if c.resolveOnly {
			name += ",resolve-only"
		}
		b.Run(name, func(b *testing.B) {
			rs.NoEvents = c.noEvents
			defer func() { rs.NoEvents = false }()
			src := fmt.Sprintf("bench%d", time.Now().UnixNano())
			seed := time.Now().UnixNano()
			var recs []*contact.Record
			var genCPU, genSys time.Duration
			// Every record resolved is new (people the warehouse may or may not know):
			// more are generated, off the clock, when the benchmark needs them.
			next := func(i int) *contact.Record {
				for i >= len(recs) {
					b.StopTimer()
					c, sy := measure.CPUTime(), measure.SysTime()
					seed++
					recs = append(recs, synthtest.Normalized(b, r, synth.Config{N: 2000, Seed: seed, Sources: []string{fmt.Sprint(src, "-", seed)}})...)
					genCPU += measure.CPUTime() - c
					genSys += measure.SysTime() - sy
					b.StartTimer()
				}
				return recs[i]
			}
			if c.batcher || c.resolveOnly {
				// All generated before the clock starts: the Batcher writes behind.
				next(b.N*batch - 1)
				genCPU, genSys = 0, 0
			}
			b.ResetTimer()
			stopProfile := measure.Profile(b)
			cpu0, sys0 := measure.CPUTime(), measure.SysTime()
			r0, w0, wb0 := measure.IOCalls()
			done := 0
			if c.batcher {
				var reusedN, rereadN atomic.Int64
				bt := &Batcher{Resolver: rs, Max: batch, Workers: 1, OnPrefetch: func(reused, reread int) {
					reusedN.Add(int64(reused))
					rereadN.Add(int64(reread))
				}}
				// How many records the prefetch served (their keys and candidate masters
				// unchanged when their batch's transaction began), how many the transaction
				// read and scored again: ~14 % against 1M masters, most for a key that a
				// record of the batch before also holds.
				// Those read again keep their rankings of the masters that did not change
				// (kept) and score the others (rescored), or are scored from scratch.
				var keptN, rescoredN, scratchN atomic.Int64
				rs.onRewarm = func(kept, rescored, scratch int) {
					keptN.Add(int64(kept))
					rescoredN.Add(int64(rescored))
					scratchN.Add(int64(scratch))
				}
				defer func() {
					b.Logf("prefetch: %d records reused, %d read again (masters kept %d, scored again %d; %d records from scratch)",
						reusedN.Load(), rereadN.Load(), keptN.Load(), rescoredN.Load(), scratchN.Load())
				}()
				var failed atomic.Pointer[error]
				for i := range b.N * batch {
					bt.Submit(ctx, recs[i], "bench:"+strconv.Itoa(i), func(_ Outcome, err error) {
						if err != nil {
							failed.CompareAndSwap(nil, &err)
						}
					})
				}
				bt.Wait()
				if err := failed.Load(); err != nil {
					b.Fatal(*err)
				}
				done = b.N * batch
			} else if c.resolveOnly {
				positions := make([]string, batch)
				var scored int
				decisions := map[match.Decision]int{}
				for i := range b.N {
					chunk := recs[i*batch : (i+1)*batch]
					p := rs.prepare(ctx, chunk, positions, nil, true)
					if p.err != nil {
						b.Fatal(p.err)
					}
					if p.pre == nil {
						b.Fatal("the store read no candidates ahead of a transaction")
					}
					for _, w := range p.warm {
						if w == nil || w.k == nil {
							continue
						}
						scored++
						d := match.NewMaster
						if best := w.k.ranked(); len(best) > 0 {
							d = rs.Engine.Decide(best[0].probability())
						}
						decisions[d]++
					}
				}
				done = b.N * batch
				if scored != done {
					b.Fatalf("%d of %d records scored", scored, done)
				}
				b.Logf("decisions: %d linked, %d for review, %d new masters", decisions[match.Link], decisions[match.Review], decisions[match.NewMaster])
			} else {
				for range b.N {
					chunk := make([]*contact.Record, batch)
					for i := range chunk {
						chunk[i] = next(done + i)
					}
					if _, err := resolveInBatches(ctx, rs, chunk, batch); err != nil {
						b.Fatal(err)
					}
					done += batch
				}
			}
			stopProfile()
			r1, w1, wb1 := measure.IOCalls()
			b.ReportMetric(float64(done)/b.Elapsed().Seconds(), "records/s")
			// The database's file reads and writes per record (the log's frames, the
			// checkpoints' copies; the record generation's are a few): counts that the
			// machine's load does not change, ~3.5 µs each on the VM of the figures.
			b.ReportMetric(float64(r1-r0)/float64(done), "reads/record")
			b.ReportMetric(float64(w1-w0)/float64(done), "writes/record")
			b.ReportMetric(float64(wb1-wb0)/float64(done), "written-B/record")
			// CPU time per record (the process's user + system time, record generation
			// off the clock included, a few µs): steadier than wall time on a shared VM,
			// and it counts the work done on both cores.
			b.ReportMetric(float64((measure.CPUTime()-cpu0-genCPU).Microseconds())/float64(done), "cpu-µs/record")
			// The system's part of it (the database's file writes, page faults).
			b.ReportMetric(float64((measure.SysTime()-sys0-genSys).Microseconds())/float64(done), "sys-µs/record")
		})
	}
}

// benchRules returns the default rules, or with STEWARD_BENCH_MODEL set, the default
// rules directory with that model file (`steward train`) in it, loaded as a user's would
// be (its warehouse is built with it: another tag).
func benchRules(b *testing.B) *rules.Rules {
	p := os.Getenv("STEWARD_BENCH_MODEL")
	if p == "" {
		return rules.Default()
	}
	dir := b.TempDir()
	data, err := os.ReadFile(p)
	if err == nil {
		err = os.CopyFS(dir, os.DirFS(filepath.Join("..", "rules", "default")))
	}
	if err == nil {
		err = os.WriteFile(filepath.Join(dir, rules.ModelFile), data, 0o644)
	}
	var r *rules.Rules
	if err == nil {
		r, err = rules.LoadDir(dir)
	}
	if err != nil {
		b.Fatalf("STEWARD_BENCH_MODEL: %v", err)
	}
	return r
}

// benchResolver returns a resolver under rules r on a copy of the benchmarks' warehouse
// of STEWARD_BENCH_MASTERS masters (built and cached on first use), its blocking index
// read (closed with the benchmark).
func benchResolver(b *testing.B, r *rules.Rules) *Resolver {
	n := 20000
	if v, err := strconv.Atoi(os.Getenv("STEWARD_BENCH_MASTERS")); err == nil && v > 0 {
		n = v
	}
	eng, err := match.New(r)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	// "masters": until 2026-12-07 the cache held n records (~0.67 n masters).
	cached := filepath.Join(os.TempDir(), fmt.Sprintf("steward-bench-%dmasters-%s.db", n, benchRulesTag(b, r)))
	if _, err := os.Stat(cached); err != nil {
		buildBenchWarehouse(b, cached, n, r, eng)
	}
	path := filepath.Join(b.TempDir(), "w.db")
	if err := copyFile(cached, path); err != nil {
		b.Fatal(err)
	}
	st, err := sqlite.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	// The first transaction reads the blocking index into memory (SQLite): once per
	// process, off the clock, reported here.
	start := time.Now()
	if err := st.InTx(ctx, func(tx warehouse.Tx) error {
		_, err := tx.Candidates(ctx, warehouse.CandidateQuery{Keys: []string{"warm"}, MaxMasters: 1})
		return err
	}); err != nil {
		b.Fatal(err)
	}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.Logf("first read of the blocking index: %s; heap in use after it %d MiB", time.Since(start).Round(time.Millisecond), ms.HeapInuse>>20)
	return &Resolver{Store: st, Engine: eng}
}

// BenchmarkResolveStreamingAccuracy resolves a stream of generated records with
// duplicates (35 %, 2–5 records per entity, corruption 1: the dedupe accuracy test's
// data) through a Batcher against the benchmarks' warehouse, and reports the pairwise
// precision, recall and F1 of the masters the stream's records got against the
// generator's entities (pairs within the stream; a record linked to one of the
// warehouse's masters counts as linked_to_warehouse: 8.8 % against a million masters (~7 %
// against the 668 147 masters of the million records the benchmark built before), in
// one run 2 745 of 40 000, 2 173 of them to a master of the same name and e-mail address:
// the generator keeps mailboxes unique within one draw, not across the draws the
// warehouse was built from), with the throughput. STEWARD_BENCH_RECORDS records per iteration (default 40 000), a new draw
// each; STEWARD_BENCH_RULE_CAPS overrides rules' max_masters ("rule=n,...", 0: none),
// STEWARD_BENCH_CAP max_block_size, to measure what a cap costs; STEWARD_BENCH_MODEL a
// model file (`steward train`) applied over the default rules (its own warehouse, built
// with it):
//
//	STEWARD_BENCH_MASTERS=1000000 go test ./resolve -run '^$' -bench StreamingAccuracy -benchtime 1x
func BenchmarkResolveStreamingAccuracy(b *testing.B) {
	r := benchRules(b)
	tag := benchRulesTag(b, r) // the warehouse holds the same keys under any cap
	if v, err := strconv.Atoi(os.Getenv("STEWARD_BENCH_CAP")); err == nil && v > 0 {
		r.Match.MaxBlockSize = v
	}
	if caps := os.Getenv("STEWARD_BENCH_RULE_CAPS"); caps != "" {
		for _, kv := range strings.Split(caps, ",") {
			name, v, _ := strings.Cut(kv, "=")
			n, err := strconv.Atoi(v)
			i := slices.IndexFunc(r.Match.Blocking, func(br rules.BlockRule) bool { return br.Name == name })
			if err != nil || n < 0 || i < 0 {
				b.Fatalf("STEWARD_BENCH_RULE_CAPS: %q is not rule=n with a rule of the default rules", kv)
			}
			r.Match.Blocking[i].MaxMasters = n
		}
	}
	if benchRulesTag(b, r) != tag {
		b.Fatal("the caps changed the warehouse's tag")
	}
	rs := benchResolver(b, r)
	records := 40000
	if v, err := strconv.Atoi(os.Getenv("STEWARD_BENCH_RECORDS")); err == nil && v > 0 {
		records = v
	}
	pred, truth := map[string]string{}, map[string]string{}
	var linkedOld, done int
	var cpu time.Duration
	b.ResetTimer()
	for it := range b.N {
		b.StopTimer()
		// Seeds far from those the warehouse was built with (42 on), which would draw
		// its people again.
		seed := int64(1<<40 + it)
		recs := synthtest.Normalized(b, r, synth.Config{N: records, Seed: seed, DupRate: 0.35, MaxPerEntity: 5, Corruption: 1, Sources: []string{fmt.Sprint("accuracy", seed)}})
		b.StartTimer()
		cpu0 := measure.CPUTime()
		outs := submitAll(b, &Batcher{Resolver: rs, Max: 100, Workers: 1}, recs)
		cpu += measure.CPUTime() - cpu0
		b.StopTimer()
		if b.Failed() {
			b.FailNow()
		}
		// The stream's first new master: masters below it were the warehouse's.
		first := int64(math.MaxInt64)
		for _, o := range outs {
			if o.Action == ActionNewMaster {
				first = min(first, o.MasterID)
			}
		}
		for i, o := range outs {
			id := fmt.Sprint(it, ":", i)
			pred[id] = strconv.FormatInt(o.MasterID, 10)
			truth[id] = fmt.Sprint(seed, ":", recs[i].Attributes["entity_id"])
			if o.Action != ActionNewMaster && o.MasterID < first {
				linkedOld++
			}
		}
		done += len(recs)
		b.StartTimer()
	}
	m := match.Evaluate(pred, truth)
	b.ReportMetric(m.Precision, "precision")
	b.ReportMetric(m.Recall, "recall")
	b.ReportMetric(m.F1, "f1")
	b.ReportMetric(float64(linkedOld)/float64(done), "linked_to_warehouse/record")
	b.ReportMetric(float64(done)/b.Elapsed().Seconds(), "records/s")
	b.ReportMetric(float64(cpu.Microseconds())/float64(done), "cpu-µs/record")
	b.Logf("pairs: %d true positive, %d false positive, %d false negative", m.TruePositives, m.FalsePositives, m.FalseNegatives)
}

// buildBenchWarehouse resolves generated records into a new warehouse at path, through
// the resolver (masters of several records, as in production: ~1.5 records per master),
// until it holds n masters or more, in chunks of at most 20 000 records so that memory
// stays flat.
func buildBenchWarehouse(b *testing.B, path string, n int, r *rules.Rules, eng *match.Engine) {
	ctx := context.Background()
	tmp := path + ".building"
	os.Remove(tmp)
	st, err := sqlite.Open(ctx, tmp)
	if err != nil {
		b.Fatal(err)
	}
	rs := &Resolver{Store: st, Engine: eng}
	start := time.Now()
	done, masters := 0, 0
	for chunk := 0; masters < n; chunk++ {
		// The default rules merge nothing (auto_merge false): every new master stays.
		size := min(20000, (n-masters)*3/2+100)
		cfg := synth.Config{N: size, Seed: 42 + int64(chunk)}
		if chunk > 0 {
			cfg.Sources = []string{fmt.Sprint("base", chunk)}
		}
		recs := synthtest.Normalized(b, r, cfg)
		outs, err := resolveInBatches(ctx, rs, recs, 1000)
		if err != nil {
			st.Close()
			b.Fatal(err)
		}
		for _, o := range outs {
			if o.Action == ActionNewMaster {
				masters++
			}
			masters -= len(o.Merged)
		}
		done += size
		if n > 20000 {
			fmt.Fprintf(os.Stderr, "built %d of %d masters (%d records) in %s\n", masters, n, done, time.Since(start).Round(time.Second))
		}
	}
	if err := st.Close(); err != nil {
		b.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		b.Fatal(err)
	}
	b.Logf("built %s: %d masters of %d records in %s", path, masters, done, time.Since(start))
}

// copyFile copies a closed SQLite file (its WAL checkpointed into it at close).
func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	// Written through before the benchmark: a copy of a warehouse of a million masters
	// leaves a gigabyte of dirty pages, which the first checkpoints' fsync of the file
	// would write back on the clock (the system time per record varied from 27 to 95 µs
	// between runs of one binary).
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// resolveInBatches resolves recs in ResolveBatch calls of up to size records, record i
// at position "p<i>", and returns their outcomes.
func resolveInBatches(ctx context.Context, rs *Resolver, recs []*contact.Record, size int) ([]Outcome, error) {
	var outs []Outcome
	for lo := 0; lo < len(recs); lo += size {
		hi := min(lo+size, len(recs))
		pos := make([]string, hi-lo)
		for i := range pos {
			pos[i] = "p" + strconv.Itoa(lo+i)
		}
		o, err := rs.ResolveBatch(ctx, recs[lo:hi], pos)
		if err != nil {
			return nil, err
		}
		outs = append(outs, o...)
	}
	return outs, nil
}

// benchRulesTag is a short digest of the match rules and the features codec.
func benchRulesTag(tb testing.TB, r *rules.Rules) string {
	// The rules' own block caps are read at query time: a warehouse built under other
	// caps holds the same keys (its masters may differ a little).
	m := r.Match
	m.Blocking = slices.Clone(m.Blocking)
	for i := range m.Blocking {
		m.Blocking[i].MaxMasters = 0
	}
	b, err := json.Marshal(m)
	if err != nil {
		tb.Fatal(err)
	}
	// split_threshold bears on updates only, which a build has none of: left out, so that
	// the warehouses cached before it keep their tag.
	b = regexp.MustCompile(`"SplitThreshold":[^,}]*,?`).ReplaceAll(b, nil)
	sum := sha256.Sum256(append(b, match.FeaturesVersion...))
	return hex.EncodeToString(sum[:4])
}
