package service

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"testing"
	"time"

	"github.com/steward-crm/steward/contact"
	"github.com/steward-crm/steward/input"
	"github.com/steward-crm/steward/internal/pgtest"
	"github.com/steward-crm/steward/pipeline/match"
	"github.com/steward-crm/steward/resolve"
	"github.com/steward-crm/steward/synth"
	"github.com/steward-crm/steward/warehouse"
)

// preload fills the warehouse with n masters of one record each, in large transactions
// (a benchmark fixture: no matching, so it is fast).
func preload(b *testing.B, s *Service, n int, seed int64) {
	b.Helper()
	g, err := synth.New(synth.Config{N: n, DupRate: synth.None, Seed: seed, Sources: []string{"preload"}})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for done := false; !done; {
		err := s.Store.InTx(ctx, func(tx warehouse.Tx) error {
			for i := 0; i < 2000; i++ {
				r, err := g.Next()
				if errors.Is(err, io.EOF) {
					done = true
					return nil
				}
				if err != nil {
					return err
				}
				if err := s.NormalizeChain.Process(ctx, r); err != nil {
					return err
				}
				m := &contact.Master{Golden: match.Survive([]*contact.Record{r}, s.Rules.Survivorship)}
				if err := tx.CreateMaster(ctx, m); err != nil {
					return err
				}
				h, _ := resolve.Hash(r)
				row := &warehouse.SourceRow{Source: r.Source, SourceID: r.SourceID, Hash: h, Record: r, MasterID: m.ID}
				if err := tx.PutSourceRecord(ctx, row); err != nil {
					return err
				}
				if err := tx.ReplaceBlockKeys(ctx, row.ID, s.Engine.BlockKeys(r.Norm)); err != nil {
					return err
				}
			}
			return nil
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
				file := genFile(b, records, 5)
				if _, err := svcs[0].Produce(context.Background(), []string{file}, input.Options{}, 500); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				start := time.Now()
				var stops []func()
				for _, s := range svcs {
					stops = append(stops, startRun(b, s))
				}
				waitFor(b, 30*time.Minute, "the stream to be resolved", func() bool {
					return countRows(b, svcs[0], `SELECT COUNT(*) FROM source_records`) == masters+records
				})
				el := time.Since(start)
				b.StopTimer()
				for _, stop := range stops {
					stop()
				}
				b.ReportMetric(float64(records)/el.Seconds(), "records/s")
				b.StartTimer()
			}
		})
	}
}
