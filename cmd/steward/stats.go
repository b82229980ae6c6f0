package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"sort"

	"github.com/steward-crm/steward/service"
	"github.com/steward-crm/steward/warehouse"
)

func runStats(ctx context.Context, args []string, e *env) error {
	fs := flag.NewFlagSet("stats", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	var cf configFlags
	cf.register(fs)
	asJSON := fs.Bool("json", false, "print as JSON")
	dead := fs.Int("dead-letters", 0, "also list the N most recent dead letters")
	if err := parseFlagsNoArgs(fs, args); err != nil {
		return err
	}
	if *dead < 0 {
		return usageError{fmt.Errorf("-dead-letters: want 0 or more, got %d", *dead)}
	}
	svc, err := openExisting(ctx, e, &cf)
	if err != nil {
		return err
	}
	defer svc.Close()
	st, err := svc.Store.Stats(ctx)
	if err != nil {
		return err
	}
	dls, err := svc.Store.DeadLetters(ctx, *dead)
	if err != nil {
		return err
	}
	if dls == nil {
		dls = []warehouse.DeadLetter{} // an array in -json, as advice
	}
	advice := []string{}
	if a := service.PriorAdvice(svc.Rules.Match.Prior, st.SourceRecords); a != "" {
		advice = append(advice, a)
	}
	w := bufio.NewWriter(e.stdout)
	if *asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		if err := enc.Encode(map[string]any{"stats": st, "dead_letters": dls, "advice": advice}); err != nil {
			return err
		}
		return w.Flush()
	}
	fmt.Fprintf(w, "source records:        %d (%d withdrawn)\n", st.SourceRecords, st.Deleted)
	fmt.Fprintf(w, "golden records:        %d (%d with several source records)\n", st.Masters, st.MultiMasters)
	fmt.Fprintf(w, "review items open:     %d\n", st.ReviewOpen)
	for _, k := range sortedKeys(st.ReviewByKind) {
		fmt.Fprintf(w, "  %-20s %d\n", k, st.ReviewByKind[k])
	}
	fmt.Fprintf(w, "dead letters:          %d\n", st.DeadLetters)
	fmt.Fprintf(w, "outbox pending:        %d\n", st.OutboxPending)
	fmt.Fprintf(w, "average quality:       %.1f / 100\n", st.AverageQuality)
	fmt.Fprintln(w, "audit events:")
	for _, k := range sortedKeys(st.Events) {
		fmt.Fprintf(w, "  %-20s %d\n", k, st.Events[k])
	}
	fmt.Fprintln(w, "field statuses (valid / corrected / invalid / missing):")
	for _, f := range sortedKeys(st.FieldStatuses) {
		m := st.FieldStatuses[f]
		fmt.Fprintf(w, "  %-14s %7d %7d %7d %7d\n", f, m["valid"], m["corrected"], m["invalid"], m["missing"])
	}
	if len(st.IssueCodes) > 0 {
		fmt.Fprintln(w, "issue codes:")
		codes := sortedKeys(st.IssueCodes)
		sort.SliceStable(codes, func(i, j int) bool { return st.IssueCodes[codes[i]] > st.IssueCodes[codes[j]] })
		for _, c := range codes {
			fmt.Fprintf(w, "  %-40s %d\n", c, st.IssueCodes[c])
		}
	}
	if len(dls) > 0 {
		fmt.Fprintln(w, "recent dead letters:")
		for _, d := range dls {
			fmt.Fprintf(w, "  %s [%s] %s\n", d.Position, d.Stage, d.Reason)
		}
	}
	for _, a := range advice {
		fmt.Fprintf(w, "advice: %s\n", a)
	}
	return w.Flush() // a write error (a full disk) is kept until here
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
