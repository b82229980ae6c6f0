package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/steward-crm/steward/recleanse"
)

func runDedupe(ctx context.Context, args []string, e *env) error {
	fs := flag.NewFlagSet("dedupe", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	var b batchFlags
	b.register(fs)
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "Usage: steward dedupe [flags] FILE...\n\nFinds duplicates in JSONL/CSV files without a warehouse: normalize, block, score, cluster.")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return usageError{fmt.Errorf("want at least one FILE")}
	}
	if err := b.checkOutputs(fs.Args()); err != nil {
		return err
	}
	return b.runBatch(e, func(cfg recleanse.Config) (*recleanse.Result, error) {
		return recleanse.Dedupe(ctx, cfg, fs.Args())
	})
}
