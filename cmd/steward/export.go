package main

import (
	"bufio"
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
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "Usage: steward export [flags]\n\nWrites every active golden record with its source record keys.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(interleaved(fs, args)); err != nil {
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
	cfg, err := cf.load(e)
	if err != nil {
		return err
	}
	if err := mustExist(cfg.Database); err != nil {
		return err
	}
	svc, err := service.Open(ctx, cfg)
	if err != nil {
		return err
	}
	defer svc.Close()
	var w io.Writer = e.stdout
	var f *os.File
	if *out != "-" {
		if f, err = os.Create(*out); err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	n, err := svc.Export(ctx, bw, *format)
	if err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if f != nil {
		if err := f.Close(); err != nil {
			return err
		}
		fmt.Fprintf(e.stderr, "%d golden records written to %s\n", n, *out)
	}
	return nil
}

// mustExist refuses to create an empty warehouse for a read-only command.
func mustExist(db string) error {
	if _, err := os.Stat(db); err != nil {
		return fmt.Errorf("warehouse %s: %w (run `steward ingest` first, or pass -db)", db, err)
	}
	return nil
}
