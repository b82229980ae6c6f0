package recleanse

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/steward-crm/steward/input"
	"github.com/steward-crm/steward/pipeline/match"
	"github.com/steward-crm/steward/rules"
)

// Train modes: when a batch run estimates the model from its own input.
const (
	TrainAuto   = "auto"   // when the rules have no trained model (model.yaml)
	TrainAlways = "always" // always, ignoring the rules' model
	TrainNever  = "never"  // never: the rules' m/u as they are
)

// Config configures a batch run. Zero values mean the defaults written on the fields.
type Config struct {
	// Rules are the match rules (required).
	Rules *rules.Rules
	// Normalize runs the normalization chains on each record (nil: records are used as
	// decoded, which only suits already normalized input).
	Normalize Normalizer
	// Input configures formats and the CSV mapping.
	Input input.Options
	// InputB, when set, configures the second side's files of Link instead of Input
	// (two sources' exports seldom share a layout).
	InputB *input.Options
	// Truth names the attribute (or unmapped CSV column) with the true entity id; when
	// set, Evaluate measures the result against it.
	Truth string
	// Train is TrainAuto (default), TrainAlways or TrainNever.
	Train string
	// TrainConfig configures the estimation.
	TrainConfig match.TrainConfig
	// Threshold is the match probability at or above which a pair links its records.
	// Default: the rules' batch_threshold.
	Threshold float64
	// Workers is the number of goroutines (default GOMAXPROCS).
	Workers int
	// EMSample bounds the pairs EM runs on (a regular sample of the blocked pairs);
	// default 300 000.
	EMSample int
	// Phase, when set, is told when each phase ends and how long it took (load,
	// block, train, score, cluster): progress on long runs, and where the time goes.
	Phase func(name string, took time.Duration)
}

// Result is the outcome of a batch run.
type Result struct {
	// Records are the input records sorted by (side, key); Labels[i] is the index of the
	// first record of record i's cluster.
	Records []Record
	Labels  []int32
	Block   BlockStats
	// Rejected counts records that could not be read or normalized.
	Rejected Rejected
	// Model is the model estimated in this run (nil when the rules' was used).
	Model *rules.Model
	// ModelNote says why no model was estimated when one was to be (-train auto on an
	// input with nothing to learn from: the rules' m/u were used).
	ModelNote string
	// Engine is the engine the pairs were scored with.
	Engine *match.Engine
	// Edges is the number of pairs at or above the threshold.
	Edges int
	// Link is true for a linkage run (pairs across sides only).
	Link bool
	// Threshold is the probability used.
	Threshold float64
	pairs     []uint64
	// guard is the cluster guard's probability and workers the scoring goroutines the
	// run used (Sweep clusters as it did).
	guard   float64
	workers int
	// keys are the records' blocking keys sorted by key (runs with a truth), for
	// RuleStats, with the rules' names and cap.
	keys      []entry
	ruleNames []string
	maxBlock  int
	rules     []RuleStats
	// rescored are the candidate pairs weighing at least rescoredAt (edgesAtLeast).
	rescored   []match.Edge
	rescoredAt float64
}

// RuleStats says what each blocking rule brings against the records' truth: the
// candidate pairs its keys bring, those of one entity, and those no other rule brings.
// Only a run with a truth keeps what it needs (nil otherwise); it is computed once. Nil
// too when the rules cannot be told apart by their keys (two rules of one name, a name
// holding a ":": ownIndexes) or there are more than 32 of them.
func (res *Result) RuleStats() []RuleStats {
	if res.keys == nil {
		return res.rules
	}
	res.rules = ruleStats(res.keys, res.Records, res.ruleNames, res.maxBlock, res.Link, res.entities(), res.pairs)
	res.keys = nil
	return res.rules
}

func (c *Config) validate() error {
	var errs []error
	if c.Rules == nil {
		errs = append(errs, errors.New("recleanse: Rules are required"))
	}
	switch c.Train {
	case "":
		c.Train = TrainAuto
	case TrainAuto, TrainAlways, TrainNever:
	default:
		errs = append(errs, fmt.Errorf("recleanse: train mode %q: want auto, always or never", c.Train))
	}
	if !(c.Threshold >= 0 && c.Threshold < 1) { // NaN too
		errs = append(errs, fmt.Errorf("recleanse: threshold must be in (0, 1), got %v", c.Threshold))
	}
	if c.EMSample == 0 {
		c.EMSample = 300_000
	}
	return errors.Join(errs...)
}

// Dedupe finds the duplicates among the records of files.
func Dedupe(ctx context.Context, cfg Config, files []string) (*Result, error) {
	return run(ctx, cfg, [][]string{files})
}

// Link links the records of two sets of files: only pairs across the sets are compared.
func Link(ctx context.Context, cfg Config, a, b []string) (*Result, error) {
	return run(ctx, cfg, [][]string{a, b})
}

// Train estimates a model from the records of files without labels.
func Train(ctx context.Context, cfg Config, files []string) (*rules.Model, Rejected, error) {
	return TrainFrom(ctx, cfg, filesSource(files, cfg.Input))
}

// TrainFrom is Train on the records of src (a warehouse's live source records: streaming
// users have no files to train on). Records that cannot be read or normalized are
// skipped and counted in rejected, as in a batch run.
func TrainFrom(ctx context.Context, cfg Config, src Source) (m *rules.Model, rejected Rejected, err error) {
	cfg.Train = TrainAlways
	if err := cfg.validate(); err != nil {
		return nil, rejected, err
	}
	base, err := match.New(cfg.Rules)
	if err != nil {
		return nil, rejected, err
	}
	l := &Loader{Engine: base, Normalize: cfg.Normalize, Truth: cfg.Truth, Input: cfg.Input, Workers: cfg.Workers}
	recs, rejected, err := l.LoadFrom(ctx, src, 0)
	if err != nil {
		return nil, rejected, err
	}
	pairs, _, keys := block(recs, ruleNames(cfg.Rules), cfg.Rules.Match.MaxBlockSize, false, ownIndexes(cfg.Rules.Match.Blocking))
	masks := trainMasks(cfg.Rules, keys, recs, false, pairs)
	m, err = train(cfg, base, recs, features(recs), pairs, masks)
	return m, rejected, err
}

// features lists the records' features by index: scoring reads them from this dense
// array rather than from the records (one cache miss less per pair).
func features(recs []Record) []*match.Features {
	feats := make([]*match.Features, len(recs))
	for i := range recs {
		feats[i] = recs[i].Feat
	}
	return feats
}

// sideFree returns feats (the features of recs, sorted by side and key) in the order of
// the records' keys whatever their side: the random pairs that estimate u are drawn by
// index, and `link A B` and `link B A` drew other pairs (another model: 1 204 against 1 189
// links on one pair of files).
func sideFree(recs []Record, feats []*match.Features) []*match.Features {
	if len(recs) != len(feats) {
		return feats
	}
	idx := make([]int, len(recs))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		x, y := &recs[a], &recs[b]
		return cmp.Or(strings.Compare(x.Key, y.Key), strings.Compare(x.Truth, y.Truth), cmp.Compare(x.content, y.content))
	})
	out := make([]*match.Features, len(idx))
	for i, j := range idx {
		out[i] = feats[j]
	}
	return out
}

func ruleNames(r *rules.Rules) []string {
	out := make([]string, len(r.Match.Blocking))
	for i, b := range r.Match.Blocking {
		out[i] = b.Name
	}
	return out
}

func load(ctx context.Context, cfg Config, eng *match.Engine, sides [][]string) ([]Record, Rejected, error) {
	l := &Loader{Engine: eng, Normalize: cfg.Normalize, Truth: cfg.Truth, Input: cfg.Input, Workers: cfg.Workers}
	var all []Record
	var rej Rejected
	for side, files := range sides {
		l.Input = cfg.Input
		if side == 1 && cfg.InputB != nil {
			l.Input = *cfg.InputB
		}
		recs, r, err := l.Load(ctx, files, uint8(side))
		if err != nil {
			return nil, rej, err
		}
		all = append(all, recs...)
		rej.Count += r.Count
		rej.First = append(rej.First, r.First[:min(len(r.First), maxRejectedReasons-len(rej.First))]...)
	}
	SortRecords(all)
	return all, rej, nil
}

func train(cfg Config, base *match.Engine, recs []Record, feats []*match.Features, pairs []uint64, masks []uint32) (*rules.Model, error) {
	step := (len(pairs) + cfg.EMSample - 1) / max(1, cfg.EMSample)
	pats, perRule := patterns(base, feats, pairs, step, cfg.Workers, masks, len(cfg.Rules.Match.Blocking))
	cfg.TrainConfig.RulePatterns = perRule
	m, err := base.Train(sideFree(recs, feats), pats, int64(len(pairs)), cfg.TrainConfig)
	if err != nil {
		return nil, err // "train: ..." already
	}
	if match.Collapsed(m) {
		return nil, fmt.Errorf("train: EM put all %d blocked pairs among %d records in one class (λ %g, at its floor: a file of exact copies only?): %w", len(pairs), len(feats), m.Lambda, match.ErrNothingToLearn)
	}
	return m, nil
}

func run(ctx context.Context, cfg Config, sides [][]string) (*Result, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	base, err := match.New(cfg.Rules)
	if err != nil {
		return nil, err
	}
	t0 := time.Now()
	phase := func(name string) {
		if cfg.Phase != nil {
			cfg.Phase(name, time.Since(t0))
		}
		t0 = time.Now()
	}
	recs, rej, err := load(ctx, cfg, base, sides)
	if err != nil {
		return nil, err
	}
	phase("load")
	link := len(sides) > 1
	// The keys stay, sorted, for the rules' pairs: a run that trains estimates m per
	// blocking rule, a run with a truth counts what each rule brings (RuleStats); both
	// only when the keys tell the rules apart (ownIndexes).
	names := ruleNames(cfg.Rules)
	keep := (cfg.Truth != "" || trains(cfg)) && ownIndexes(cfg.Rules.Match.Blocking)
	pairs, bst, keys := block(recs, names, cfg.Rules.Match.MaxBlockSize, link, keep)
	for i := range recs {
		recs[i].keys = nil // blocked: memory for scoring
	}
	phase("block")
	res := &Result{Records: recs, Block: bst, Rejected: rej, Link: link, pairs: pairs, guard: cfg.Rules.Match.ClusterGuard, workers: cfg.Workers,
		keys: keys, ruleNames: names, maxBlock: cfg.Rules.Match.MaxBlockSize}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	feats := features(recs)
	eng, err := engineFor(cfg, base, feats, pairs, res)
	if err != nil {
		return nil, err
	}
	res.Engine = eng
	phase("train")
	res.Threshold = cfg.Threshold
	if res.Threshold == 0 {
		res.Threshold = cfg.Rules.Match.BatchThreshold
	}
	minWeight := res.minWeight()
	edges := score(eng, feats, pairs, minWeight, cfg.Workers)
	res.Edges = len(edges)
	phase("score")
	res.Labels = match.Cluster(len(recs), edges, minWeight, eng.CohesionGuard(feats, res.guard))
	phase("cluster")
	return res, nil
}

// trainMasks marks each candidate pair with the blocking rules that bring it, for the
// per-rule EM (ruleMasks), when each rule's keys carry its own index (ownIndexes).
// Otherwise nil: one EM over all the pairs.
func trainMasks(r *rules.Rules, keys []entry, recs []Record, link bool, pairs []uint64) []uint32 {
	if !ownIndexes(r.Match.Blocking) {
		return nil
	}
	return ruleMasks(keys, recs, len(r.Match.Blocking), r.Match.MaxBlockSize, link, pairs)
}

// ownIndexes reports whether every blocking rule's keys carry its own index
// (ruleIndexes): not when two rules share a name (their keys are one rule's) or a name
// holds a ":" (its keys report under another rule's name, or the first rule's), whose
// pairs the per-rule EM and RuleStats would then take for the other rule's.
func ownIndexes(rs []rules.BlockRule) bool {
	for i, ri := range ruleIndexes(rs) {
		if ri != i {
			return false
		}
	}
	return true
}

// trains reports whether a run estimates its model from its input.
func trains(cfg Config) bool {
	return cfg.Train == TrainAlways || (cfg.Train == TrainAuto && cfg.Rules.Model == nil)
}

// engineFor picks the model of a run: trained on the input, or the rules' with its prior
// rescaled to the input's size (the chance that two random records match falls as the
// number of records grows), and term frequencies counted on the input.
func engineFor(cfg Config, base *match.Engine, feats []*match.Features, pairs []uint64, res *Result) (*match.Engine, error) {
	r := cfg.Rules
	switch {
	case trains(cfg):
		if res.Link {
			// The prior is the match share among the pairs the run may compare: those
			// across the two files only.
			var sides [2]int64
			for i := range res.Records {
				sides[res.Records[i].Side&1]++
			}
			cfg.TrainConfig.AllPairs = max(1, sides[0]*sides[1])
		}
		masks := trainMasks(cfg.Rules, res.keys, res.Records, res.Link, pairs)
		if cfg.Truth == "" {
			res.keys = nil // memory: only RuleStats reads them again
		}
		m, err := train(cfg, base, res.Records, feats, pairs, masks)
		if cfg.Train == TrainAuto && errors.Is(err, match.ErrNothingToLearn) {
			// A file without duplicates is still a file to dedupe: its records are
			// scored and clustered with the rules' m/u.
			res.ModelNote = err.Error() + "; the rules' m/u were used"
			break
		}
		if err != nil {
			return nil, err
		}
		res.Model = m
		if r, err = r.WithModel(m); err != nil {
			return nil, err
		}
	case r.Model != nil && r.Model.Records > 0 && len(feats) > 0:
		scaled := *r.Model
		scaled.Prior = math.Min(0.5, r.Model.Prior*float64(r.Model.Records)/float64(len(feats)))
		var err error
		if r, err = r.WithModel(&scaled); err != nil {
			return nil, err
		}
	}
	eng, err := match.New(r)
	if err != nil {
		return nil, err
	}
	if fs := eng.TermFrequencyFields(); len(fs) > 0 {
		eng = eng.WithTermFrequencies(match.CountTerms(feats, fs, 0))
	}
	return eng, nil
}
