package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/url"
	"time"

	"github.com/steward-crm/steward/service"
)

func runIngest(ctx context.Context, args []string, e *env) error {
	fs := flag.NewFlagSet("ingest", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	var cf configFlags
	var in inputFlags
	cf.register(fs)
	in.register(fs)
	quiet := fs.Bool("q", false, "no progress output")
	asJSON := fs.Bool("json", false, "print the summary as JSON")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile (pprof) of the run to this file")
	events := fs.String("events", "", "append the golden-record change events to this file as JSON lines (every event pending in the outbox, earlier runs' too; default: they wait in the outbox for 'steward run')")
	noEvents := fs.Bool("no-events", false, "write no change events at all (nothing will forward them; the audit log keeps every change)")
	httpAddr := fs.String("http", "", "serve /metrics, /healthz and /readyz on this address while the ingest runs, as 'steward run' does (e.g. :9090; default: none)")
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "Usage: steward ingest [flags] FILE... (FILE '-' or none: stdin)\n\nReads JSONL or CSV records through Normalize → Identify → Resolve into the warehouse.")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	files := fs.Args()
	if len(files) == 0 {
		files = []string{"-"}
	}
	opts, err := in.options(e.stderr)
	if err != nil {
		return usageError{err}
	}
	if *events != "" && *noEvents {
		return usageError{fmt.Errorf("-events and -no-events: choose one")}
	}
	cfg, err := cf.load(e)
	if err != nil {
		return err
	}
	if err := checkInputs(files); err != nil {
		return err
	}
	svc, err := service.Open(ctx, cfg)
	if err != nil {
		return err
	}
	defer svc.Close()
	if *cpuProfile != "" {
		stop, err := startCPUProfile(*cpuProfile)
		if err != nil {
			return err
		}
		defer stop()
	}
	p := newProgress(e.stderr, *quiet)
	// The first signal stops the reading; say so (it printed nothing while the records
	// read were written).
	said := context.AfterFunc(ctx, func() {
		fmt.Fprintf(e.stderr, "\nstopping: the records read are being written (abandoned after %s; a second signal ends at once)\n", service.StopGrace)
	})
	defer said()
	sum, err := svc.Ingest(ctx, service.IngestOptions{Inputs: files, Input: opts, Progress: p.report, ProgressEvery: 200 * time.Millisecond, Events: *events, NoEvents: *noEvents,
		HTTP: *httpAddr, Ready: func(addr string) { fmt.Fprintf(e.stderr, "metrics: http://%s/metrics\n", addr) }})
	p.finish()
	if err != nil && sum.Read == 0 {
		return err // it never started (an -http address in use): no summary of nothing
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(sum)
	} else {
		printSummary(e, sum, shownDatabase(svc.Config.Database))
	}
	if err == nil && sum.Read > 0 && sum.Accepted == 0 {
		// A scheduled job whose every record was refused (a file in another encoding, a
		// layout that changed) must not read as a success.
		return fmt.Errorf("no record accepted: all %d dead-lettered (steward stats -dead-letters 20 shows why)", sum.DeadLettered)
	}
	return err
}

func printSummary(e *env, s service.IngestSummary, db string) {
	w := e.stdout
	fmt.Fprintf(w, "records read:           %d\n", s.Read)
	fmt.Fprintf(w, "  accepted:             %d\n", s.Accepted)
	fmt.Fprintf(w, "  dead-lettered:        %d\n", s.DeadLettered)
	fmt.Fprintf(w, "masters created:        %d\n", s.MastersCreated)
	fmt.Fprintf(w, "linked to a master:     %d\n", s.Linked)
	fmt.Fprintf(w, "review items queued:    %d\n", s.ReviewItems)
	fmt.Fprintf(w, "updated in place:       %d\n", s.Updated)
	fmt.Fprintf(w, "unchanged:              %d\n", s.Unchanged)
	if s.Stale > 0 {
		fmt.Fprintf(w, "stale (older) ignored:  %d\n", s.Stale)
	}
	if s.Withdrawn > 0 {
		fmt.Fprintf(w, "withdrawn (op delete):  %d\n", s.Withdrawn)
	}
	if s.WithdrawnUnknown > 0 {
		fmt.Fprintf(w, "withdrawn, never received: %d (nothing to withdraw; kept, so that an older version arriving later is ignored)\n", s.WithdrawnUnknown)
	}
	if s.SkippedKeys > 0 {
		fmt.Fprintf(w, "oversized block keys:   %d skipped\n", s.SkippedKeys)
	}
	rate := 0.0
	if s.Duration > 0 {
		rate = float64(s.Read) / s.Duration.Seconds()
	}
	fmt.Fprintf(w, "time:                   %s (%.0f records/s)\nwarehouse:              %s\n", s.Duration.Round(time.Millisecond), rate, db)
	if s.DeadLettered > 0 {
		fmt.Fprintf(w, "dead letters: see `steward stats -dead-letters 20`\n")
	}
	for _, a := range s.Advice {
		fmt.Fprintf(w, "advice: %s\n", a)
	}
}

// shownDatabase is the warehouse as printed: a URL's password masked (a summary goes to
// cron's and CI's logs; the URL's password was printed in clear).
func shownDatabase(db string) string {
	if u, err := url.Parse(db); err == nil && u.User != nil {
		return u.Redacted()
	}
	return db
}
