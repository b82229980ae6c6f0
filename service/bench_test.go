package service

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/steward-crm/steward/contact"
	"github.com/steward-crm/steward/input"
	"github.com/steward-crm/steward/internal/gctune"
	"github.com/steward-crm/steward/internal/measure"
	"github.com/steward-crm/steward/internal/pgtest"
	"github.com/steward-crm/steward/internal/synthtest"
	"github.com/steward-crm/steward/pipeline/match"
	"github.com/steward-crm/steward/resolve"
	"github.com/steward-crm/steward/synth"
	"github.com/steward-crm/steward/warehouse"
	"github.com/steward-crm/steward/warehouse/sqlstore"
)

// preload fills the warehouse with n masters of one record each, in large transactions
// of set-based writes (a benchmark fixture: no matching, so it is fast). The rows hold
// their match features, as the resolver writes them.
func preload(b testing.TB, s *Service, n int, seed int64) {
	b.Helper()
	g, err := synth.New(synth.Config{N: n, DupRate: synth.None, Seed: seed, Sources: []string{"preload"}})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for done := false; !done; {
		var recs []*contact.Record
		for len(recs) < 2000 {
			r, err := g.Next()
			if errors.Is(err, io.EOF) {
				done = true
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			if err := s.NormalizeChain.Process(ctx, r); err != nil {
				b.Fatal(err)
			}
			recs = append(recs, r)
		}
		err := s.Store.InTx(ctx, func(tx warehouse.Tx) error {
			ids, err := tx.NewMasterIDs(ctx, len(recs))
			if err != nil {
				return err
			}
			ms := make([]*contact.Master, len(recs))
			rows := make([]*warehouse.SourceRow, len(recs))
			for i, r := range recs {
				ms[i] = &contact.Master{ID: ids[i], Version: 1, Golden: match.Survive([]*contact.Record{r}, s.Rules.Survivorship)}
				h, _ := resolve.Hash(r)
				rows[i] = &warehouse.SourceRow{Source: r.Source, SourceID: r.SourceID, Hash: h, Record: r, MasterID: ids[i], Features: match.EncodeFeatures(r.Norm)}
			}
			if err := tx.InsertMasters(ctx, ms); err != nil {
				return err
			}
			if err := tx.PutSourceRecords(ctx, rows); err != nil {
				return err
			}
			var keys []warehouse.RowKey
			for i, r := range recs {
				for _, k := range s.Engine.BlockKeys(r.Norm) {
					keys = append(keys, warehouse.RowKey{Key: k, MasterID: rows[i].MasterID, RowID: rows[i].ID})
				}
			}
			return tx.AddRowBlockKeys(ctx, keys)
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// streamLen is the length of the benchmarks' streams: STEWARD_BENCH_RECORDS, default
// 15 000 (~5 s on this VM). The 5 000 of earlier figures took ~2 s, of which the new
// backends' first statements (catalog reads, plans) and the consumer group's start were
// a visible part: the database's CPU per record measured 412–474 µs over 5 000 records
// against 337–379 µs over 15 000.
func streamLen() int {
	if v, err := strconv.Atoi(os.Getenv("STEWARD_BENCH_RECORDS")); err == nil && v > 0 {
		return v
	}
	return 15000
}

// BenchmarkKafkaToPostgres measures records/s from Kafka (kfake) through the three
// handlers into PostgreSQL, with 1 and 2 consumer processes' worth of subscribers, on a
// warehouse that already holds STEWARD_BENCH_MASTERS masters (default 100000).
//
//	go test ./service -run '^$' -bench KafkaToPostgres -benchtime 1x
func BenchmarkKafkaToPostgres(b *testing.B) {
	gcFloor(b)
	masters := 100000
	if v := os.Getenv("STEWARD_BENCH_MASTERS"); v != "" {
		fmt.Sscan(v, &masters)
	}
	records := streamLen()
	for _, consumers := range []int{1, 2} {
		b.Run(fmt.Sprintf("consumers=%d", consumers), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				brokers := kafkaCluster(b)
				db := pgtest.URL(b)
				group := fmt.Sprintf("bench%d", consumers)
				var svcs []*Service
				for i := 0; i < consumers; i++ {
					// The outbox is polled and offsets committed at the defaults' pace:
					// fastKafka's shorter intervals make tests wait less, and a stream is
					// measured as steward runs by default.
					cfg := scaleOutConfig(db, brokers, group, "")
					cfg.Kafka.OutboxInterval, cfg.Kafka.CommitInterval = 0, 0
					svcs = append(svcs, openService(b, cfg))
				}
				preload(b, svcs[0], masters, 99)
				// A warehouse in service has been vacuumed and analysed (autovacuum would
				// get there); right after a bulk load it has not, and index-only scans
				// still visit the heap.
				if _, err := svcs[0].Store.(*sqlstore.Store).DB().Exec(`VACUUM ANALYZE`); err != nil {
					b.Fatal(err)
				}
				statements := startStatementStats(b, svcs[0])
				lastID := countRows(b, svcs[0], `SELECT COALESCE(MAX(id), 0) FROM source_records`)
				file := genFile(b, records, 5)
				if _, err := svcs[0].Produce(context.Background(), []string{file}, input.Options{}, 500); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				stopProfile := measure.Profile(b)
				start := time.Now()
				cpu := newCPUMeter()
				var stops []func()
				var addrs []string
				for _, s := range svcs {
					stop, addr := startRunAddr(b, s)
					stops, addrs = append(stops, stop), append(addrs, addr)
				}
				// Polled every 50 ms (waitFor's second would be a 15 % error on 7 s) by
				// the newest id, one index probe: a COUNT(*) of the rows written took ~45 ms
				// of the database's CPU each time at 100 000 masters over the whole table,
				// and 2–3 ms over the new rows (4 % of the database's time in the measured
				// phase). The exact count is read once the ids allow it (an upsert that
				// conflicts burns an id, so the newest id may run ahead of the count).
				newRows := fmt.Sprintf(`SELECT COUNT(*) FROM source_records WHERE id > %d`, lastID)
				const newest = `SELECT COALESCE(MAX(id), 0) FROM source_records`
				// The first rows come once the consumers have joined their group and been
				// given partitions; from there to the last row is the steady rate (reported
				// too: the join is not part of a stream's throughput).
				var first time.Time
				firstN := 0
				for {
					top := countRows(b, svcs[0], newest) - lastID
					if top > 0 && first.IsZero() {
						first, firstN = time.Now(), countRows(b, svcs[0], newRows)
					}
					if top >= records && countRows(b, svcs[0], newRows) == records {
						break
					}
					if time.Since(start) > 30*time.Minute {
						b.Fatal("the stream was not resolved in 30 minutes")
					}
					time.Sleep(50 * time.Millisecond)
				}
				el := time.Since(start)
				steady := time.Since(first)
				b.StopTimer()
				cpu.report(b, records) // before the profile is written
				stopProfile()
				logStageTimes(b, addrs[0])
				statements(records)
				for _, stop := range stops {
					stop()
				}
				b.ReportMetric(float64(records)/el.Seconds(), "records/s")
				b.ReportMetric(float64(records-firstN)/steady.Seconds(), "steady-records/s")
				b.ReportMetric(first.Sub(start).Seconds(), "s-to-first-row")
				b.StartTimer()
			}
		})
	}
}

// startStatementStats, with STEWARD_BENCH_STATEMENTS set (and pg_stat_statements loaded:
// STEWARD_PGTEST_SETTINGS="shared_preload_libraries=pg_stat_statements"), clears the
// server's statement statistics, and the function it returns logs the statements that
// took the most time since, per record of the stream: execution time, rows, buffers hit,
// read and written, WAL bytes. Statistics are the whole server's: the measured phase's
// statements, the benchmark's polls among them. Without the variable it does nothing.
func startStatementStats(b *testing.B, s *Service) (report func(records int)) {
	if os.Getenv("STEWARD_BENCH_STATEMENTS") == "" {
		return func(int) {}
	}
	db := s.Store.(*sqlstore.Store).DB()
	for _, q := range []string{`CREATE EXTENSION IF NOT EXISTS pg_stat_statements`, `SELECT pg_stat_statements_reset()`} {
		if _, err := db.Exec(q); err != nil {
			b.Fatalf("STEWARD_BENCH_STATEMENTS needs pg_stat_statements loaded (STEWARD_PGTEST_SETTINGS=\"shared_preload_libraries=pg_stat_statements\"): %v", err)
		}
	}
	return func(records int) {
		rows, err := db.Query(`SELECT calls, total_exec_time, plans, total_plan_time, rows, shared_blks_hit, shared_blks_read, shared_blks_written, wal_bytes,
	left(regexp_replace(query, '\s+', ' ', 'g'), 70)
FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 15`)
		if err != nil {
			b.Log(err)
			return
		}
		defer rows.Close()
		n := float64(records)
		b.Logf("statements per record: µs, rows, buffers hit/read/written, WAL bytes (calls; plans and planning µs with pg_stat_statements.track_planning=on)")
		for rows.Next() {
			var calls, plans, nrows, hit, read, written int64
			var ms, planMS, wal float64
			var q string
			if err := rows.Scan(&calls, &ms, &plans, &planMS, &nrows, &hit, &read, &written, &wal, &q); err != nil {
				b.Log(err)
				return
			}
			b.Logf("%6.1f µs %5.1f rows %5.1f/%4.2f/%4.2f %6.0f B (%d; %d, %.1f µs)  %s", ms*1000/n, float64(nrows)/n,
				float64(hit)/n, float64(read)/n, float64(written)/n, wal/n, calls, plans, planMS*1000/n, q)
		}
		if err := rows.Err(); err != nil {
			b.Log(err)
		}
	}
}

// logStageTimes logs each handler's mean time per message and the mean resolve batch, from
// a run's /metrics: where a stream's time goes.
func logStageTimes(b *testing.B, addr string) {
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		b.Log(err)
		return
	}
	defer resp.Body.Close()
	sums := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		for _, m := range []string{"steward_handler_duration_seconds_sum", "steward_handler_duration_seconds_count", "steward_resolve_batch_records_sum", "steward_resolve_batch_records_count"} {
			if strings.HasPrefix(line, m) {
				name, val, _ := strings.Cut(line, " ")
				var v float64
				fmt.Sscan(val, &v)
				sums[name] = v
			}
		}
	}
	var names []string
	for n := range sums {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		b.Logf("%s %g", n, sums[n])
	}
}

// BenchmarkResolvePostgres measures the resolver alone on PostgreSQL: the records of
// BenchmarkKafkaToPostgres's stream (streamLen, 30 % duplicates), normalized and identified
// off the clock, resolved in batches of up to 100 (STEWARD_BENCH_RESOLVE_BATCH) through a
// resolve.Batcher of one and two workers against 100 000 masters (STEWARD_BENCH_MASTERS).
// Against the Kafka benchmark it tells what the resolver and the database cost by
// themselves, without the broker, the consumers, the normalizer's registry reads and the
// outbox forwarder.
//
//	go test ./service -run '^$' -bench ResolvePostgres -benchtime 1x
func BenchmarkResolvePostgres(b *testing.B) {
	gcFloor(b)
	masters, size := 100000, 100
	if v := os.Getenv("STEWARD_BENCH_MASTERS"); v != "" {
		fmt.Sscan(v, &masters)
	}
	if v := os.Getenv("STEWARD_BENCH_RESOLVE_BATCH"); v != "" {
		fmt.Sscan(v, &size)
	}
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				s, err := Open(context.Background(), Config{Database: pgtest.URL(b)})
				if err != nil {
					b.Fatal(err)
				}
				preload(b, s, masters, 99)
				if _, err := s.Store.(*sqlstore.Store).DB().Exec(`VACUUM ANALYZE`); err != nil {
					b.Fatal(err)
				}
				recs := normalizedStream(b, s, streamLen(), 5)
				b.StartTimer()
				stopProfile := measure.Profile(b)
				start, cpu := time.Now(), newCPUMeter()
				// Through a Batcher, as `steward run` resolves: with two workers its
				// batches share no blocking key (they would wait for each other's locks).
				bt := &resolve.Batcher{Resolver: s.Resolver, Max: size, Workers: workers}
				var failed atomic.Pointer[error]
				for _, r := range recs {
					bt.Submit(context.Background(), r, "bench:"+r.SourceID, func(_ resolve.Outcome, err error) {
						if err != nil {
							failed.CompareAndSwap(nil, &err)
						}
					})
				}
				bt.Wait()
				if err := failed.Load(); err != nil {
					b.Fatal(*err)
				}
				el := time.Since(start)
				b.StopTimer()
				cpu.report(b, len(recs)) // before the profile is written
				stopProfile()
				if n := countRows(b, s, `SELECT COUNT(*) FROM source_records WHERE source <> 'preload'`); n != len(recs) {
					b.Fatalf("%d source rows written, want %d", n, len(recs))
				}
				b.ReportMetric(float64(len(recs))/el.Seconds(), "records/s")
				s.Close()
				b.StartTimer()
			}
		})
	}
}

// normalizedStream returns the records of genFile(n, seed), normalized and identified
// by s's chains (those that fail are left out).
func normalizedStream(b *testing.B, s *Service, n int, seed int64) []*contact.Record {
	return synthtest.Through(b, synth.Config{N: n, DupRate: 0.3, Seed: seed}, s.NormalizeChain, s.IdentifyChain)
}

// gcFloor sets the collector's heap floor that the steward binary sets (internal/gctune),
// so that the figures are the binary's; GOGC set in the environment turns it off, as it
// does for the binary.
func gcFloor(b *testing.B) {
	if os.Getenv("GOGC") == "" {
		gctune.Floor(gctune.DefaultFloor)
		b.Cleanup(func() { gctune.Floor(0) })
	}
}

// cpuMeter measures the CPU time of the measured phase: this process's (steward, and the
// in-process broker in BenchmarkKafkaToPostgres) and the ephemeral PostgreSQL cluster's.
// On a 2-core VM whose throughput varies by ±15–20 % from run to run, CPU per record is
// the steadier figure to compare two versions by, and it tells where the work is done.
type cpuMeter struct{ self, db time.Duration }

func newCPUMeter() cpuMeter {
	db, _ := pgtest.ServerCPU()
	return cpuMeter{self: measure.CPUTime(), db: db}
}

// report reports the CPU per record since newCPUMeter: "steward-cpu-µs/record" and, on
// the ephemeral cluster, "pg-cpu-µs/record".
func (m cpuMeter) report(b *testing.B, records int) {
	self := measure.CPUTime() - m.self
	b.ReportMetric(float64(self.Microseconds())/float64(records), "steward-cpu-µs/record")
	if db, ok := pgtest.ServerCPU(); ok {
		b.ReportMetric(float64((db-m.db).Microseconds())/float64(records), "pg-cpu-µs/record")
	}
}
