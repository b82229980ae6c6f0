package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/steward-crm/steward/internal/pgtest"
	"github.com/steward-crm/steward/rules"
)

// TestDedupeLinkTrain runs the batch commands end to end on generated data.
func TestDedupeLinkTrain(t *testing.T) {
	dir := t.TempDir()
	gen := filepath.Join(dir, "g.jsonl")
	genSample(t, gen)
	out, metrics := filepath.Join(dir, "c.csv"), filepath.Join(dir, "m.json")
	code, stdout, errs := steward(t, "", "dedupe", "-truth", "entity_id", "-out", out, "-metrics-json", metrics, gen)
	if code != 0 {
		t.Fatalf("dedupe exit %d: %s", code, errs)
	}
	if !strings.Contains(stdout, "pairwise: precision") || !strings.Contains(stdout, "errors: false negatives ") || !strings.Contains(errs, "600 records") {
		t.Errorf("dedupe output:\n%s\n%s", stdout, errs)
	}
	csv, _ := os.ReadFile(out)
	if lines := strings.Split(strings.TrimSpace(string(csv)), "\n"); len(lines) != 601 || lines[0] != "cluster_id,cluster_size,source,source_id" {
		t.Errorf("clusters file: %d lines, header %q", len(lines), lines[0])
	}
	var m map[string]any
	data, _ := os.ReadFile(metrics)
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"precision", "recall", "f1", "pairs_compared", "seconds", "peak_memory"} {
		if _, ok := m[k]; !ok {
			t.Errorf("metrics JSON lacks %s", k)
		}
	}
	if f1, _ := m["f1"].(float64); f1 < 0.8 {
		t.Errorf("f1 %v", f1)
	}
	// Each explained error says why, in the JSON and on its printed line.
	var rep struct {
		Report struct {
			FPs []struct{ Why string } `json:"top_false_positives"`
			FNs []struct{ Why string } `json:"top_false_negatives"`
		} `json:"report"`
	}
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatal(err)
	}
	listed := append(rep.Report.FPs, rep.Report.FNs...)
	if len(listed) == 0 {
		t.Errorf("metrics JSON lists no error: %.300s", data)
	}
	for _, e := range listed {
		if e.Why == "" {
			t.Errorf("an error without why in the metrics JSON: %.300s", data)
		}
	}
	for _, line := range strings.Split(stdout, "\n") {
		if strings.HasPrefix(line, "false ") && !strings.Contains(line, "; ") {
			t.Errorf("error line without why: %q", line)
		}
	}
	// The threshold table: the default thresholds and the run's (marked), in order; the
	// marked row is the run's figures, in the JSON as on the pairwise line.
	checkSweep(t, stdout, data, []string{"0.5", "0.8", "0.9", "0.95", "* 0.97", "0.99", "0.999", "0.9999"})
	// What each blocking rule brings: every rule of the default rules, in the JSON and
	// printed, the true pairs at most the pairs.
	var br struct {
		Rules []struct {
			Rule     string
			Pairs    int64
			True     int64 `json:"true_pairs"`
			Only     int64 `json:"only_pairs"`
			OnlyTrue int64 `json:"only_true_pairs"`
		} `json:"blocking_rules"`
	}
	if err := json.Unmarshal(data, &br); err != nil {
		t.Fatal(err)
	}
	def := rules.Default().Match.Blocking
	if len(br.Rules) != len(def) || !strings.Contains(stdout, "blocking rules (") {
		t.Fatalf("blocking rules: %+v in the JSON, want the %d of the default rules; printed:\n%s", br.Rules, len(def), stdout)
	}
	for i, r := range br.Rules {
		if r.Rule != def[i].Name || r.True > r.Pairs || r.OnlyTrue > r.Only || r.Only > r.Pairs {
			t.Errorf("blocking rule %d: %+v", i, r)
		}
		if !regexp.MustCompile(`(?m)^  ` + regexp.QuoteMeta(r.Rule) + ` +` + strconv.FormatInt(r.Pairs, 10) + ` +` + strconv.FormatInt(r.True, 10) + ` `).MatchString(stdout) {
			t.Errorf("blocking rule %s (%d pairs, %d true) not printed:\n%s", r.Rule, r.Pairs, r.True, stdout)
		}
	}
	code, stdout, errs = steward(t, "", "dedupe", "-truth", "entity_id", "-thresholds", "0.3, 0.97", "-threshold", "0.95", "-metrics-json", metrics, gen)
	if code != 0 {
		t.Fatalf("dedupe -thresholds: exit %d: %s", code, errs)
	}
	data, _ = os.ReadFile(metrics)
	checkSweep(t, stdout, data, []string{"0.3", "* 0.95", "0.97"})
	code, stdout, errs = steward(t, "", "dedupe", "-truth", "entity_id", "-thresholds", "none", "-metrics-json", metrics, gen)
	if data, _ = os.ReadFile(metrics); code != 0 || strings.Contains(stdout, "thresholds") || strings.Contains(string(data), `"thresholds"`) {
		t.Errorf("-thresholds none: exit %d, a table or thresholds in the JSON:\n%s\n%s", code, stdout, data)
	}
	for _, bad := range []string{"0.5,1", "0", "x", "0.5,,0.9"} {
		if code, _, errs := steward(t, "", "dedupe", "-truth", "entity_id", "-thresholds", bad, gen); code != 2 || !strings.Contains(errs, "-thresholds") {
			t.Errorf("-thresholds %q: exit %d: %s", bad, code, errs)
		}
	}
	// -pairs: the scored pairs at or above -pairs-threshold, as many as said on stderr.
	pairs := filepath.Join(dir, "pairs.csv")
	code, _, errs = steward(t, "", "dedupe", "-pairs", pairs, "-pairs-threshold", "0.9", gen)
	data, _ = os.ReadFile(pairs)
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if code != 0 || !strings.HasPrefix(lines[0], "source_a,source_id_a,source_b,source_id_b,probability,weight,same_cluster,swapped,email,email_weight,") ||
		!strings.Contains(errs, fmt.Sprintf("%d pairs at or above 0.9 written to %s", len(lines)-1, pairs)) || len(lines) < 100 {
		t.Errorf("-pairs: exit %d, %d lines from %q; stderr %s", code, len(lines), lines[0], errs)
	}
	for _, bad := range []string{"1", "0", "NaN"} {
		if code, _, errs := steward(t, "", "dedupe", "-pairs", pairs, "-pairs-threshold", bad, gen); code != 2 || !strings.Contains(errs, "-pairs-threshold") {
			t.Errorf("-pairs-threshold %s: exit %d: %s", bad, code, errs)
		}
	}
	// Without -truth nothing is measured: null, not a 0 that reads as a result.
	if code, _, errs := steward(t, "", "dedupe", "-metrics-json", metrics, gen); code != 0 {
		t.Fatalf("dedupe without -truth: exit %d: %s", code, errs)
	}
	m = nil
	if data, _ = os.ReadFile(metrics); json.Unmarshal(data, &m) != nil || m["f1"] != nil || m["precision"] != nil || m["pairs_compared"] == nil {
		t.Errorf("metrics JSON without -truth: %s", data)
	}

	model := filepath.Join(dir, "model.yaml")
	code, stdout, errs = steward(t, "", "train", "-out", model, gen)
	if code != 0 || !strings.Contains(errs, "EM iterations") {
		t.Fatalf("train exit %d: %s", code, errs)
	}
	// The levels' estimates, each with its weight before and after: one row per level of
	// the default rules.
	levels := 0
	for _, c := range rules.Default().Match.Comparisons {
		levels += len(c.Levels)
	}
	if rows := strings.Split(strings.TrimSpace(stdout), "\n"); len(rows) != levels+1 || !strings.HasPrefix(rows[0], "comparison") ||
		!regexp.MustCompile(`(?m)^email +exact +[0-9.e-]+ +[0-9.e-]+ +\+[0-9.]+ +\+15\.0$`).MatchString(stdout) {
		t.Errorf("train's table (%d rows, want %d levels and a header):\n%s", len(rows), levels+1, stdout)
	}
	if data, _ := os.ReadFile(model); !strings.Contains(string(data), "lambda:") || !strings.Contains(string(data), "term_frequencies:") {
		t.Errorf("model file:\n%.400s", data)
	}
	if code, _, errs := steward(t, "", "train", gen); code != 2 || !strings.Contains(errs, "-out is required") {
		t.Errorf("train without -out on embedded rules: exit %d: %s", code, errs)
	}

	checkTrainOnWarehouse(t, dir, gen, model, filepath.Join(dir, "w.db"))

	if code, stdout, errs := steward(t, "", "link", "-truth", "entity_id", gen, gen); code != 0 || !strings.Contains(stdout, "pairwise") {
		t.Errorf("link exit %d: %s %s", code, stdout, errs)
	}
	if code, _, _ := steward(t, "", "link", gen); code != 2 {
		t.Errorf("link with one file: exit %d, want 2", code)
	}
}

// checkTrainOnWarehouse: trained on a warehouse the file went into, the model is the file's
// (the same live records, normalized again with the same rules); usage errors.
func checkTrainOnWarehouse(t *testing.T, dir, gen, model, db string) {
	t.Helper()
	if code, _, errs := steward(t, "", "ingest", "-q", "-db", db, gen); code != 0 {
		t.Fatalf("ingest exit %d: %s", code, errs)
	}
	fromDB := filepath.Join(dir, "model-db.yaml")
	if code, _, errs := steward(t, "", "train", "-warehouse", "-db", db, "-out", fromDB); code != 0 || !strings.Contains(errs, "EM iterations") || strings.Contains(errs, "skipped") {
		t.Fatalf("train -warehouse exit %d: %s", code, errs)
	}
	withoutDate := func(path string) string {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var keep []string
		for _, l := range strings.Split(string(data), "\n") {
			if !strings.HasPrefix(l, "trained_at:") {
				keep = append(keep, l)
			}
		}
		return strings.Join(keep, "\n")
	}
	if a, b := withoutDate(model), withoutDate(fromDB); a != b {
		t.Errorf("model trained on the warehouse differs from the file's:\n%.600s\n--\n%.600s", b, a)
	}
	if code, _, errs := steward(t, "", "train", "-warehouse", "-db", db, "-out", fromDB, gen); code != 2 || !strings.Contains(errs, "-warehouse takes no FILE") {
		t.Errorf("train -warehouse with a file: exit %d: %s", code, errs)
	}
	if code, _, errs := steward(t, "", "train", "-warehouse", "-db", db, "-out", fromDB, "-format", "csv"); code != 2 || !strings.Contains(errs, "-format") {
		t.Errorf("train -warehouse with an input flag: exit %d: %s", code, errs)
	}
}

// TestTrainOnPostgresWarehouse: train -warehouse on a PostgreSQL warehouse (a streaming
// deployment's) gives the model of the file ingested into it.
func TestTrainOnPostgresWarehouse(t *testing.T) {
	url := pgtest.URL(t)
	dir := t.TempDir()
	gen := filepath.Join(dir, "g.jsonl")
	genSample(t, gen)
	model := filepath.Join(dir, "model.yaml")
	if code, _, errs := steward(t, "", "train", "-out", model, gen); code != 0 {
		t.Fatalf("train exit %d: %s", code, errs)
	}
	checkTrainOnWarehouse(t, dir, gen, model, url)
}

// genSample writes 600 generated records (seed 3) to path.
func genSample(t *testing.T, path string) {
	t.Helper()
	if code, _, errs := steward(t, "", "gen", "-n", "600", "-seed", "3", "-o", path); code != 0 {
		t.Fatalf("gen: %s", errs)
	}
}

// checkSweep checks dedupe's threshold table (rows: the thresholds as printed, the run's
// marked "* ") against the metrics JSON: the same thresholds in order, the marked one
// holding the run's precision, recall and F1.
func checkSweep(t *testing.T, stdout string, metricsJSON []byte, rows []string) {
	t.Helper()
	var m struct {
		Precision, Recall, F1 float64
		Thresholds            []struct {
			Threshold             float64
			Precision, Recall, F1 float64
			Links                 int `json:"pairs_at_or_above"`
		}
	}
	if err := json.Unmarshal(metricsJSON, &m); err != nil {
		t.Fatal(err)
	}
	_, table, ok := strings.Cut(stdout, "thresholds (")
	lines := strings.Split(strings.TrimSpace(table), "\n")
	if !ok || len(lines) < len(rows)+2 || len(m.Thresholds) != len(rows) {
		t.Fatalf("want %d thresholds, got the table\n%s\nand %+v", len(rows), table, m.Thresholds)
	}
	for i, want := range rows {
		line, p := lines[i+2], m.Thresholds[i]
		th, marked := strings.CutPrefix(want, "* ")
		f := strings.Fields(line)
		if marked && (len(f) < 2 || f[0] != "*" || f[1] != th) || !marked && (len(f) < 1 || f[0] != th) {
			t.Errorf("row %d: %q, want threshold %s", i, line, want)
		}
		if v, _ := strconv.ParseFloat(th, 64); p.Threshold != v {
			t.Errorf("JSON point %d at %v, want %s", i, p.Threshold, th)
		}
		if marked {
			if p.Precision != m.Precision || p.Recall != m.Recall || p.F1 != m.F1 {
				t.Errorf("the run's row %q, JSON %+v; the run measured precision %v recall %v F1 %v", line, p, m.Precision, m.Recall, m.F1)
			}
		}
		if i > 0 && p.Links > m.Thresholds[i-1].Links {
			t.Errorf("more pairs at or above %v (%d) than at %v (%d)", p.Threshold, p.Links, m.Thresholds[i-1].Threshold, m.Thresholds[i-1].Links)
		}
	}
}

// TestDedupeRulesNotToldApart: with two blocking rules of one name (their keys are one
// rule's), dedupe -truth says why it prints no blocking-rule table, and that its model's
// m came from one EM over all the blocked pairs.
func TestDedupeRulesNotToldApart(t *testing.T) {
	dir := t.TempDir()
	gen := filepath.Join(dir, "g.jsonl")
	genSample(t, gen)
	rdir := filepath.Join(dir, "rules")
	if err := os.CopyFS(rdir, os.DirFS("../../rules/default")); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(rdir, rules.RulesFile)
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	const from = "- {name: email_local, parts: [email_local]}"
	if !strings.Contains(string(src), from) {
		t.Fatalf("%q not in the default rules", from)
	}
	if err := os.WriteFile(path, []byte(strings.Replace(string(src), from, "- {name: email, parts: [email_local]}", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, errs := steward(t, "", "dedupe", "-truth", "entity_id", "-thresholds", "none", "-rules", rdir, gen)
	if code != 0 {
		t.Fatalf("dedupe exit %d: %s", code, errs)
	}
	if !strings.Contains(stdout, "blocking rules: no table (") || strings.Contains(stdout, "blocking rules (") {
		t.Errorf("want the no-table line:\n%s", stdout)
	}
	if !strings.Contains(errs, "m by one EM over all the blocked pairs") {
		t.Errorf("the model line does not say one EM ran:\n%s", errs)
	}
	code, _, errs = steward(t, "", "dedupe", "-truth", "entity_id", "-thresholds", "none", gen)
	if code != 0 || !strings.Contains(errs, "m by EM per blocking rule") {
		t.Errorf("the default rules: exit %d, model line:\n%s", code, errs)
	}
}

// TestDedupeNothingToCompare: a file whose every row is rejected (its id column has a
// name steward does not know), or an empty one, fails the run (exit 1) instead of
// printing precision, recall and F1 of 1 and exiting 0; -metrics-json counts the
// rejected rows of a run that compares some.
func TestDedupeNothingToCompare(t *testing.T) {
	dir := t.TempDir()
	noID := filepath.Join(dir, "noid.csv")
	empty := filepath.Join(dir, "empty.csv")
	some := filepath.Join(dir, "some.csv")
	for p, data := range map[string]string{
		noID:  "Ref;Prénom;Nom;truth\nA1;Ann;Lee;E1\nA2;Ann;Lee;E1\n",
		empty: "",
		some:  "id,first_name,last_name,truth\n1,Ann,Lee,E1\n2,Ann,Lee,E1\n,Bob,Ray,E2\n",
	} {
		if err := os.WriteFile(p, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct{ file, want string }{{noID, "all 2 rejected"}, {empty, "the input is empty"}} {
		code, out, errs := steward(t, "", "dedupe", c.file, "-truth", "truth", "-metrics-json", filepath.Join(dir, "m.json"))
		if code != 1 || !strings.Contains(errs, c.want) || strings.Contains(out, "precision") {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want 1 and %q", filepath.Base(c.file), code, out, errs, c.want)
		}
	}
	metrics := filepath.Join(dir, "some.json")
	if code, _, errs := steward(t, "", "dedupe", some, "-truth", "truth", "-metrics-json", metrics); code != 0 {
		t.Fatalf("some: exit %d: %s", code, errs)
	}
	var m struct{ Records, Rejected int }
	data, err := os.ReadFile(metrics)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &m); err != nil || m.Records != 2 || m.Rejected != 1 {
		t.Errorf("metrics %s (%v): want 2 records, 1 rejected", data, err)
	}
	// train names the rows it rejected, as dedupe does (it said only "need at least 2
	// records, got 0").
	if code, _, errs := steward(t, "", "train", "-out", filepath.Join(dir, "model.yaml"), noID); code != 1 || !strings.Contains(errs, "2 records rejected") || !strings.Contains(errs, "source_id: required") {
		t.Errorf("train on rejected rows: exit %d, stderr %q", code, errs)
	}
	// A run that trains no model says which m/u scored it (it said nothing).
	if code, _, errs := steward(t, "", "dedupe", "-train", "never", some); code != 0 || !strings.Contains(errs, "model: the rules' m/u (no model.yaml") {
		t.Errorf("-train never: exit %d, stderr %q, want the rules' m/u named", code, errs)
	}
}

// TestBatchOutputsNotInputs: an output naming the input file (`dedupe x.csv -out x.csv`
// replaced the export with the clusters) or two outputs of one path are usage errors,
// and the input is left as it was.
func TestBatchOutputsNotInputs(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "x.csv")
	data := "id,first_name,last_name\n1,Ann,Lee\n2,Ann,Lee\n"
	if err := os.WriteFile(in, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"dedupe", in, "-out", in},
		{"dedupe", in, "-pairs", filepath.Join(dir, "..", filepath.Base(dir), "x.csv")},
		{"dedupe", in, "-out", filepath.Join(dir, "o.csv"), "-metrics-json", filepath.Join(dir, "o.csv")},
		{"link", in, in, "-metrics-json", in},
	} {
		if code, _, errs := steward(t, "", args...); code != 2 || !strings.Contains(errs, "one file") && !strings.Contains(errs, "would be overwritten") {
			t.Errorf("%q: exit %d, stderr %q, want a usage error", args, code, errs)
		}
	}
	if got, _ := os.ReadFile(in); string(got) != data {
		t.Errorf("the input was changed: %q", got)
	}
}

// TestDedupeTruthColumnNoNotice: the -truth column of a CSV is read from attributes on
// purpose; the notice of columns kept in attributes named it at every run ("entity_id"),
// and still names the others.
func TestDedupeTruthColumnNoNotice(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "g.csv")
	rows := "source,source_id,given_name,family_name,email,entity_id,segment\n" +
		"crm,1,Anne,Lebrun,anne.lebrun@example.org,E1,a\n" +
		"crm,2,Anne,Lebrun,anne.lebrun@example.org,E1,b\n" +
		"crm,3,Paul,Martin,paul.martin@example.org,E2,a\n"
	if err := os.WriteFile(in, []byte(rows), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errs := steward(t, "", "dedupe", "-truth", "entity_id", "-train", "never", in)
	if code != 0 {
		t.Fatalf("dedupe exit %d: %s", code, errs)
	}
	if strings.Contains(errs, `"entity_id"`) || !strings.Contains(errs, `"segment"`) {
		t.Errorf("notice names the truth column, or not the other kept column:\n%s", errs)
	}
}

// TestIngestDateOrder: a French export's updated_at ("10/02/2026 09:00", day first) is
// read with -date-order dmy, so that an older version that comes later is ignored as
// stale (read month first it would be 2 March and replace the newer); without the flag
// each row is a dead letter whose error names the flag.
func TestIngestDateOrder(t *testing.T) {
	dir := t.TempDir()
	newer, older := filepath.Join(dir, "feb10.csv"), filepath.Join(dir, "feb03.csv")
	head := "source;source_id;Modifié le;prenom;nom;email\n"
	if err := os.WriteFile(newer, []byte(head+"crm;7;10/02/2026 09:00;Anne;Lebrun;anne.new@example.org\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(older, []byte(head+"crm;7;03/02/2026 17:45;Anne;Lebrun;anne.old@example.org\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "w.db")
	code, out, errs := steward(t, "", "ingest", "-db", db, "-map", "Modifié le=updated_at", newer)
	if code != 1 {
		t.Fatalf("without -date-order: exit %d, want 1:\n%s\n%s", code, out, errs)
	}
	if code, out, errs := steward(t, "", "stats", "-db", db, "-dead-letters", "5"); code != 0 || !strings.Contains(out, "Modifié le") || !strings.Contains(out, "-date-order") {
		t.Fatalf("dead letter: exit %d, want its reason to name the column and -date-order:\n%s\n%s", code, out, errs)
	}
	for _, f := range []string{newer, older} {
		if code, out, errs := steward(t, "", "ingest", "-db", db, "-map", "Modifié le=updated_at", "-date-order", "dmy", f); code != 0 {
			t.Fatalf("ingest %s: exit %d:\n%s\n%s", f, code, out, errs)
		} else if f == older && !strings.Contains(out+errs, "stale (older) ignored:  1") {
			t.Errorf("the older version was not ignored as stale:\n%s\n%s", out, errs)
		}
	}
	code, out, errs = steward(t, "", "export", "-db", db, "-format", "jsonl")
	if code != 0 || !strings.Contains(out, "anne.new@example.org") || strings.Contains(out, "anne.old@example.org") {
		t.Errorf("export: exit %d, want the newer e-mail only:\n%s\n%s", code, out, errs)
	}
	if code, _, errs := steward(t, "", "ingest", "-db", db, "-date-order", "dym", newer); code != 2 || !strings.Contains(errs, "-date-order: want dmy, mdy, ymd") {
		t.Errorf("-date-order dym: exit %d, %s", code, errs)
	}
}

// TestLinkTwoLayouts: link reads file B with its own flags (-map-b, -source-b) when one
// is set: one -map naming the columns of both exports failed on each (a column a
// mapping names must be in the header), so two sources of other layouts could not be
// linked. Without a -*-b flag, B is read with A's.
func TestLinkTwoLayouts(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "crm.csv"), filepath.Join(dir, "shop.csv")
	if err := os.WriteFile(a, []byte("Client,first_name,last_name,email,entity_id\n"+
		"C1,Anne,Lebrun,anne.lebrun@example.org,E1\nC2,Paul,Martin,paul.martin@example.org,E2\nC3,Lea,Roux,lea.roux@example.org,E3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(b, []byte("Kundennr,Vorname,Nachname,Mail,Wahr\n"+
		"K7,Anne,Lebrun,anne.lebrun@example.org,E1\nK8,Paul,Martin,paul.martin@example.org,E2\nK9,Hugo,Blanc,hugo.blanc@example.org,E4\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "c.csv")
	code, _, errs := steward(t, "", "link", "-train", "never", "-truth", "entity_id", "-map", "Client=source_id", "-out", out, a, b)
	if code != 1 || !strings.Contains(errs, `names "Client", not in the header`) {
		t.Errorf("one mapping for both layouts: exit %d, want 1 naming the column B lacks:\n%s", code, errs)
	}
	code, stdout, errs := steward(t, "", "link", "-train", "never", "-truth", "entity_id", "-map", "Client=source_id",
		"-map-b", "Kundennr=source_id,Vorname=given_name,Nachname=family_name,Mail=email,Wahr=attributes.entity_id", "-source-b", "shop", "-out", out, a, b)
	if code != 0 {
		t.Fatalf("link with -map-b: exit %d\n%s", code, errs)
	}
	if !strings.Contains(stdout, "precision 1.0000 recall 1.0000") || !strings.Contains(errs, "6 records (0 rejected)") {
		t.Errorf("link with -map-b:\n%s\n%s", stdout, errs)
	}
	clusters, _ := os.ReadFile(out)
	for _, want := range []string{",crm,C1", ",shop,K7", ",shop,K9"} {
		if !strings.Contains(string(clusters), want) {
			t.Errorf("clusters lack %q:\n%s", want, clusters)
		}
	}
	if code, _, errs := steward(t, "", "link", "-format-b", "xml", a, b); code != 2 || !strings.Contains(errs, "-format-b: want jsonl or csv") {
		t.Errorf("-format-b xml: exit %d, %s", code, errs)
	}
}
