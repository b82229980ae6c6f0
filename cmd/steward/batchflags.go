package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/steward-crm/steward/contact"
	"github.com/steward-crm/steward/input"
	"github.com/steward-crm/steward/internal/gctune"
	"github.com/steward-crm/steward/recleanse"
	"github.com/steward-crm/steward/service"
)

// batchFlags are the flags of dedupe and link.
type batchFlags struct {
	cf          configFlags
	in          inputFlags
	inB         *inputFlags // link's file B (registerB); nil for dedupe
	out         string
	pairs       string
	pairsMin    float64
	truth       string
	train       string
	threshold   float64
	metricsJSON string
	top         int
	thresholds  string
	sweep       []float64 // parsed from thresholds
	cpuProfile  string
	memProfile  string
	memLimit    int64
}

func (b *batchFlags) register(fs *flag.FlagSet) {
	b.cf.register(fs)
	b.in.register(fs)
	fs.StringVar(&b.out, "out", "", "write clusters as CSV to this file (cluster_id, cluster_size, source, source_id)")
	fs.StringVar(&b.pairs, "pairs", "", "write the candidate pairs scored at or above -pairs-threshold as CSV to this file: both records, probability, weight, same_cluster, swapped, and per comparison its level and weight")
	fs.Float64Var(&b.pairsMin, "pairs-threshold", 0.5, "match probability from which -pairs writes a pair")
	fs.StringVar(&b.truth, "truth", "", "attribute or unmapped CSV column with the true entity id: print precision, recall, F1 and the top errors")
	fs.StringVar(&b.train, "train", "auto", "estimate the model from the input: auto (when the rules have no model.yaml), always, never")
	fs.Float64Var(&b.threshold, "threshold", 0, "match probability that links a pair (default: the rules' batch_threshold)")
	fs.StringVar(&b.metricsJSON, "metrics-json", "", "write {precision, recall, f1, pairs_compared, seconds, peak_memory} to this file")
	fs.IntVar(&b.top, "top", 5, "false positives and negatives to explain with -truth")
	fs.StringVar(&b.thresholds, "thresholds", "default", "with -truth, also cluster at these match probabilities (comma-separated; the run's threshold is added) and print precision, recall and F1 at each; 'default': "+floatList(recleanse.SweepThresholds)+"; 'none': skip")
	fs.StringVar(&b.cpuProfile, "cpuprofile", "", "write a CPU profile (pprof) of the run to this file")
	fs.StringVar(&b.memProfile, "memprofile", "", "write an allocation profile (pprof allocs) of the run to this file")
	fs.Int64Var(&b.memLimit, "memory-limit", 3<<30, "soft memory limit in bytes (the garbage collector works harder near it; GOMEMLIMIT in the environment wins; 0: none, GOGC then follows STEWARD_GC_FLOOR)")
}

// config builds the batch configuration: rules and normalization chains of the service.
func (b *batchFlags) config(e *env) (recleanse.Config, error) {
	if b.top < 0 {
		return recleanse.Config{}, usageError{fmt.Errorf("-top: want 0 or more, got %d", b.top)}
	}
	if b.memLimit < 0 {
		return recleanse.Config{}, usageError{fmt.Errorf("-memory-limit: want 0 (none) or more bytes, got %d", b.memLimit)}
	}
	switch b.train {
	case "", recleanse.TrainAuto, recleanse.TrainAlways, recleanse.TrainNever: // "": train has no -train
	default:
		return recleanse.Config{}, usageError{fmt.Errorf("-train: want auto, always or never, got %q", b.train)}
	}
	if b.pairs != "" && !(b.pairsMin > 0 && b.pairsMin < 1) { // NaN too
		return recleanse.Config{}, usageError{fmt.Errorf("-pairs-threshold: want a match probability between 0 and 1, got %v", b.pairsMin)}
	}
	if !(b.threshold >= 0 && b.threshold < 1) { // NaN too
		return recleanse.Config{}, usageError{fmt.Errorf("-threshold: want a probability below 1 (0: the rules' batch_threshold), got %v", b.threshold)}
	}
	sweep, err := parseThresholds(b.thresholds)
	if err != nil {
		return recleanse.Config{}, usageError{err}
	}
	b.sweep = sweep
	opts, err := b.in.options(e.stderr)
	if err != nil {
		return recleanse.Config{}, usageError{err}
	}
	var optsB *input.Options
	if b.inB != nil && b.inB.isSet() {
		o, err := b.inB.optionsB(&b.in, e.stderr)
		if err != nil {
			return recleanse.Config{}, usageError{err}
		}
		optsB = &o
	}
	if b.truth != "" {
		opts.Read = []string{b.truth}
		if optsB != nil {
			optsB.Read = opts.Read
		}
	}
	cfg, err := b.cf.load(e)
	if err != nil {
		return recleanse.Config{}, err
	}
	svc, err := service.Build(cfg)
	if err != nil {
		return recleanse.Config{}, err
	}
	return recleanse.Config{
		Rules: svc.Rules, Input: opts, InputB: optsB, Truth: b.truth, Train: b.train, Threshold: b.threshold,
		Normalize: func(ctx context.Context, r *contact.Record) error {
			if err := svc.NormalizeChain.Process(ctx, r); err != nil {
				return err
			}
			return svc.IdentifyChain.Process(ctx, r)
		},
		Phase: func(name string, took time.Duration) { printPhase(e.stderr, name, took) },
	}, nil
}

// printPhase says that a step of a batch run ended and how long it took.
func printPhase(w io.Writer, name string, took time.Duration) {
	fmt.Fprintf(w, "%-8s done in %s\n", name, took.Round(time.Millisecond))
}

// checkOutputs refuses -out, -pairs and -metrics-json naming an input file or one another.
func (b *batchFlags) checkOutputs(inputs []string) error {
	return checkOutputs(inputs, map[string]string{"-out": b.out, "-pairs": b.pairs, "-metrics-json": b.metricsJSON})
}

// runBatch runs dedupe or link and reports.
func (b *batchFlags) runBatch(e *env, do func(recleanse.Config) (*recleanse.Result, error)) error {
	cfg, err := b.config(e)
	if err != nil {
		return err
	}
	if b.cpuProfile != "" {
		stop, err := startCPUProfile(b.cpuProfile)
		if err != nil {
			return err
		}
		defer stop()
	}
	batchGC(b.memLimit, os.Getenv("GOGC") != "", os.Getenv("GOMEMLIMIT") != "")
	start := time.Now()
	res, err := do(cfg)
	if err != nil {
		return err
	}
	if b.memProfile != "" {
		if err := writeAllocProfile(b.memProfile); err != nil {
			return err
		}
	}
	if b.out != "" {
		if err := writeFileWith(b.out, res.WriteClusters); err != nil {
			return err
		}
	}
	secs := time.Since(start).Seconds()
	// The run's peak: what -pairs and the evaluation below take is not the run's.
	peak := recleanse.PeakMemory()
	if b.pairs != "" {
		var n int
		if err := writeFileWith(b.pairs, func(w io.Writer) (err error) {
			n, err = res.WritePairs(w, b.pairsMin)
			return err
		}); err != nil {
			return err
		}
		fmt.Fprintf(e.stderr, "%d pairs at or above %v written to %s\n", n, b.pairsMin, b.pairs)
	}
	printBatchSummary(e.stderr, res, secs)
	if len(res.Records) == 0 {
		// Figures of nothing read as perfect (precision, recall and F1 of 1), and the run
		// as a success.
		if res.Rejected.Count > 0 {
			return fmt.Errorf("no record to compare: all %d rejected (the first reasons above; `steward normalize FILE` shows each)", res.Rejected.Count)
		}
		return errors.New("no record to compare: the input is empty")
	}
	m := batchMetrics{PairsCompared: res.Block.Pairs, Seconds: secs, Records: len(res.Records), Rejected: res.Rejected.Count, PeakMemory: peak}
	if b.truth != "" {
		rep := res.Evaluate(b.top)
		bw := bufio.NewWriter(e.stdout)
		printReport(bw, rep)
		t0 := time.Now()
		rules := res.RuleStats()
		printPhase(e.stderr, "rules", time.Since(t0))
		printRuleStats(bw, rules, rep.Metrics.TruePositives+rep.Metrics.FalseNegatives)
		m.Precision, m.Recall, m.F1 = &rep.Precision, &rep.Recall, &rep.F1
		m.Report = rep
		m.BlockingRules = rules
		if len(b.sweep) > 0 {
			t0 = time.Now()
			pts, err := res.Sweep(append(slices.Clone(b.sweep), res.Threshold))
			if err != nil {
				return err
			}
			printPhase(e.stderr, "sweep", time.Since(t0))
			printSweep(bw, pts, res.Threshold)
			m.Thresholds = pts
		}
		if err := bw.Flush(); err != nil {
			return fmt.Errorf("write report: %w", err)
		}
	}
	if b.metricsJSON != "" {
		return writeFileWith(b.metricsJSON, func(w io.Writer) error {
			enc := json.NewEncoder(w)
			enc.SetIndent("", "  ")
			return enc.Encode(m)
		})
	}
	return nil
}

// batchMetrics is the -metrics-json document.
type batchMetrics struct {
	// Precision, Recall and F1 are measured against -truth; without it they are null
	// (a 0 would read as a measured result).
	Precision     *float64 `json:"precision"`
	Recall        *float64 `json:"recall"`
	F1            *float64 `json:"f1"`
	PairsCompared int64    `json:"pairs_compared"`
	Seconds       float64  `json:"seconds"`
	PeakMemory    int64    `json:"peak_memory"`
	Records       int      `json:"records"`
	// Rejected counts the input's records that could not be read or normalized, and
	// the repeated versions of a key.
	Rejected int `json:"rejected"`
	// BlockingRules are what each blocking rule brings against the truth (-truth).
	BlockingRules []recleanse.RuleStats `json:"blocking_rules,omitempty"`
	Report        *recleanse.Report     `json:"report,omitempty"`
	// Thresholds are the run's records clustered at other thresholds (-thresholds).
	Thresholds []recleanse.ThresholdPoint `json:"thresholds,omitempty"`
}

// parseThresholds reads -thresholds: "default", "none" (or empty) or a comma-separated
// list of match probabilities in (0, 1).
func parseThresholds(s string) ([]float64, error) {
	switch strings.TrimSpace(s) {
	case "default":
		return recleanse.SweepThresholds, nil
	case "none", "":
		return nil, nil
	}
	var out []float64
	for _, f := range strings.Split(s, ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if err != nil || !(v > 0 && v < 1) {
			return nil, fmt.Errorf("-thresholds: want match probabilities between 0 and 1 separated by commas, 'default' or 'none'; got %q", strings.TrimSpace(f))
		}
		out = append(out, v)
	}
	return out, nil
}

// floatList formats xs as -thresholds reads them.
func floatList(xs []float64) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = strconv.FormatFloat(x, 'g', -1, 64)
	}
	return strings.Join(s, ",")
}

// printRuleStats prints what each blocking rule brings against the truth (trueTotal: the
// pairs of one entity, blocked or not).
func printRuleStats(w io.Writer, rs []recleanse.RuleStats, trueTotal int64) {
	if len(rs) == 0 {
		fmt.Fprintln(w, "blocking rules: no table (more than 32 rules, or rules that share a name or hold \":\" in it: their keys do not tell them apart)")
		return
	}
	fmt.Fprintln(w, "blocking rules (candidate pairs each brings, of one entity, and brought by no other rule):")
	fmt.Fprintf(w, "  %-20s %10s %10s %8s %10s %10s\n", "rule", "pairs", "true", "recall", "only", "only true")
	for _, r := range rs {
		recall := 0.0
		if trueTotal > 0 {
			recall = float64(r.True) / float64(trueTotal)
		}
		fmt.Fprintf(w, "  %-20s %10d %10d %8.4f %10d %10d\n", r.Rule, r.Pairs, r.True, recall, r.Only, r.OnlyTrue)
	}
}

// printSweep prints the threshold table, the run's own threshold marked.
func printSweep(w io.Writer, pts []recleanse.ThresholdPoint, run float64) {
	fmt.Fprintln(w, "thresholds (the candidate pairs clustered again at each; * the run's):")
	fmt.Fprintf(w, "  %-10s %9s %9s %9s %10s %10s %10s\n", "threshold", "precision", "recall", "F1", "pairs ≥", "FP pairs", "FN pairs")
	for _, p := range pts {
		mark := " "
		if p.Threshold == run {
			mark = "*"
		}
		fmt.Fprintf(w, "%s %-10s %9.4f %9.4f %9.4f %10d %10d %10d\n", mark, strconv.FormatFloat(p.Threshold, 'g', -1, 64),
			p.Precision, p.Recall, p.F1, p.Links, p.FalsePositives, p.FalseNegatives)
	}
}

func printBatchSummary(w io.Writer, res *recleanse.Result, secs float64) {
	clusters := map[int32]bool{}
	for _, l := range res.Labels {
		clusters[l] = true
	}
	fmt.Fprintf(w, "%d records (%d rejected), %d candidate pairs over %d keys, %d pairs ≥ %.2f, %d clusters, %.1fs\n",
		len(res.Records), res.Rejected.Count, res.Block.Pairs, res.Block.Keys, res.Edges, res.Threshold, len(clusters), secs)
	for _, s := range res.Block.Skipped {
		fmt.Fprintf(w, "blocking rule %s: %d keys shared by too many records skipped (%d records, largest %d)\n", s.Rule, s.Keys, s.Records, s.Largest)
	}
	for _, r := range res.Rejected.First {
		fmt.Fprintf(w, "rejected: %s\n", r)
	}
	if m := res.Model; m != nil {
		fmt.Fprintf(w, "model trained on this input: %s, %d EM iterations (converged %v), λ=%.4g among blocked pairs, prior %.3g\n", emNote(m), m.Iterations, m.Converged, m.Lambda, m.Prior)
	}
	if res.ModelNote != "" {
		fmt.Fprintf(w, "model not trained: %s\n", res.ModelNote)
	}
	// Which m/u scored the run when it trained none (nothing said so).
	if res.Model == nil && res.ModelNote == "" && res.Engine != nil {
		if m := res.Engine.Rules().Model; m != nil {
			fmt.Fprintf(w, "model: the rules' model.yaml (trained %s on %d records; -train always estimates one on this input)\n", m.TrainedAt.Format("2006-01-02"), m.Records)
		} else {
			fmt.Fprintln(w, "model: the rules' m/u (no model.yaml; -train always estimates one on this input)")
		}
	}
}

func printReport(w io.Writer, rep *recleanse.Report) {
	m := rep.Metrics
	fmt.Fprintf(w, "pairwise: precision %.4f recall %.4f F1 %.4f (TP %d, FP %d, FN %d; %d FN never blocked)\n",
		m.Precision, m.Recall, m.F1, m.TruePositives, m.FalsePositives, m.FalseNegatives, rep.NotBlocked)
	fmt.Fprintf(w, "errors: false negatives %d not blocked, %d scored below the threshold, %d kept apart by the cluster guard; false positives %d scored at or above the threshold, %d joined through other records\n",
		rep.NotBlocked, rep.BelowThreshold, rep.KeptApart, rep.Scored, rep.Joined)
	fmt.Fprintf(w, "clusters: %d predicted, %d true entities, %d exact (cluster recall %.4f)\n", m.Clusters, m.Entities, m.ExactClusters, m.ClusterRecall)
	show := func(title string, ps []recleanse.PairReport) {
		for _, p := range ps {
			fmt.Fprintf(w, "%s %s ~ %s (truth %s / %s): weight %.1f, p=%.3f; %s\n", title, p.Keys[0], p.Keys[1], p.Truth[0], p.Truth[1], p.Score.Weight, p.Score.Probability, p.Why)
			for _, f := range p.Score.Fields {
				if f.Level != "missing" {
					fmt.Fprintf(w, "    %-14s %-16s %+6.1f  %q ~ %q\n", f.Comparison, f.Level, f.Weight, f.A, f.B)
				}
			}
		}
	}
	show("false positive:", rep.FalsePositives)
	show("false negative:", rep.FalseNegatives)
}

// writeFileWith writes path with fn, replacing it only when fn succeeds (createOutput).
func writeFileWith(path string, fn func(io.Writer) error) error {
	o, err := createOutput(path)
	if err != nil {
		return err
	}
	defer o.abort()
	if err := fn(o.f); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := o.commit(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// batchGC sets the collector for a batch run under a soft memory limit (0: leaves it as
// it is). A batch run holds every record's features until the end: garbage is collected
// less often (the heap may grow to 3× the live data instead of 2×), the memory limit
// still bounding it. GOGC and GOMEMLIMIT in the environment (userGOGC, userLimit) win
// over this. main's heap floor is turned off first, or it would set GOGC back after a
// cycle.
func batchGC(memLimit int64, userGOGC, userLimit bool) {
	if memLimit <= 0 {
		return
	}
	if !userLimit {
		debug.SetMemoryLimit(memLimit)
	}
	if !userGOGC {
		gctune.Floor(0)
		debug.SetGCPercent(200)
	}
}
