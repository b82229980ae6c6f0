package match

import (
	"math"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/steward-crm/steward/contact"
	"github.com/steward-crm/steward/fold"
	"github.com/steward-crm/steward/rules"
)

// Engine scores pairs of normalized records with Fellegi–Sunter weights taken from the
// rules and decides what to do with them. It is safe for concurrent use.
type Engine struct {
	rules       *rules.Rules
	comparisons []comparison
	used        [numFields]bool // the fields some level compares
	// order is the order in which WeightAtLeast evaluates the comparisons (cheapest
	// first), and headroom[j] bounds what comparisons order[j:] can add to a weight.
	order       []int
	headroom    []float64
	best        []float64      // by comparison, its best level's weight
	priorWeight float64        // log2(prior / (1 - prior))
	ruleCaps    map[string]int // blocking rules' own max_masters, by name
	auto        float64
	review      float64
}

// New compiles the match rules; term frequencies come from the rules' trained model, if
// any (see WithTermFrequencies).
func New(r *rules.Rules) (*Engine, error) {
	e := &Engine{rules: r, auto: r.Match.AutoThreshold, review: r.Match.ReviewThreshold}
	p := r.Match.Prior
	e.priorWeight = math.Log2(p / (1 - p))
	cs, err := e.compile(r.Match.Comparisons)
	if err != nil {
		return nil, err
	}
	e.comparisons = cs
	e.order = evalOrder(cs)
	e.headroom, e.best = headroom(cs, e.order)
	for _, c := range cs {
		if c.names {
			// A comparison of names reads them crosswise (crosswise needs both):
			// features decoded from storage hold both, and extracted ones must agree.
			e.used[givenID], e.used[familyID] = true, true
		}
		for _, l := range c.levels {
			e.used[l.fieldID] = true
			if l.guardID >= 0 {
				// Extracted for the guard even when no level compares it: features
				// decoded from storage hold every field, and both must agree.
				e.used[l.guardID] = true
			}
		}
	}
	if r.Model != nil {
		e.setTermFrequencies(r.Model.TermFrequencies)
	}
	for i, b := range r.Match.Blocking {
		// Rules of one name share their keys: the first one's cap holds.
		if b.MaxMasters > 0 && !slices.ContainsFunc(r.Match.Blocking[:i], func(o rules.BlockRule) bool { return o.Name == b.Name }) {
			if e.ruleCaps == nil {
				e.ruleCaps = map[string]int{}
			}
			e.ruleCaps[b.Name] = b.MaxMasters
		}
	}
	return e, nil
}

// RuleMaxMasters returns the blocking rules that have their own max_masters (streaming
// block cap), by name (nil: none). The caller must not modify it.
func (e *Engine) RuleMaxMasters() map[string]int { return e.ruleCaps }

// Rules returns the rules the engine was built from.
func (e *Engine) Rules() *rules.Rules { return e.rules }

// FieldScore explains one comparison of a score: the compared values, the level that held
// and its weight (log2 m/u). A field missing on either side has Level "missing", weight 0.
type FieldScore struct {
	Comparison string  `json:"comparison"`
	A          string  `json:"a,omitempty"`
	B          string  `json:"b,omitempty"`
	Level      string  `json:"level"`
	Weight     float64 `json:"weight"`
	// TermFrequency is the part of Weight due to the frequency of the agreeing value
	// (positive for a rare value, negative for a common one).
	TermFrequency float64 `json:"tf,omitempty"`
}

// Score is the result of comparing two records.
type Score struct {
	// Weight is the total match weight: prior log-odds plus the sum of field weights.
	Weight float64 `json:"weight"`
	// Probability is the match probability 1 / (1 + 2^-Weight).
	Probability float64 `json:"probability"`
	// Prior is the prior log-odds the weight started from.
	Prior float64 `json:"prior"`
	// Swapped is true when given and family names were compared crosswise.
	Swapped bool `json:"swapped,omitempty"`
	// Fields explain the weight, one entry per comparison, in rule order.
	Fields []FieldScore `json:"fields"`
	// Against is the key (source:source_id) of the record the score compared with, when
	// its caller names it (a split review item: the master's best-matching other
	// record); the engine leaves it empty.
	Against string `json:"against,omitempty"`
}

// Score compares a and b and explains the weight. It is symmetric: Score(a, b) and
// Score(b, a) have the same weight. When the given and family names of one record are the
// other's crosswise, the better of the two readings is kept.
func (e *Engine) Score(a, b *contact.Normalized) Score {
	return e.ScoreFeatures(e.Features(a), e.Features(b))
}

// Probability turns a match weight into a probability.
func Probability(weight float64) float64 { return 1 / (1 + math.Exp2(-weight)) }

// ReviewWeight is the weight below which a pair's probability is under the review
// threshold (Decide says NewMaster), less a margin for rounding: a resolver need not
// score exactly a candidate it knows to be below it.
func (e *Engine) ReviewWeight() float64 {
	return math.Log2(e.review/(1-e.review)) - 1e-3
}

// Decision is what to do with a record given its best candidate.
type Decision string

// Decisions.
const (
	// Link: the record joins the candidate's master.
	Link Decision = "link"
	// Review: the record gets its own master and the pair is queued for a steward.
	Review Decision = "review"
	// NewMaster: the record gets its own master.
	NewMaster Decision = "new"
)

// Decide applies the thresholds of the rules to a match probability.
func (e *Engine) Decide(p float64) Decision {
	switch {
	case p >= e.auto:
		return Link
	case p >= e.review:
		return Review
	default:
		return NewMaster
	}
}

// BlockKeys returns the blocking keys of a normalized record, deduplicated and sorted:
// "<rule>:<part>|<part>...". A rule yields keys only when all its parts are present; a
// multi-valued part (emails, phones) yields one key per value.
func (e *Engine) BlockKeys(n *contact.Normalized) []string {
	var keys []string
	e.BlockKeyParts(n, func(rule int, parts []string) {
		keys = append(keys, e.rules.Match.Blocking[rule].Name+":"+joinKeyParts(parts))
	})
	slices.Sort(keys)
	return slices.Compact(keys)
}

// joinKeyParts joins the parts of a blocking key as BlockKeys spells them: with "|"
// between them, none after leading empty parts.
func joinKeyParts(parts []string) string {
	c := ""
	for _, v := range parts {
		if c == "" {
			c = v
		} else {
			c = c + "|" + v
		}
	}
	return c
}

// BlockKeyParts calls fn for each blocking key of n, in rule order and not deduplicated:
// the index of the key's rule in the rules' blocking list and its part values (fn must not
// keep parts). It is BlockKeys without building strings, for callers that only hash them.
func (e *Engine) BlockKeyParts(n *contact.Normalized, fn func(rule int, parts []string)) {
	if n == nil {
		return
	}
	var partsBuf [4]string
	var valsBuf [4][]string
	var idxBuf [4]int
	for ri, b := range e.rules.Match.Blocking {
		np := len(b.Parts)
		parts, vals, idx := partsBuf[:0], valsBuf[:0], idxBuf[:0]
		if np > len(partsBuf) {
			parts, vals, idx = make([]string, 0, np), make([][]string, 0, np), make([]int, 0, np)
		}
		for _, part := range b.Parts {
			vs := blockValues(n, part)
			if len(vs) == 0 {
				vals = nil
				break
			}
			vals = append(vals, vs)
		}
		if vals == nil {
			continue
		}
		parts, idx = parts[:np], idx[:np]
		clear(idx)
		// The product of the parts' values, the last part varying fastest.
		for {
			for k := range np {
				parts[k] = vals[k][idx[k]]
			}
			fn(ri, parts)
			k := np - 1
			for ; k >= 0; k-- {
				if idx[k]++; idx[k] < len(vals[k]) {
					break
				}
				idx[k] = 0
			}
			if k < 0 {
				break
			}
		}
	}
}

func blockValues(n *contact.Normalized, part string) []string {
	switch part {
	case "email":
		return values(n, "email")
	case "phone":
		return values(n, "phone")
	case "family_phonetic":
		if n.FamilyPhonetic != "" {
			return []string{n.FamilyPhonetic}
		}
		if p := Phonetic(n.FamilyKey); p != "" {
			return []string{p}
		}
		return nil
	case "family_key":
		return values(n, "family_name")
	case "given_key":
		return values(n, "given_name")
	case "given_initial":
		if n.GivenKey == "" {
			return nil
		}
		// The first letter, not byte: a key must be valid UTF-8 (PostgreSQL text), and
		// д and е (both 0xD0 first) are two initials.
		_, size := utf8.DecodeRuneInString(n.GivenKey)
		return []string{n.GivenKey[:size]}
	case "postcode":
		return values(n, "postcode")
	case "city_key":
		return values(n, "city")
	case "birth_date":
		return values(n, "birth_date")
	case "birth_year":
		if d := values(n, "birth_date"); len(d) > 0 && len(d[0]) >= 4 {
			return []string{d[0][:4]}
		}
		return nil
	case "company_siren":
		return values(n, "company_siren")
	case "email_local":
		return values(n, "email_local")
	case "name_set":
		if n.GivenKey == "" || n.FamilyKey == "" {
			return nil
		}
		a, b := n.GivenKey, n.FamilyKey
		if b < a {
			a, b = b, a
		}
		return []string{a + "+" + b}
	case "name_set_phonetic":
		if n.GivenKey == "" || n.FamilyKey == "" {
			return nil
		}
		a, b := Phonetic(n.GivenKey), Phonetic(n.FamilyKey)
		if a == "" || b == "" {
			return nil
		}
		if b < a {
			a, b = b, a
		}
		return []string{a + "+" + b}
	case "house_number":
		if !n.Address.Street.Usable() || n.Address.Number == "" {
			return nil
		}
		return []string{fold.Compact(n.Address.Number)}
	}
	return nil
}

// Summary is a one-line human explanation of a score: the fields that weighed most.
func (s Score) Summary() string {
	var parts []string
	for _, f := range s.Fields {
		if f.Level == "missing" {
			continue
		}
		parts = append(parts, f.Comparison+"="+f.Level)
	}
	return strings.Join(parts, ", ")
}
