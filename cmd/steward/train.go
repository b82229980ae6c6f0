package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"slices"
	"strings"

	"github.com/steward-crm/steward/contact"
	"github.com/steward-crm/steward/input"
	"github.com/steward-crm/steward/pipeline/match"
	"github.com/steward-crm/steward/pipeline/stages"
	"github.com/steward-crm/steward/recleanse"
	"github.com/steward-crm/steward/registry"
	"github.com/steward-crm/steward/rules"
	"github.com/steward-crm/steward/warehouse"
)

func runTrain(ctx context.Context, args []string, e *env) error {
	fs := flag.NewFlagSet("train", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	var b batchFlags
	b.cf.register(fs)
	b.in.register(fs)
	out := fs.String("out", "", "model file to write (default: RULES_DIR/model.yaml; required with the embedded rules)")
	fromWarehouse := fs.Bool("warehouse", false, "train on the warehouse's live source records (-db, or the config's database) instead of files")
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "Usage: steward train [flags] FILE...\n       steward train -warehouse [flags]\n\nEstimates the match model without labels (u from random pairs, m and the prior by EM on the\nblocked pairs, term frequencies) and writes it as model.yaml into the rules directory.")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	switch {
	case *fromWarehouse && fs.NArg() > 0:
		return usageError{fmt.Errorf("-warehouse takes no FILE (it trains on the warehouse's records)")}
	case !*fromWarehouse && fs.NArg() == 0:
		return usageError{fmt.Errorf("want at least one FILE (or -warehouse)")}
	}
	if *fromWarehouse {
		if inputFlags := b.in.given(fs); len(inputFlags) > 0 {
			return usageError{fmt.Errorf("%s: an input flag, for files; -warehouse reads stored records", strings.Join(inputFlags, ", "))}
		}
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
	var m *rules.Model
	if *fromWarehouse {
		if m, err = trainOnWarehouse(ctx, e, &b.cf, cfg); err != nil {
			return err
		}
	} else {
		// The rows that could not be read or normalized, as dedupe reports them (train
		// dropped them without a word: "need at least 2 records, got 0" when all were).
		var rej recleanse.Rejected
		m, rej, err = recleanse.Train(ctx, cfg, fs.Args())
		if rej.Count > 0 {
			fmt.Fprintf(e.stderr, "%d records rejected\n", rej.Count)
			for _, r := range rej.First {
				fmt.Fprintf(e.stderr, "rejected: %s\n", r)
			}
		}
		if err != nil {
			return err
		}
	}
	data, err := m.Encode()
	if err != nil {
		return err
	}
	// The model holds the input's names and cities (term frequencies): written as every
	// output file is (createOutput: a new file 0600, replaced only once complete).
	if err := writeFileWith(path, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	}); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "model written to %s: %d records, %d blocked pairs, %s, %d EM iterations (converged %v), λ=%.4g, prior %.3g\n",
		path, m.Records, m.Pairs, emNote(m), m.Iterations, m.Converged, m.Lambda, m.Prior)
	bw := bufio.NewWriter(e.stdout)
	printModel(bw, m, cfg.Rules)
	return bw.Flush()
}

// emNote says how a trained model's m were estimated.
func emNote(m *rules.Model) string {
	if m.EM == match.EMAllPairs {
		return "m by one EM over all the blocked pairs (the blocking rules' keys do not tell them apart: two rules of one name, a name with \":\", or more than 32 rules)"
	}
	return "m by EM per blocking rule"
}

// printModel prints what the model estimated per level: m, u and the level's weight,
// log2(m/u) in bits, beside the weight the rules gave it before training (their m/u, or
// the model they already had).
func printModel(w io.Writer, m *rules.Model, r *rules.Rules) {
	fmt.Fprintf(w, "%-16s %-18s %10s %10s %8s %8s\n", "comparison", "level", "m", "u", "weight", "before")
	for _, c := range m.Comparisons {
		i := slices.IndexFunc(r.Match.Comparisons, func(rc rules.Comparison) bool { return rc.Name == c.Name })
		for _, l := range c.Levels {
			before := ""
			if i >= 0 {
				levels := r.Match.Comparisons[i].Levels
				if j := slices.IndexFunc(levels, func(rl rules.Level) bool { return rl.Name == l.Name }); j >= 0 {
					before = fmt.Sprintf("%+.1f", math.Log2(levels[j].M/levels[j].U))
				}
			}
			fmt.Fprintf(w, "%-16s %-18s %10.4g %10.4g %+8.1f %8s\n", c.Name, l.Name, l.M, l.U, math.Log2(l.M/l.U), before)
		}
	}
}

// trainOnWarehouse trains on the live source records of the configured warehouse, each
// normalized again with the current rules by the chains streaming runs: company.attach
// on the warehouse's registry, with domain learning off (training writes nothing).
func trainOnWarehouse(ctx context.Context, e *env, cf *configFlags, cfg recleanse.Config) (*rules.Model, error) {
	svc, err := openExisting(ctx, e, cf)
	if err != nil {
		return nil, err
	}
	defer svc.Close()
	r := *svc.Rules
	r.Enrich.Company.NoDomainLearning = true
	var deps stages.Deps
	if reg, ok := svc.Store.(warehouse.Registry); ok {
		deps.Directory = registry.Directory(reg)
	}
	norm, ident, err := stages.Chains(&r, deps)
	if err != nil {
		return nil, fmt.Errorf("rules %s: %w", r.Dir, err)
	}
	cfg.Normalize = func(ctx context.Context, rec *contact.Record) error {
		if err := norm.Process(ctx, rec); err != nil {
			return err
		}
		return ident.Process(ctx, rec)
	}
	src := func(ctx context.Context, emit func(input.Item) error) error {
		return svc.Store.EachSourceRecord(ctx, func(k warehouse.SourceKey, rec json.RawMessage) error {
			return emit(input.Item{Payload: rec, Key: k.Key(), Position: "warehouse " + k.Key()})
		})
	}
	m, rej, err := recleanse.TrainFrom(ctx, cfg, src)
	if err == nil && rej.Count > 0 {
		fmt.Fprintf(e.stderr, "%d stored records skipped (they do not pass the current rules), first: %s\n", rej.Count, strings.Join(rej.First, "; "))
	}
	return m, err
}
