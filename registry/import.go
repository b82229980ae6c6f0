package registry

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/steward-crm/steward/warehouse"
)

// Progress is reported after each committed batch.
type Progress struct {
	File                  string
	BytesRead, BytesTotal int64
	Rows, Invalid         int64
}

// Summary is the outcome of importing one file.
type Summary struct {
	File   string `json:"file"`
	Format string `json:"format"`
	// Rows are the companies written, Invalid the rows rejected (Errors holds the first
	// MaxErrors of them), counting the rows of earlier interrupted runs.
	Rows    int64    `json:"rows"`
	Invalid int64    `json:"invalid"`
	Errors  []string `json:"errors,omitempty"`
	// Resumed is the line the import resumed after (0: from the start); AlreadyDone
	// reports a file imported completely before (nothing was read).
	Resumed     int64         `json:"resumed_after_line,omitempty"`
	AlreadyDone bool          `json:"already_done,omitempty"`
	Elapsed     time.Duration `json:"elapsed"`
}

// Importer imports registry files into a warehouse.Registry.
type Importer struct {
	Registry warehouse.Registry
	Options  Options
	// BatchSize is the number of rows per transaction. Default 100000: the primary-key
	// B-tree is rewritten at every commit (random keys dirty most of its pages), so fewer,
	// larger batches cost less; 100000 rows hold ~70 MiB in memory.
	BatchSize int
	// MaxErrors bounds the invalid rows kept in Summary.Errors. Default 20.
	MaxErrors int
	// Force re-imports a file already imported completely.
	Force bool
	// Progress, when set, is called after each batch.
	Progress func(Progress)
}

// Import streams one file of the format ("sirene", "gleif", "csv") into the registry,
// resuming after the last committed batch of an earlier run on the same file (same
// absolute path and size). A cancelled ctx stops between rows: what was committed stays
// and the next run resumes.
func (im *Importer) Import(ctx context.Context, path, format string) (_ Summary, err error) {
	start := time.Now()
	sum := Summary{File: path, Format: format}
	parse, err := im.Options.format(format)
	if err != nil {
		return sum, err
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return sum, err
	}
	f, err := os.Open(path)
	if err != nil {
		return sum, fmt.Errorf("registry import: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return sum, fmt.Errorf("registry import: %w", err)
	}
	cp, ok, err := im.Registry.ImportCheckpoint(ctx, abs)
	if err != nil {
		return sum, err
	}
	// A checkpoint saved before it held the time (0) is matched on the size alone.
	modTime := st.ModTime().UnixNano()
	if !ok || cp.Size != st.Size() || cp.ModTime != 0 && cp.ModTime != modTime || cp.Format != format || cp.Done && im.Force {
		cp = warehouse.ImportCheckpoint{File: abs, Format: format, Size: st.Size(), ModTime: modTime}
	}
	if cp.Done {
		sum.Rows, sum.Invalid, sum.AlreadyDone = cp.Rows, cp.Invalid, true
		return sum, nil
	}
	sum.Resumed = cp.Line
	// Bulk mode: a first load (empty registry, or the resumption of one) goes without the
	// secondary indexes, rebuilt when the import ends, even when interrupted; after a
	// crash the next run rebuilds them.
	if n, err := im.Registry.CountCompanies(ctx); err != nil {
		return sum, err
	} else if n == 0 || cp.Bulk {
		cp.Bulk = true
		if err := im.Registry.DropCompanyIndexes(ctx); err != nil {
			return sum, err
		}
	}
	defer func() {
		if ierr := im.Registry.EnsureCompanyIndexes(context.WithoutCancel(ctx)); ierr != nil && err == nil {
			err = ierr
		}
	}()
	seek := func(off int64) (io.Reader, error) {
		_, err := f.Seek(off, io.SeekStart)
		return f, err
	}
	rd, _, err := newReader(f, parse, seek, cp.Offset, cp.Line)
	if err != nil {
		return sum, fmt.Errorf("registry import %s: %w", path, err)
	}
	batch := max(1, im.BatchSize)
	if im.BatchSize == 0 {
		batch = 100000
	}
	maxErrs := im.MaxErrors
	if maxErrs == 0 {
		maxErrs = 20
	}
	buf := make([]warehouse.Company, 0, batch)
	flush := func(done bool) error {
		cp.Offset, cp.Line, cp.Done = rd.Offset(), rd.Line(), done
		// Keys in order touch each primary-key page once per batch.
		// A key given twice: the file's last row wins (a stable sort keeps the file's
		// order among equal keys), and the rows counted are the companies written.
		slices.SortStableFunc(buf, func(a, b warehouse.Company) int { return strings.Compare(a.Key, b.Key) })
		kept := buf[:0]
		for i := range buf {
			if i+1 < len(buf) && buf[i+1].Key == buf[i].Key {
				continue
			}
			kept = append(kept, buf[i])
		}
		buf = kept
		cp.Rows += int64(len(buf))
		if err := im.Registry.UpsertCompanies(ctx, buf, cp); err != nil {
			cp.Rows -= int64(len(buf))
			return err
		}
		buf = buf[:0]
		if im.Progress != nil {
			im.Progress(Progress{File: path, BytesRead: cp.Offset, BytesTotal: cp.Size, Rows: cp.Rows, Invalid: cp.Invalid})
		}
		return nil
	}
	for {
		if err := ctx.Err(); err != nil {
			sum.Rows, sum.Invalid, sum.Elapsed = cp.Rows, cp.Invalid, time.Since(start)
			return sum, fmt.Errorf("registry import %s interrupted at line %d (resume by running it again): %w", path, cp.Line, err)
		}
		c, err := rd.Next()
		if err == io.EOF {
			break
		}
		var re *RowError
		switch {
		case errors.As(err, &re):
			cp.Invalid++
			if len(sum.Errors) < maxErrs {
				sum.Errors = append(sum.Errors, re.Error())
			}
			continue
		case err != nil:
			return sum, fmt.Errorf("registry import %s: %w", path, err)
		}
		buf = append(buf, c)
		if len(buf) == batch {
			if err := flush(false); err != nil {
				return sum, fmt.Errorf("registry import %s: %w", path, err)
			}
		}
	}
	if err := flush(true); err != nil {
		return sum, fmt.Errorf("registry import %s: %w", path, err)
	}
	sum.Rows, sum.Invalid, sum.Elapsed = cp.Rows, cp.Invalid, time.Since(start)
	return sum, nil
}
