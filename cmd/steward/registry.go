package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"strings"

	"github.com/steward-crm/steward/registry"
	"github.com/steward-crm/steward/service"
	"github.com/steward-crm/steward/warehouse"
)

// runRegistry dispatches `steward registry SUBCOMMAND`.
func runRegistry(ctx context.Context, args []string, e *env) error {
	if len(args) == 1 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
		fmt.Fprintln(e.stderr, "Usage: steward registry import [flags] FILE...\n\n`steward registry import -h` lists the flags.")
		return flag.ErrHelp
	}
	if len(args) == 0 || args[0] != "import" {
		return usageError{errors.New("usage: steward registry import --format sirene|gleif|csv [--map M] FILE...")}
	}
	return runRegistryImport(ctx, args[1:], e)
}

// runRegistryImport streams registry files into the warehouse's companies table.
func runRegistryImport(ctx context.Context, args []string, e *env) error {
	fs := flag.NewFlagSet("registry import", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	var cf configFlags
	cf.register(fs)
	format := fs.String("format", "sirene", "file format: sirene, gleif or csv")
	mapSpec := fs.String("map", "", "format csv: field=Column,... (fields: key, siren, siret, lei, vat, name, postcode, city, country, naf, size_band, legal_form, head_office, closed, domain)")
	batch := fs.Int("batch", 100000, "rows per transaction (memory grows with it: ~70 MiB per 100000)")
	force := fs.Bool("force", false, "import again a file imported completely before")
	quiet := fs.Bool("q", false, "no progress")
	asJSON := fs.Bool("json", false, "print the summaries as JSON")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return usageError{errors.New("no file")}
	}
	if *batch <= 0 {
		return usageError{fmt.Errorf("-batch: want a positive number of rows, got %d", *batch)}
	}
	m, err := registry.ParseMap(*mapSpec)
	if err != nil {
		return usageError{err}
	}
	cfg, err := cf.load(e)
	if err != nil {
		return err
	}
	svc, err := service.Open(ctx, cfg)
	if err != nil {
		return err
	}
	defer svc.Close()
	reg, ok := svc.Store.(warehouse.Registry)
	if !ok {
		return errors.New("this warehouse has no company registry")
	}
	p := newProgress(e.stderr, *quiet || *asJSON)
	if p != nil {
		// Invalid rows are counted and listed, not dead-lettered.
		p.cmd = "registry import"
		p.describe = func(s service.IngestSummary) string {
			return fmt.Sprintf("%d rows read, %d imported so far, %d invalid", s.Read, s.Accepted, s.DeadLettered)
		}
	}
	im := &registry.Importer{Registry: reg, BatchSize: *batch, Force: *force,
		Options: registry.Options{LegalForms: svc.Rules.Tables.LegalForms, Map: m},
		Progress: func(pr registry.Progress) {
			// The ingest progress reporter: rows read, rows imported, invalid rows.
			p.report(service.Progress{File: pr.File, BytesRead: pr.BytesRead, BytesTotal: pr.BytesTotal,
				Summary: service.IngestSummary{Read: pr.Rows + pr.Invalid, Accepted: pr.Rows, DeadLettered: pr.Invalid}})
		}}
	var sums []registry.Summary
	for _, path := range fs.Args() {
		s, err := im.Import(ctx, path, *format)
		p.finish()
		sums = append(sums, s)
		if err != nil && ctx.Err() != nil && errors.Is(err, context.Canceled) && !strings.Contains(err.Error(), "interrupted") {
			// A stop (Ctrl-C, SIGTERM) during a batch's write: the batches written before
			// are kept with their checkpoint; "context canceled" said neither. (A stop
			// between batches is the importer's own message, with its line.)
			return fmt.Errorf("%s: interrupted while a batch was written (%w); the batches written before are kept, and the same command resumes the import after the last of them", path, err)
		}
		if err != nil {
			return err
		}
		if !*asJSON {
			printImport(e, s)
		}
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(sums)
	}
	return nil
}

func printImport(e *env, s registry.Summary) {
	switch {
	case s.AlreadyDone:
		fmt.Fprintf(e.stdout, "%s: already imported (%d companies, %d invalid rows); -force imports it again\n", s.File, s.Rows, s.Invalid)
		return
	case s.Resumed > 0:
		fmt.Fprintf(e.stdout, "%s: resumed after line %d\n", s.File, s.Resumed)
	}
	rate := 0.0
	if s.Elapsed > 0 {
		rate = float64(s.Rows) / s.Elapsed.Seconds()
	}
	fmt.Fprintf(e.stdout, "%s: %d companies, %d invalid rows, %s (%.0f rows/s)\n", s.File, s.Rows, s.Invalid, s.Elapsed.Round(1e6), rate)
	for _, msg := range s.Errors {
		fmt.Fprintf(e.stdout, "  invalid: %s\n", msg)
	}
}
