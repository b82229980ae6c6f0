package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/steward-crm/steward/synth"
)

func runGen(ctx context.Context, args []string, e *env) error {
	fs := flag.NewFlagSet("gen", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	var cfg synth.Config
	fs.IntVar(&cfg.N, "n", 1000, "number of records")
	fs.Float64Var(&cfg.DupRate, "dup-rate", 0.3, "fraction of records that duplicate another record of the same person (0 for none)")
	fs.IntVar(&cfg.MaxPerEntity, "max-per-entity", 5, "maximum records per person")
	fs.Int64Var(&cfg.Seed, "seed", 1, "random seed: the same flags give the same output")
	fs.Float64Var(&cfg.Corruption, "corruption", 0.5, "0..1 intensity of typos, format changes and missing fields in duplicates (0 for none)")
	fs.Float64Var(&cfg.CompanyRate, "company-rate", 0.5, "fraction of people who are B2B contacts with a company (0 for none)")
	countries := fs.String("countries", "FR,US,GB,DE", "comma-separated countries")
	sources := fs.String("sources", strings.Join(synth.DefaultSources, ","), "comma-separated source system names")
	out := fs.String("o", "-", "output file ('-': stdout); .csv writes CSV, anything else JSONL")
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "Usage: steward gen [flags]\n\nGenerates synthetic person+company contacts with realistic corruption. Each record carries\nits ground-truth entity id in attributes.entity_id (CSV column entity_id).")
		fs.PrintDefaults()
	}
	if err := parseFlagsNoArgs(fs, args); err != nil {
		return err
	}
	if cfg.N <= 0 || cfg.MaxPerEntity <= 0 {
		return usageError{fmt.Errorf("-n and -max-per-entity: want positive numbers, got %d and %d", cfg.N, cfg.MaxPerEntity)}
	}
	for _, f := range []struct {
		name string
		r    *float64
	}{{"-dup-rate", &cfg.DupRate}, {"-corruption", &cfg.Corruption}, {"-company-rate", &cfg.CompanyRate}} {
		if *f.r < 0 {
			return usageError{fmt.Errorf("%s: want 0 or more, got %g", f.name, *f.r)}
		}
		if *f.r == 0 {
			*f.r = synth.None
		}
	}
	cfg.Countries = strings.Split(*countries, ",")
	cfg.Sources = strings.Split(*sources, ",")
	if err := cfg.ValidateNamed(genFlags); err != nil {
		return usageError{err}
	}
	g, err := synth.New(cfg)
	if err != nil {
		return usageError{err}
	}
	csv := strings.HasSuffix(strings.ToLower(*out), ".csv")
	return writeOutput(e, *out, "records", func(w io.Writer) (int, error) { return writeGenerated(ctx, g, w, csv) })
}

// genFlags are gen's flags by the synth.Config field they set, for synth's errors.
var genFlags = map[string]string{"N": "-n", "DupRate": "-dup-rate", "MaxPerEntity": "-max-per-entity",
	"Seed": "-seed", "Corruption": "-corruption", "CompanyRate": "-company-rate", "Countries": "-countries",
	"Sources": "-sources"}

func writeGenerated(ctx context.Context, g *synth.Generator, w io.Writer, csv bool) (int, error) {
	if csv {
		return synth.WriteCSV(w, g)
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	n := 0
	for {
		if n%10000 == 0 && ctx.Err() != nil {
			return n, ctx.Err()
		}
		r, err := g.Next()
		if errors.Is(err, io.EOF) {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		if err := enc.Encode(r); err != nil {
			return n, err
		}
		n++
	}
}
