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
	"strings"
	"testing"
	"time"

	"github.com/steward-crm/steward/contact"
	"github.com/steward-crm/steward/input"
	"github.com/steward-crm/steward/internal/pgtest"
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

// BenchmarkKafkaToPostgres measures records/s from Kafka (kfake) through the three
// handlers into PostgreSQL, with 1 and 2 consumer processes' worth of subscribers, on a
// warehouse that already holds STEWARD_BENCH_MASTERS masters (default 100000).
//
//	go test ./service -run '^$' -bench KafkaToPostgres -benchtime 1x
func BenchmarkKafkaToPostgres(b *testing.B) {
	masters := 100000
	if v := os.Getenv("STEWARD_BENCH_MASTERS"); v != "" {
		fmt.Sscan(v, &masters)
	}
	records := 5000
	for _, consumers := range []int{1, 2} {
		b.Run(fmt.Sprintf("consumers=%d", consumers), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				brokers := kafkaCluster(b)
				db := pgtest.URL(b)
				group := fmt.Sprintf("bench%d", consumers)
				var svcs []*Service
				for i := 0; i < consumers; i++ {
					svcs = append(svcs, scaleOutService(b, db, brokers, group))
				}
				preload(b, svcs[0], masters, 99)
				// A warehouse in service has been vacuumed and analysed (autovacuum would
				// get there); right after a bulk load it has not, and index-only scans
				// still visit the heap.
				if _, err := svcs[0].Store.(*sqlstore.Store).DB().Exec(`VACUUM ANALYZE`); err != nil {
					b.Fatal(err)
				}
				lastID := countRows(b, svcs[0], `SELECT COALESCE(MAX(id), 0) FROM source_records`)
				file := genFile(b, records, 5)
				if _, err := svcs[0].Produce(context.Background(), []string{file}, input.Options{}, 500); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				start := time.Now()
				var stops []func()
				var addrs []string
				for _, s := range svcs {
					stop, addr := startRunAddr(b, s)
					stops, addrs = append(stops, stop), append(addrs, addr)
				}
				// Polled every 50 ms (waitFor's second would be a 15 % error on 7 s), by
				// id: a COUNT(*) of the whole table took ~45 ms of the database's CPU
				// each time at 100 000 masters, half a core.
				newRows := fmt.Sprintf(`SELECT COUNT(*) FROM source_records WHERE id > %d`, lastID)
				// The first rows come once the consumers have joined their group and been
				// given partitions; from there to the last row is the steady rate (reported
				// too: the join is not part of a stream's throughput).
				var first time.Time
				firstN := 0
				for {
					n := countRows(b, svcs[0], newRows)
					if n > 0 && first.IsZero() {
						first, firstN = time.Now(), n
					}
					if n == records {
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
				logStageTimes(b, addrs[0])
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
