package recleanse

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/steward-crm/steward/contact"
	"github.com/steward-crm/steward/pipeline/stages"
	"github.com/steward-crm/steward/rules"
	"github.com/steward-crm/steward/synth"
)

// genFile writes synthetic contacts (ground truth in attributes.entity_id) to a file.
func genFile(t testing.TB, cfg synth.Config) string {
	t.Helper()
	g, err := synth.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "gen.jsonl")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	enc := json.NewEncoder(w)
	for {
		r, err := g.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := enc.Encode(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	return p
}

// config is a batch configuration on the default rules with the normalization chains.
func config(t testing.TB, r *rules.Rules) Config {
	t.Helper()
	nc, ic, err := stages.Chains(r)
	if err != nil {
		t.Fatal(err)
	}
	return Config{Rules: r, Truth: "entity_id", Normalize: func(ctx context.Context, rec *contact.Record) error {
		if err := nc.Process(ctx, rec); err != nil {
			return err
		}
		return ic.Process(ctx, rec)
	}}
}

// TestDedupeAccuracy: on synthetic data with 35% duplicates and 2–5 records per entity,
// a model trained by EM without labels reaches the pairwise figures below. The floors are
// what the engine reaches today (see README "Matching"); the run is deterministic (same
// data, same model, same clusters), so at corruption 1 the floor is above the issue's
// target, F1 ≥ 0.97 (the -short run's 2 000 records are a smoke test: with m estimated
// per blocking rule and batch_threshold 0.97 they give 0.962 at corruption 1, 0.969 at
// 0.99 — the smaller the file, the higher its best threshold). Other seeds of the
// generator give 0.965–0.979 at corruption 1 (seeds 1–6, 2026-12-06; 0.964–0.979 with one
// EM over all the blocked pairs and 0.99; on the same files the engine before the
// nickname table, initials of several words and the family names' near-word subset gave
// 0.961–0.977).
func TestDedupeAccuracy(t *testing.T) {
	n := 8000
	if testing.Short() {
		n = 2000
	}
	// 8 000 records reach 0.990 and 0.978, the 2 000 of -short 0.989 and 0.962 (0.990,
	// 0.978, 0.990 and 0.969 with one EM over all the blocked pairs and batch_threshold
	// 0.99; 0.987, 0.975, 0.982 and 0.963 before the changes named above).
	cases := []struct {
		corruption        float64
		minF1, minF1Short float64
	}{
		{0.5, 0.985, 0.985},
		{1, 0.975, 0.96},
	}
	for _, c := range cases {
		if testing.Short() {
			c.minF1 = c.minF1Short
		}
		path := genFile(t, synth.Config{N: n, DupRate: 0.35, Corruption: c.corruption, MaxPerEntity: 5, Seed: 11})
		cfg := config(t, rules.Default())
		cfg.Train = TrainAlways
		res, err := Dedupe(context.Background(), cfg, []string{path})
		if err != nil {
			t.Fatal(err)
		}
		rep := res.Evaluate(3)
		m := rep.Metrics
		t.Logf("corruption %.2f: n=%d pairs=%d edges=%d EM iterations=%d λ=%.4g prior=%.3g", c.corruption, len(res.Records), res.Block.Pairs, res.Edges, res.Model.Iterations, res.Model.Lambda, res.Model.Prior)
		t.Logf("precision %.4f recall %.4f F1 %.4f; clusters %d entities %d exact %d; not blocked %d",
			m.Precision, m.Recall, m.F1, m.Clusters, m.Entities, m.ExactClusters, rep.NotBlocked)
		if m.F1 < c.minF1 {
			t.Errorf("corruption %.2f: F1 %.4f < %.3f (precision %.4f, recall %.4f)", c.corruption, m.F1, c.minF1, m.Precision, m.Recall)
		}
		if len(rep.FalsePositives) == 0 || len(rep.FalsePositives[0].Score.Fields) == 0 {
			t.Errorf("no explained false positive")
		}
	}
}
