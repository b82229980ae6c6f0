package rules

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"path"
	"slices"
	"time"

	"gopkg.in/yaml.v3"
)

// ModelFile is the trained model of a rules directory, written by `steward train`. When
// present it overrides the prior and the m/u probabilities of rules.yaml and brings the
// term-frequency tables.
const ModelFile = "model.yaml"

// Model is what `steward train` estimated from data without labels: u from random pairs,
// m by EM on each blocking rule's pairs, the match share by EM on all the blocked pairs,
// and term frequencies of the values of the fields whose exact levels are
// term-frequency adjusted.
type Model struct {
	// TrainedAt is when the model was estimated.
	TrainedAt time.Time `yaml:"trained_at"`
	// Records is the number of records the model was estimated from.
	Records int `yaml:"records"`
	// Pairs is the number of blocked pairs EM ran on; RandomPairs the number of random
	// pairs u was estimated from.
	Pairs       int64 `yaml:"pairs"`
	RandomPairs int64 `yaml:"random_pairs"`
	// Iterations is the number of EM iterations run; Converged is false when EM stopped
	// at its iteration limit.
	Iterations int  `yaml:"iterations"`
	Converged  bool `yaml:"converged"`
	// EM says how m was estimated: "per_rule" (an EM on each blocking rule's pairs,
	// leaving out the comparisons the rule fixes), or "all_pairs" (one EM over all the
	// blocked pairs: the rules' keys do not tell them apart, two rules of one name or a
	// name with a ":", or there are more than 32 rules). Empty in models written before
	// 2026-12-06.
	EM string `yaml:"em,omitempty"`
	// Lambda is the share of matches among the blocked pairs (EM's estimate).
	Lambda float64 `yaml:"lambda"`
	// Prior is the probability that two random records match (Lambda scaled by the share
	// of all pairs that blocking selects); it replaces match.prior.
	Prior float64 `yaml:"prior"`
	// Comparisons hold the estimated m and u per level, by comparison and level name.
	Comparisons []ModelComparison `yaml:"comparisons"`
	// TermFrequencies maps a compared field (family_name, given_name, city...) to the
	// relative frequencies of its values.
	TermFrequencies map[string]TermFrequency `yaml:"term_frequencies,omitempty"`
}

// ModelComparison holds the estimated levels of one comparison.
type ModelComparison struct {
	Name   string       `yaml:"name"`
	Levels []ModelLevel `yaml:"levels"`
}

// ModelLevel is the estimate of one level: m = P(level | match), u = P(level | non-match).
type ModelLevel struct {
	Name string  `yaml:"name"`
	M    float64 `yaml:"m"`
	U    float64 `yaml:"u"`
}

// TermFrequency is the relative frequency of the values of one field: Values maps a
// comparison value (folded key) to its share of the records having the field. Values not
// listed have frequency Min (a value seen once).
type TermFrequency struct {
	Total  int                `yaml:"total"`
	Min    float64            `yaml:"min"`
	Values map[string]float64 `yaml:"values"`
}

// Frequency returns the relative frequency of v (Min when not listed).
func (t TermFrequency) Frequency(v string) float64 {
	if f, ok := t.Values[v]; ok {
		return f
	}
	return t.Min
}

// loadModel reads model.yaml when fsys has one and applies it to r. Problems name the
// file and line.
func loadModel(fsys fs.FS, name string, r *Rules) error {
	data, err := fs.ReadFile(fsys, ModelFile)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("rules %s: %w", name, err)
	}
	file := path.Join(name, ModelFile)
	var m Model
	root, err := decodeStrict(file, data, &m)
	if err != nil {
		return err
	}
	var errs []error
	for _, p := range r.ApplyModel(&m) {
		errs = append(errs, fmt.Errorf("%s:%d: %s: %s", file, lineOf(root, p.path), p.path, p.msg))
	}
	return errors.Join(errs...)
}

// ApplyModel overrides the prior and the m/u of the rules with the model's and keeps the
// model (for its term frequencies). Comparisons and levels are matched by name; a level of
// the rules the model does not know keeps its m/u. It returns the problems found.
func (r *Rules) ApplyModel(m *Model) []problem {
	var ps []problem
	add := func(path, format string, args ...any) {
		ps = append(ps, problem{path, fmt.Sprintf(format, args...)})
	}
	if !(m.Prior > 0 && m.Prior < 1) { // NaN too
		add("prior", "must be in (0, 1), got %v", m.Prior)
	} else {
		r.Match.Prior = m.Prior
	}
	for i, mc := range m.Comparisons {
		c := r.Match.comparison(mc.Name)
		if c == nil {
			add(fmt.Sprintf("comparisons.%d.name", i), "no comparison %q in the rules", mc.Name)
			continue
		}
		for j, ml := range mc.Levels {
			p := fmt.Sprintf("comparisons.%d.levels.%d", i, j)
			l := c.level(ml.Name)
			switch {
			case l == nil:
				add(p+".name", "no level %q in comparison %q", ml.Name, mc.Name)
			case !(ml.M > 0 && ml.M < 1): // NaN too
				add(p+".m", "must be in (0, 1), got %v", ml.M)
			case !(ml.U > 0 && ml.U < 1):
				add(p+".u", "must be in (0, 1), got %v", ml.U)
			default:
				l.M, l.U = ml.M, ml.U
			}
		}
	}
	for f, tf := range m.TermFrequencies {
		if !(tf.Min > 0 && tf.Min <= 1) {
			add("term_frequencies."+f+".min", "must be in (0, 1], got %v", tf.Min)
		}
		// In sorted order: the problems are reported alike from one load to the next.
		for _, v := range slices.Sorted(maps.Keys(tf.Values)) {
			if q := tf.Values[v]; !(q > 0 && q <= 1) { // NaN too
				add(fmt.Sprintf("term_frequencies.%s.values.%s", f, v), "must be in (0, 1], got %v", q)
			}
		}
	}
	r.Model = m
	return ps
}

func (m *Match) comparison(name string) *Comparison {
	for i := range m.Comparisons {
		if m.Comparisons[i].Name == name {
			return &m.Comparisons[i]
		}
	}
	return nil
}

func (c *Comparison) level(name string) *Level {
	for i := range c.Levels {
		if c.Levels[i].Name == name {
			return &c.Levels[i]
		}
	}
	return nil
}

// Encode writes the model as YAML with a header comment.
func (m *Model) Encode() ([]byte, error) {
	var b bytes.Buffer
	b.WriteString("# Written by `steward train`: estimated without labels (u from random pairs, m by EM on\n")
	b.WriteString("# each blocking rule's pairs, the match share by EM on all the blocked pairs). Overrides\n")
	b.WriteString("# rules.yaml's prior and m/u.\n")
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(m); err != nil {
		return nil, fmt.Errorf("encode model: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// WithModel returns a copy of the rules with the model applied (the receiver is not
// changed). It fails when the model does not fit the rules.
func (r *Rules) WithModel(m *Model) (*Rules, error) {
	c := *r
	c.Match.Comparisons = make([]Comparison, len(r.Match.Comparisons))
	for i, cmp := range r.Match.Comparisons {
		cmp.Levels = append([]Level(nil), cmp.Levels...)
		c.Match.Comparisons[i] = cmp
	}
	if ps := c.ApplyModel(m); len(ps) > 0 {
		errs := make([]error, len(ps))
		for i, p := range ps {
			errs[i] = fmt.Errorf("model: %s: %s", p.path, p.msg)
		}
		return nil, errors.Join(errs...)
	}
	return &c, nil
}
