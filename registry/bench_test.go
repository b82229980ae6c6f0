package registry_test

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/steward-crm/steward/internal/measure"
	"github.com/steward-crm/steward/registry"
	"github.com/steward-crm/steward/rules"
	"github.com/steward-crm/steward/synth"
	"github.com/steward-crm/steward/warehouse/sqlite"
)

// BenchmarkImportSIRENE imports a generated SIRENE-format file into a fresh SQLite
// warehouse. STEWARD_BENCH_ROWS sets its size (default 100000; the figures in the README
// are for 1000000):
//
//	STEWARD_BENCH_ROWS=1000000 go test ./registry -run '^$' -bench ImportSIRENE -benchtime 1x
//
// It reports rows/s on wall time and on CPU time (user+system, the fair figure on a
// loaded machine), and the process's peak resident memory.
func BenchmarkImportSIRENE(b *testing.B) {
	rows := 100000
	if s := os.Getenv("STEWARD_BENCH_ROWS"); s != "" {
		rows, _ = strconv.Atoi(s)
	}
	dir := b.TempDir()
	path := filepath.Join(dir, "sirene.csv")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	if err := synth.WriteRegistry(w, 1, rows); err != nil {
		b.Fatal(err)
	}
	w.Flush()
	f.Close()
	forms := rules.Default().Tables.LegalForms
	b.ResetTimer()
	for i := range b.N {
		ctx := context.Background()
		st, err := sqlite.Open(ctx, filepath.Join(dir, "w"+strconv.Itoa(i)+".db"))
		if err != nil {
			b.Fatal(err)
		}
		cpu0 := measure.CPUTime()
		t0 := time.Now()
		batch, _ := strconv.Atoi(os.Getenv("STEWARD_BENCH_BATCH"))
		im := &registry.Importer{Registry: st, BatchSize: batch, Options: registry.Options{LegalForms: forms}}
		sum, err := im.Import(ctx, path, "sirene")
		if err != nil {
			b.Fatal(err)
		}
		wall, cpu := time.Since(t0), measure.CPUTime()-cpu0
		st.Close()
		if sum.Rows != int64(rows) {
			b.Fatalf("imported %d rows, want %d", sum.Rows, rows)
		}
		b.ReportMetric(float64(rows)/wall.Seconds(), "rows/s")
		b.ReportMetric(float64(rows)/cpu.Seconds(), "rows/cpu-s")
		b.ReportMetric(float64(measure.PeakRSS())/(1<<20), "peak-MiB")
	}
}
