package resolve

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/steward-crm/steward/contact"
	"github.com/steward-crm/steward/pipeline/match"
	"github.com/steward-crm/steward/pipeline/stages"
	"github.com/steward-crm/steward/rules"
	"github.com/steward-crm/steward/synth"
	"github.com/steward-crm/steward/warehouse/sqlite"
)

// benchRecords generates n normalized records.
func benchRecords(tb testing.TB, r *rules.Rules, cfg synth.Config) []*contact.Record {
	tb.Helper()
	nc, ic, err := stages.Chains(r)
	if err != nil {
		tb.Fatal(err)
	}
	g, err := synth.New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	var out []*contact.Record
	for {
		rec, err := g.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			tb.Fatal(err)
		}
		if err := nc.Process(context.Background(), rec); err != nil {
			continue
		}
		if err := ic.Process(context.Background(), rec); err != nil {
			continue
		}
		out = append(out, rec)
	}
}

// BenchmarkResolveStreaming resolves new records, batch by batch, against a warehouse of
// STEWARD_BENCH_MASTERS records (default 20 000; the figure is for 1 000 000),
// built once and cached in the temp directory (steward-bench-N.db). Blocking index
// lookups, scoring, survivorship, audit and outbox writes are included.
func BenchmarkResolveStreaming(b *testing.B) {
	n := 20000
	if v, err := strconv.Atoi(os.Getenv("STEWARD_BENCH_MASTERS")); err == nil && v > 0 {
		n = v
	}
	r := rules.Default()
	eng, err := match.New(r)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	path := filepath.Join(os.TempDir(), fmt.Sprintf("steward-bench-%d.db", n))
	_, statErr := os.Stat(path)
	st, err := sqlite.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	rs := &Resolver{Store: st, Engine: eng}
	if statErr != nil {
		// Built through the resolver (masters of several records, as in production), in
		// chunks of at most 20 000 generated records so that memory stays flat.
		start := time.Now()
		done := 0
		for chunk := 0; done < n; chunk++ {
			size := min(20000, n-done)
			cfg := synth.Config{N: size, Seed: 42 + int64(chunk)}
			if chunk > 0 {
				cfg.Sources = []string{fmt.Sprint("base", chunk)}
			}
			recs := benchRecords(b, r, cfg)
			if err := resolveInBatches(ctx, rs, recs, 1000); err != nil {
				os.Remove(path)
				b.Fatal(err)
			}
			done += size
			if n > 20000 {
				fmt.Fprintf(os.Stderr, "built %d of %d records in %s\n", done, n, time.Since(start).Round(time.Second))
			}
		}
		b.Logf("built %s: %d records in %s", path, n, time.Since(start))
	}
	for _, batch := range []int{1, 100} {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) {
			src := fmt.Sprintf("bench%d", time.Now().UnixNano())
			seed := time.Now().UnixNano()
			var recs []*contact.Record
			// Every record resolved is new (people the warehouse may or may not know):
			// more are generated, off the clock, when the benchmark needs them.
			next := func(i int) *contact.Record {
				for i >= len(recs) {
					b.StopTimer()
					seed++
					recs = append(recs, benchRecords(b, r, synth.Config{N: 2000, Seed: seed, Sources: []string{fmt.Sprint(src, "-", seed)}})...)
					b.StartTimer()
				}
				return recs[i]
			}
			b.ResetTimer()
			done := 0
			for range b.N {
				chunk := make([]*contact.Record, batch)
				for i := range chunk {
					chunk[i] = next(done + i)
				}
				if err := resolveInBatches(ctx, rs, chunk, batch); err != nil {
					b.Fatal(err)
				}
				done += batch
			}
			b.ReportMetric(float64(done)/b.Elapsed().Seconds(), "records/s")
		})
	}
}

func resolveInBatches(ctx context.Context, rs *Resolver, recs []*contact.Record, size int) error {
	for lo := 0; lo < len(recs); lo += size {
		hi := min(lo+size, len(recs))
		pos := make([]string, hi-lo)
		for i := range pos {
			pos[i] = "bench:" + strconv.Itoa(lo+i)
		}
		if _, err := rs.ResolveBatch(ctx, recs[lo:hi], pos); err != nil {
			return err
		}
	}
	return nil
}
