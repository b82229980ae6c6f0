package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/steward-crm/steward/recleanse"
)

func runLink(ctx context.Context, args []string, e *env) error {
	fs := flag.NewFlagSet("link", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	var b batchFlags
	b.register(fs)
	b.inB = &inputFlags{}
	b.inB.registerB(fs)
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "Usage: steward link [flags] A B\n\nLinks the records of file A with those of file B (only pairs across the files are compared).\nThe input flags read both files; a -*-b flag replaces its flag for file B (-map-b: a source\nor date_order its file sets wins over -source and -date-order).")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 2 {
		return usageError{fmt.Errorf("want two files, A and B")}
	}
	if err := b.checkOutputs(fs.Args()); err != nil {
		return err
	}
	return b.runBatch(e, func(cfg recleanse.Config) (*recleanse.Result, error) {
		return recleanse.Link(ctx, cfg, []string{fs.Arg(0)}, []string{fs.Arg(1)})
	})
}
