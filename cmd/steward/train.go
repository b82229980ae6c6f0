package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/steward-crm/steward/recleanse"
	"github.com/steward-crm/steward/rules"
)

func runTrain(ctx context.Context, args []string, e *env) error {
	fs := flag.NewFlagSet("train", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	var b batchFlags
	b.cf.register(fs)
	b.in.register(fs)
	out := fs.String("out", "", "model file to write (default: RULES_DIR/model.yaml; required with the embedded rules)")
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "Usage: steward train [flags] FILE...\n\nEstimates the match model without labels (u from random pairs, m and the prior by EM on the\nblocked pairs, term frequencies) and writes it as model.yaml into the rules directory.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(interleaved(fs, args)); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return usageError{fmt.Errorf("want at least one FILE")}
	}
	cfg, err := b.config(e)
	if err != nil {
		return err
	}
	path := *out
	if path == "" {
		if cfg.Rules.Dir == "embedded" {
			return usageError{fmt.Errorf("-out is required with the embedded rules (or pass -rules DIR)")}
		}
		path = filepath.Join(cfg.Rules.Dir, rules.ModelFile)
	}
	m, err := recleanse.Train(ctx, cfg, fs.Args())
	if err != nil {
		return err
	}
	data, err := m.Encode()
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "model written to %s: %d records, %d blocked pairs, %d EM iterations (converged %v), λ=%.4g, prior %.3g\n",
		path, m.Records, m.Pairs, m.Iterations, m.Converged, m.Lambda, m.Prior)
	return nil
}
