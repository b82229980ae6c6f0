package main

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/steward-crm/steward/service"
)

func runExport(ctx context.Context, args []string, e *env) error {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	var cf configFlags
	cf.register(fs)
	format := fs.String("format", "", "csv or jsonl (default: from -o's extension, else csv)")
	out := fs.String("o", "-", "output file ('-': stdout)")
	bom := fs.Bool("bom", false, "CSV: start with a UTF-8 byte order mark, so that Excel reads the file as UTF-8")
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "Usage: steward export [flags]\n\nWrites every active golden record with its source record keys.")
		fs.PrintDefaults()
	}
	if err := parseFlagsNoArgs(fs, args); err != nil {
		return err
	}
	if *format == "" {
		*format = "csv"
		if strings.EqualFold(filepath.Ext(*out), ".jsonl") || strings.EqualFold(filepath.Ext(*out), ".json") {
			*format = "jsonl"
		}
	}
	if *format != "csv" && *format != "jsonl" {
		return usageError{fmt.Errorf("-format: want csv or jsonl, got %q", *format)}
	}
	if *bom && *format != "csv" {
		return usageError{fmt.Errorf("-bom: a byte order mark is for CSV opened in Excel, not for %s output", *format)}
	}
	svc, err := openExisting(ctx, e, &cf)
	if err != nil {
		return err
	}
	defer svc.Close()
	return writeOutput(e, *out, "golden records", func(w io.Writer) (int, error) {
		if *bom {
			// Excel reads a CSV without one as the ANSI code page (Windows-1252): "Élodie"
			// opens as "Ã‰lodie". Off by default: other readers take it as part of the
			// first column's name.
			if _, err := io.WriteString(w, "\uFEFF"); err != nil {
				return 0, err
			}
		}
		return svc.Export(ctx, w, *format)
	})
}

// openExisting opens the configured warehouse for a read-only command, refusing to
// create an empty one.
func openExisting(ctx context.Context, e *env, cf *configFlags) (*service.Service, error) {
	cfg, err := cf.load(e)
	if err != nil {
		return nil, err
	}
	if err := mustExist(cmp.Or(cfg.Database, service.DefaultDatabase)); err != nil {
		return nil, err
	}
	return service.Open(ctx, cfg)
}

// mustExist refuses to create an empty warehouse for a read-only command (a SQLite file;
// a PostgreSQL URL is checked by connecting).
func mustExist(db string) error {
	if service.IsPostgres(db) {
		return nil
	}
	if _, err := os.Stat(db); err != nil {
		return fmt.Errorf("warehouse %s: %w (run `steward ingest` first, or pass -db)", db, err)
	}
	return nil
}
