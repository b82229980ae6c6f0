package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/steward-crm/steward/contact"
	"github.com/steward-crm/steward/input"
	"github.com/steward-crm/steward/pipeline/match"
	"github.com/steward-crm/steward/resolve"
	"github.com/steward-crm/steward/service"
	"github.com/steward-crm/steward/warehouse"
)

// runCompare scores two records against each other under the current rules and prints
// the explanation (the waterfall of the match weight, field by field), the decision it
// leads to and the blocking keys the two share: the question a steward or an analyst
// asks of a pair ("why were these two merged?", "why not?"). The records are stored
// source records of the warehouse, or with -file records of a file, normalized as
// ingest normalizes them.
func runCompare(ctx context.Context, args []string, e *env) error {
	fs := flag.NewFlagSet("compare", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	var cf configFlags
	var in inputFlags
	cf.register(fs)
	in.register(fs)
	file := fs.String("file", "", "read the two records from this JSONL/CSV file (normalized as ingest does) instead of the warehouse")
	asJSON := fs.Bool("json", false, "print the comparison as one JSON object")
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "Usage: steward compare [flags] SOURCE:ID SOURCE:ID\n\nScores two records against each other under the current rules and explains the weight field\nby field, with the decision it leads to and the blocking keys they share (a pair that shares\nnone is never compared). The records are the warehouse's stored source records, or with\n-file FILE two records of FILE. Nothing is written.")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 2 {
		return usageError{fmt.Errorf("want two record keys (source:source_id), got %d arguments", fs.NArg())}
	}
	keys := [2]string{fs.Arg(0), fs.Arg(1)}
	for _, k := range keys {
		if s, id, ok := strings.Cut(k, ":"); !ok || s == "" || id == "" {
			return usageError{fmt.Errorf("%q: want a record key source:source_id", k)}
		}
	}
	if keys[0] == keys[1] {
		return usageError{fmt.Errorf("%s twice: want two records", keys[0])}
	}
	var recs [2]*contact.Record
	var masters [2]int64
	var svc *service.Service
	if *file != "" {
		if err := checkInputs([]string{*file}); err != nil {
			return err
		}
		opts, cfg, err := in.load(e, &cf)
		if err != nil {
			return err
		}
		if svc, err = service.Build(cfg); err != nil {
			return err
		}
		if recs, err = compareFromFile(ctx, svc, *file, opts, keys); err != nil {
			return err
		}
	} else {
		if inputFlags := in.given(fs); len(inputFlags) > 0 {
			return usageError{fmt.Errorf("%s: an input flag, for -file; without it the records are the warehouse's", strings.Join(inputFlags, ", "))}
		}
		var err error
		if svc, err = openExisting(ctx, e, &cf); err != nil {
			return err
		}
		defer svc.Close()
		// Two reads of their own, not a transaction: on SQLite a transaction takes the
		// write lock (BEGIN IMMEDIATE), and compare waited for a running ingest's.
		for i, k := range keys {
			s, id, _ := strings.Cut(k, ":")
			row, err := svc.Store.SourceRecord(ctx, s, id)
			if errors.Is(err, warehouse.ErrNotFound) {
				return fmt.Errorf("%s: no such source record in the warehouse", k)
			}
			if err != nil {
				return err
			}
			if row.Deleted {
				return fmt.Errorf("%s: withdrawn (deleted) from the warehouse", k)
			}
			recs[i], masters[i] = row.Record, row.MasterID
		}
	}
	c := comparePair(svc.Engine, recs, masters)
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(c)
	}
	printComparison(e.stdout, c, svc.Engine)
	return nil
}

// comparison is what compare prints.
type comparison struct {
	Records [2]string `json:"records"`
	// Masters are the records' masters in the warehouse (absent with -file).
	Masters  *[2]int64   `json:"masters,omitempty"`
	Score    match.Score `json:"score"`
	Decision string      `json:"decision"` // streaming: link, review or new
	// SharedKeys are the blocking keys the two records share ("rule:value"); none: the
	// engine never compares them.
	SharedKeys []string `json:"shared_keys"`
}

// comparePair scores recs[0] against recs[1] (their normalized forms) under eng.
func comparePair(eng *match.Engine, recs [2]*contact.Record, masters [2]int64) comparison {
	c := comparison{Records: [2]string{recs[0].Key(), recs[1].Key()}, SharedKeys: []string{}}
	if masters[0] != 0 || masters[1] != 0 {
		c.Masters = &masters
	}
	c.Score = eng.Score(recs[0].Norm, recs[1].Norm)
	c.Decision = string(eng.Decide(c.Score.Probability))
	b := eng.BlockKeys(recs[1].Norm)
	for _, k := range eng.BlockKeys(recs[0].Norm) {
		if _, found := slices.BinarySearch(b, k); found {
			c.SharedKeys = append(c.SharedKeys, k)
		}
	}
	return c
}

// printComparison writes c as compare's text: the decision, the shared keys, then the
// weight from the prior field by field.
func printComparison(w io.Writer, c comparison, eng *match.Engine) {
	m := eng.Rules().Match
	decision := decisionText[match.Decision(c.Decision)]
	if len(c.SharedKeys) == 0 && match.Decision(c.Decision) != match.NewMaster {
		decision += " if they were compared"
	}
	fmt.Fprintf(w, "%s ~ %s: weight %.2f, probability %.6g: %s (streaming: link at %g or more, review at %g or more; batch runs link at %g or more)\n",
		c.Records[0], c.Records[1], c.Score.Weight, c.Score.Probability, decision, m.AutoThreshold, m.ReviewThreshold, m.BatchThreshold)
	if len(c.SharedKeys) == 0 {
		fmt.Fprintln(w, "blocking keys in common: none (the engine never compares these two with each other: no blocking rule gives them a key in common; they can still meet through other records)")
	} else {
		fmt.Fprintf(w, "blocking keys in common: %s\n", strings.Join(c.SharedKeys, ", "))
	}
	if c.Masters != nil {
		if c.Masters[0] == c.Masters[1] {
			fmt.Fprintf(w, "warehouse: both in master %d\n", c.Masters[0])
		} else {
			fmt.Fprintf(w, "warehouse: %s in master %d, %s in master %d\n", c.Records[0], c.Masters[0], c.Records[1], c.Masters[1])
		}
	}
	printWaterfall(w, "  ", c.Score)
}

// decisionText is how compare names a streaming decision.
var decisionText = map[match.Decision]string{match.Link: "link", match.Review: "review", match.NewMaster: "no match (a new master)"}

// printWaterfall writes a score's explanation, a line each, indented: the prior, each
// comparison's level and weight with the values compared (and the part of the weight
// the value's frequency made), and the total.
func printWaterfall(w io.Writer, indent string, sc match.Score) {
	if sc.Against != "" {
		fmt.Fprintf(w, "%scompared with %s\n", indent, sc.Against)
	}
	if sc.Swapped {
		fmt.Fprintf(w, "%snames compared crosswise (one record's given and family names are the other's swapped)\n", indent)
	}
	fmt.Fprintf(w, "%s%-16s %-18s %+7.2f\n", indent, "prior", "", sc.Prior)
	for _, f := range sc.Fields {
		line := fmt.Sprintf("%s%-16s %-18s %+7.2f", indent, f.Comparison, f.Level, f.Weight)
		if f.Level != "missing" {
			line += fmt.Sprintf("  %q ~ %q", f.A, f.B)
		}
		if f.TermFrequency != 0 {
			line += fmt.Sprintf("  (term frequency %+.2f)", f.TermFrequency)
		}
		fmt.Fprintln(w, line)
	}
	fmt.Fprintf(w, "%s%-16s %-18s %+7.2f (probability %.6g)\n", indent, "total", "", sc.Weight, sc.Probability)
}

// compareFromFile reads file and returns the records of keys, normalized and identified
// as ingest does (without a warehouse: no registry to attach companies from). Of a
// key's versions, the one ingest would store is kept (keptVersion): the newest by
// updated_at, whatever the line order; a key withdrawn by its newest version is an
// error, as in the warehouse.
func compareFromFile(ctx context.Context, svc *service.Service, file string, opts input.Options, keys [2]string) ([2]*contact.Record, error) {
	var out [2]*contact.Record
	var kept [2]*warehouse.SourceRow
	rd, closeFn, err := input.Open(file, opts)
	if err != nil {
		return out, err
	}
	defer closeFn()
	for {
		it, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return out, err
		}
		if it.Err != nil {
			continue // a row that is no record: it cannot be one of the keys' (its error is ingest's)
		}
		r, err := contact.Decode(it.Payload)
		if err != nil {
			continue
		}
		i := slices.Index(keys[:], r.Key())
		if i < 0 {
			continue
		}
		if r.EffectiveOp() != contact.OpDelete {
			if err := svc.NormalizeChain.Process(ctx, r); err != nil {
				return out, fmt.Errorf("%s: %w", r.Key(), err)
			}
			if err := svc.IdentifyChain.Process(ctx, r); err != nil {
				return out, fmt.Errorf("%s: %w", r.Key(), err)
			}
		}
		kept[i] = keptVersion(kept[i], r)
	}
	for i, v := range kept {
		switch {
		case v == nil:
			return out, fmt.Errorf("%s: no such record in %s (or not a valid one: `steward normalize %s` shows why)", keys[i], file, file)
		case v.Deleted:
			return out, fmt.Errorf("%s: withdrawn (op delete) in %s", keys[i], file)
		}
		out[i] = v.Record
	}
	return out, nil
}

// keptVersion returns what ingest stores of a key when r comes after prev (nil: none
// stored): prev when r is stale (resolve.Stale), else r's version, withdrawn for a
// withdrawal (the withdrawal of a record never stored is kept too: an older version
// after it is stale), with the newest updated_at seen.
func keptVersion(prev *warehouse.SourceRow, r *contact.Record) *warehouse.SourceRow {
	if prev != nil && resolve.Stale(r, prev) {
		return prev
	}
	next := &warehouse.SourceRow{Record: r, UpdatedAt: r.UpdatedAt, Deleted: r.EffectiveOp() == contact.OpDelete}
	if prev != nil && prev.UpdatedAt.After(next.UpdatedAt) {
		next.UpdatedAt = prev.UpdatedAt
	}
	return next
}
