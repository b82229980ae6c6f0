package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"

	"github.com/steward-crm/steward/input"
	"github.com/steward-crm/steward/service"
)

func runNormalize(ctx context.Context, args []string, e *env) error {
	fs := flag.NewFlagSet("normalize", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	var cf configFlags
	var in inputFlags
	cf.register(fs)
	in.register(fs)
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "Usage: steward normalize [flags] [FILE|-]\n\nPrints each record normalized as JSONL, with every field's status and issue codes; records that\nwould be dead-lettered are printed with their error. Nothing is written to the warehouse.")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 1 {
		return usageError{fmt.Errorf("at most one FILE")}
	}
	name := fs.Arg(0)
	if name == "" {
		name = "-"
	}
	opts, err := in.options()
	if err != nil {
		return usageError{err}
	}
	cfg, err := cf.load(e)
	if err != nil {
		return err
	}
	svc, err := service.Build(cfg)
	if err != nil {
		return err
	}
	var rd *input.Reader
	if name == "-" {
		rd = input.NewReader(e.stdin, "stdin", opts)
	} else {
		r, closeFn, err := input.Open(name, opts)
		if err != nil {
			return err
		}
		defer closeFn()
		rd = r
	}
	w := bufio.NewWriter(e.stdout)
	read, failed, err := svc.NormalizeStream(ctx, rd, w)
	if ferr := w.Flush(); err == nil {
		err = ferr
	}
	fmt.Fprintf(e.stderr, "%d records normalized, %d rejected\n", read-failed, failed)
	return err
}
