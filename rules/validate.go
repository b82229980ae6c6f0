package rules

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
)

type problem struct{ path, msg string }

// Known names, checked at load time so that a typo fails at start-up, not mid-stream.
// maxLevenshtein is the largest edit distance a levenshtein level takes: a value is at
// most 4096 bytes, so no two are farther apart.
const maxLevenshtein = 4096

var (
	blockParts = []string{"email", "phone", "family_phonetic", "family_key", "given_initial",
		"given_key", "postcode", "city_key", "birth_date", "birth_year", "company_siren", "name_set", "name_set_phonetic", "house_number", "email_local"}
	compareFields = []string{"given_name", "family_name", "email", "email_local", "phone", "phone_mobile", "phone_fixed", "birth_date",
		"postcode", "city", "street", "company_name", "company_siren"}
	levelKinds = []string{"exact", "jaro_winkler", "levenshtein", "phonetic", "nickname",
		"initial", "date_within", "date_transposed", "token_subset", "numeric", "present", "else"}
	tfFields   = []string{"given_name", "family_name", "city", "postcode", "street", "company_name"}
	strategies = []string{"source_priority", "most_recent", "most_complete", "most_frequent", "longest"}
	// stageNames are the stage types of package stages (its registry; a test checks both
	// sides agree), checked here so that a misspelt stage names its file, line and key.
	stageNames = []string{"company.attach", "enrich.activity", "enrich.email", "enrich.geo", "enrich.phone", "enrich.quality",
		"normalize.address", "normalize.company", "normalize.date", "normalize.email", "normalize.name", "normalize.phone"}
	// survivorFields are the golden fields match.Survive picks (survivorship.fields keys);
	// qualityFields the weights enrich.Quality reads (quality.weights keys).
	survivorFields = []string{"civility", "given_name", "family_name", "job_title", "birth_date", "address", "company", "emails", "phones"}
	qualityFields  = []string{"name", "email", "phone", "address", "birth_date", "company"}
)

// BlockParts, CompareFields and LevelKinds return the names the rules may use; the match
// package implements exactly these (a test checks both sides agree).
func BlockParts() []string    { return slices.Clone(blockParts) }
func CompareFields() []string { return slices.Clone(compareFields) }
func LevelKinds() []string    { return slices.Clone(levelKinds) }

// TermFrequencyFields returns the fields an exact level may be term-frequency adjusted on.
func TermFrequencyFields() []string { return slices.Clone(tfFields) }

// StageNames returns the stage type names the rules may list under stages:.
func StageNames() []string { return slices.Clone(stageNames) }

// Strategies returns the survivorship strategy names.
func Strategies() []string { return slices.Clone(strategies) }

func (r *Rules) setDefaults() {
	if r.Stages.Normalize == nil {
		r.Stages.Normalize = []string{"normalize.name", "normalize.email", "normalize.phone",
			"normalize.address", "normalize.date", "normalize.company"}
	}
	if r.Stages.Identify == nil {
		r.Stages.Identify = []string{"enrich.quality"}
	}
	if r.Normalize.DefaultRegion == "" {
		r.Normalize.DefaultRegion = "FR"
	}
	if r.Normalize.PhoneRegions == nil {
		r.Normalize.PhoneRegions = []string{"FR", "GB", "DE", "US", "BE", "CH", "AT", "ES", "IT", "NL", "IE"}
	}
	m := &r.Match
	if m.MaxBlockSize == 0 {
		m.MaxBlockSize = 50
	}
	if m.Prior == 0 {
		m.Prior = 3e-6 // one in ~330 000 records, as the default rules (0.1 before: a rule file without a prior linked nearly every blocked pair)
	}
	if m.AutoThreshold == 0 {
		m.AutoThreshold = 0.95
	}
	if m.ReviewThreshold == 0 {
		m.ReviewThreshold = 0.6
	}
	if m.BatchThreshold == 0 {
		m.BatchThreshold = 0.97
	}
	if m.SplitThreshold == 0 {
		// At most review_threshold: a rules file written before the setting, with a
		// review_threshold under 0.01, still loads.
		m.SplitThreshold = min(0.01, m.ReviewThreshold)
	}
	if m.ClusterGuard == 0 {
		m.ClusterGuard = 0.5
	}
	for i := range m.Comparisons {
		if m.Comparisons[i].Name == "" {
			m.Comparisons[i].Name = m.Comparisons[i].Field
		}
	}
	if r.Survivorship.Default == "" {
		r.Survivorship.Default = "most_recent"
	}
	r.Enrich.setDefaults()
}

func (r *Rules) validate() []problem {
	var ps []problem
	add := func(path, format string, args ...any) {
		ps = append(ps, problem{path, fmt.Sprintf(format, args...)})
	}
	ps = append(ps, r.Enrich.validate()...)
	for _, h := range []struct {
		handler string
		names   []string
	}{{"normalize", r.Stages.Normalize}, {"identify", r.Stages.Identify}} {
		for i, n := range h.names {
			if !slices.Contains(stageNames, n) {
				add(fmt.Sprintf("stages.%s.%d", h.handler, i), "unknown stage type %q (known: %v)", n, stageNames)
			}
		}
	}
	if len(r.Normalize.DefaultRegion) != 2 {
		add("normalize.default_region", "want an ISO 3166-1 alpha-2 code, got %q", r.Normalize.DefaultRegion)
	}
	for i, cc := range r.Normalize.PhoneRegions {
		if len(cc) != 2 {
			add(fmt.Sprintf("normalize.phone_regions.%d", i), "want an ISO 3166-1 alpha-2 code, got %q", cc)
		}
	}
	m := r.Match
	if len(m.Blocking) == 0 {
		add("match.blocking", "at least one blocking rule is required")
	}
	for i, b := range m.Blocking {
		p := fmt.Sprintf("match.blocking.%d", i)
		if b.Name == "" {
			add(p+".name", "required")
		}
		if len(b.Parts) == 0 {
			add(p+".parts", "at least one part is required")
		}
		if b.MaxMasters < 0 {
			add(p+".max_masters", "must be at least 1 (0 or unset: match.max_block_size)")
		}
		if strings.Contains(b.Name, ":") && slices.ContainsFunc(m.Blocking, func(o BlockRule) bool { return o.MaxMasters > 0 }) {
			// A key is "name:value": its rule, and so its cap, is read back from it.
			add(p+".name", "with a rule's own max_masters, rule names cannot hold \":\"")
		}
		for j, part := range b.Parts {
			if !slices.Contains(blockParts, part) {
				add(fmt.Sprintf("%s.parts.%d", p, j), "unknown key part %q (known: %v)", part, blockParts)
			}
		}
	}
	if m.MaxBlockSize < 1 {
		add("match.max_block_size", "must be at least 1")
	}
	if !(m.Prior > 0 && m.Prior < 1) { // NaN too
		add("match.prior", "must be in (0, 1), got %v", m.Prior)
	}
	if !(m.ReviewThreshold > 0 && m.ReviewThreshold <= m.AutoThreshold && m.AutoThreshold <= 1) {
		add("match.review_threshold", "want 0 < review_threshold (%v) <= auto_threshold (%v) <= 1", m.ReviewThreshold, m.AutoThreshold)
	}
	if !(m.SplitThreshold > 0 && m.SplitThreshold <= m.ReviewThreshold) { // NaN too
		add("match.split_threshold", "want 0 < split_threshold (%v) <= review_threshold (%v)", m.SplitThreshold, m.ReviewThreshold)
	}
	if m.OrderIndependent && !m.AutoMerge {
		add("match.order_independent", "needs match.auto_merge: true (without it a record that links two masters joins the one it meets first)")
	}
	if !(m.BatchThreshold > 0 && m.BatchThreshold < 1) {
		add("match.batch_threshold", "must be in (0, 1), got %v", m.BatchThreshold)
	}
	if !(m.ClusterGuard >= 0 && m.ClusterGuard < 1) {
		add("match.cluster_guard", "must be in [0, 1), got %v", m.ClusterGuard)
	}
	if len(m.Comparisons) == 0 {
		add("match.comparisons", "at least one comparison is required")
	}
	seenComparison := map[string]bool{}
	for i, c := range m.Comparisons {
		p := fmt.Sprintf("match.comparisons.%d", i)
		// model.yaml and explanations name comparisons and levels: a name must be unique.
		if seenComparison[c.Name] {
			add(p+".name", "comparison %q is defined twice (give one a name)", c.Name)
		}
		seenComparison[c.Name] = true
		seenLevel := map[string]bool{}
		if !slices.Contains(compareFields, c.Field) {
			add(p+".field", "unknown field %q (known: %v)", c.Field, compareFields)
		}
		if len(c.Levels) == 0 {
			add(p+".levels", "at least one level is required")
		}
		for j, l := range c.Levels {
			lp := fmt.Sprintf("%s.levels.%d", p, j)
			if !slices.Contains(levelKinds, l.Kind) {
				add(lp+".kind", "unknown level kind %q (known: %v)", l.Kind, levelKinds)
			}
			if l.Field != "" && !slices.Contains(compareFields, l.Field) {
				add(lp+".field", "unknown field %q (known: %v)", l.Field, compareFields)
			}
			if l.UnlessDiffer != "" && !slices.Contains(compareFields, l.UnlessDiffer) {
				add(lp+".unless_differ", "unknown field %q (known: %v)", l.UnlessDiffer, compareFields)
			}
			if l.UnlessDiffer != "" && l.Kind == "else" {
				add(lp+".unless_differ", "not for an else level (it always holds)")
			}
			if f := cmp.Or(l.Field, c.Field); l.UnlessDiffer != "" && l.UnlessDiffer == f {
				add(lp+".unless_differ", "%q is the field the level compares: the level would hold only on equal values", f)
			}
			if l.Kind == "else" && j != len(c.Levels)-1 {
				add(lp+".kind", "an else level must be last")
			}
			if !(l.M > 0 && l.M < 1) { // NaN too
				add(lp+".m", "must be in (0, 1), got %v", l.M)
			}
			if !(l.U > 0 && l.U < 1) {
				add(lp+".u", "must be in (0, 1), got %v", l.U)
			}
			if l.Name == "" {
				add(lp+".name", "required")
			} else if seenLevel[l.Name] {
				add(lp+".name", "level %q is defined twice in comparison %q", l.Name, c.Name)
			}
			seenLevel[l.Name] = true
			switch l.Kind {
			case "jaro_winkler":
				if !(l.Threshold > 0 && l.Threshold <= 1) { // NaN too
					add(lp+".threshold", "a jaro_winkler level needs a similarity in (0, 1], got %v", l.Threshold)
				}
			case "levenshtein":
				// At most the longest value's length: a larger one overflowed the int it
				// is read into, and the level never held.
				if !(l.Threshold >= 1 && l.Threshold <= maxLevenshtein) {
					add(lp+".threshold", "a levenshtein level needs a maximum edit distance from 1 to %d, got %v", maxLevenshtein, l.Threshold)
				}
			case "token_subset":
				if !(l.Threshold >= 0 && l.Threshold <= 1) {
					add(lp+".threshold", "a token_subset level takes no threshold (words equal) or a Jaro–Winkler similarity in (0, 1] at which two words agree, got %v", l.Threshold)
				}
			case "date_within":
				if !(l.Threshold >= 0) || math.IsInf(l.Threshold, 1) {
					add(lp+".threshold", "a date_within level needs a number of days, got %v", l.Threshold)
				}
			case "numeric":
				if !(l.Threshold >= 0) || math.IsInf(l.Threshold, 1) {
					add(lp+".threshold", "a numeric level needs the largest difference of the two numbers (0 for equal numbers), got %v", l.Threshold)
				}
			}
			if l.TermFrequency {
				f := l.Field
				if f == "" {
					f = c.Field
				}
				if l.Kind != "exact" || !slices.Contains(tfFields, f) {
					add(lp+".term_frequency", "only for exact levels on %v", tfFields)
				}
			}
		}
	}
	if !slices.Contains(strategies, r.Survivorship.Default) {
		add("survivorship.default", "unknown strategy %q (known: %v)", r.Survivorship.Default, strategies)
	}
	for _, f := range slices.Sorted(maps.Keys(r.Survivorship.Fields)) {
		if !slices.Contains(survivorFields, f) {
			add("survivorship.fields."+f, "unknown golden field %q (known: %v)", f, survivorFields)
		}
		if s := r.Survivorship.Fields[f]; !slices.Contains(strategies, s) {
			add("survivorship.fields."+f, "unknown strategy %q (known: %v)", s, strategies)
		}
	}
	for _, f := range slices.Sorted(maps.Keys(r.Quality.Weights)) {
		if !slices.Contains(qualityFields, f) {
			add("quality.weights."+f, "unknown weight %q (known: %v)", f, qualityFields)
		}
		if r.Quality.Weights[f] < 0 {
			add("quality.weights."+f, "must not be negative")
		}
	}
	return ps
}
