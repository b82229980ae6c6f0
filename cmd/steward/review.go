package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"

	"github.com/steward-crm/steward/pipeline/match"
	"github.com/steward-crm/steward/warehouse"
)

// runReview lists the review queue: the pairs the engine was unsure about, the records
// that bridge two masters and the low-confidence company attachments. Deciding on them
// is the stewards' web workplace's job (a later issue); this is the read-only view.
func runReview(ctx context.Context, args []string, e *env) error {
	fs := flag.NewFlagSet("review", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	var cf configFlags
	cf.register(fs)
	status := fs.String("status", warehouse.ReviewOpen, "open, merged, rejected, deferred, superseded, or '' for all")
	kind := fs.String("kind", "", "pair, merge, split or company ('' for all)")
	limit := fs.Int("limit", 100, "list at most this many items, oldest first")
	asJSON := fs.Bool("json", false, "one JSON object per item (with the explanation)")
	explain := fs.Bool("explain", false, "print each item's explanation under it: the match weight field by field (a company suggestion's evidence)")
	out := fs.String("o", "-", "output file ('-': stdout)")
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "Usage: steward review [flags]\n\nLists the review queue (read-only).")
		fs.PrintDefaults()
	}
	if err := parseFlagsNoArgs(fs, args); err != nil {
		return err
	}
	switch *kind {
	case "", warehouse.ReviewPair, warehouse.ReviewMerge, warehouse.ReviewSplit, warehouse.ReviewCompany:
	default:
		return usageError{fmt.Errorf("-kind: want pair, merge, split or company, got %q", *kind)}
	}
	switch *status {
	case "", warehouse.ReviewOpen, "merged", "rejected", "deferred", "superseded":
	default:
		return usageError{fmt.Errorf("-status: want open, merged, rejected, deferred, superseded or '' (all), got %q", *status)}
	}
	if *limit <= 0 {
		return usageError{fmt.Errorf("-limit: want a positive number, got %d", *limit)}
	}
	if *explain && *asJSON {
		// -json was printed and -explain dropped without a word.
		return usageError{fmt.Errorf("-explain with -json: each JSON item carries its explanation already; one of them")}
	}
	svc, err := openExisting(ctx, e, &cf)
	if err != nil {
		return err
	}
	defer svc.Close()
	items, err := svc.Store.ReviewItems(ctx, *status, *kind, *limit)
	if err != nil {
		return err
	}
	return writeOutput(e, *out, "review items", func(w io.Writer) (int, error) {
		if *asJSON {
			enc := json.NewEncoder(w)
			for i := range items {
				if err := enc.Encode(&items[i]); err != nil {
					return 0, err
				}
			}
			return len(items), nil
		}
		fmt.Fprintf(w, "%-6s %-8s %-10s %-6s %-28s %-8s %s\n", "id", "kind", "status", "score", "record", "master", "candidate")
		for _, it := range items {
			// The record of the master the item was scored against (explanations since
			// 2026-12-06 name it).
			sc, scored := itemScore(it)
			against := sc.Against
			cand := fmt.Sprintf("master %d", it.CandidateID)
			switch {
			case it.Kind == warehouse.ReviewCompany:
				cand = "company " + it.CompanyKey
			case it.Kind == warehouse.ReviewSplit && against != "":
				cand = "its fellow " + against
			case it.Kind == warehouse.ReviewSplit:
				cand = "(its fellow members)"
			case against != "":
				cand += " (" + against + ")"
			}
			fmt.Fprintf(w, "%-6d %-8s %-10s %-6.3f %-28s %-8d %s\n", it.ID, it.Kind, it.Status, it.Score, it.SourceKey, it.MasterID, cand)
			if *explain {
				printExplanation(w, it, sc, scored)
			}
		}
		return len(items), nil
	})
}

// itemScore decodes a review item's explanation as the match score it is (ok), for any
// kind but a company suggestion's.
func itemScore(it warehouse.ReviewItem) (sc match.Score, ok bool) {
	if it.Kind == warehouse.ReviewCompany || json.Unmarshal(it.Explanation, &sc) != nil {
		return match.Score{}, false
	}
	return sc, len(sc.Fields) > 0
}

// printExplanation writes a review item's stored explanation under its line: its match
// score (sc, when scored) as its waterfall, anything else (a company suggestion's
// evidence) as indented JSON.
func printExplanation(w io.Writer, it warehouse.ReviewItem, sc match.Score, scored bool) {
	if len(it.Explanation) == 0 {
		fmt.Fprintln(w, "       (no explanation stored)")
		return
	}
	if scored {
		printWaterfall(w, "       ", sc)
		return
	}
	var buf bytes.Buffer
	if err := json.Indent(&buf, it.Explanation, "       ", "  "); err != nil {
		fmt.Fprintf(w, "       %s\n", it.Explanation)
		return
	}
	fmt.Fprintf(w, "       %s\n", buf.Bytes())
}
