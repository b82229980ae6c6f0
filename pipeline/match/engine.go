package match

import (
	"math"
	"slices"
	"strings"

	"github.com/steward-crm/steward/contact"
	"github.com/steward-crm/steward/rules"
)

// Engine scores pairs of normalized records with Fellegi–Sunter weights taken from the
// rules and decides what to do with them. It is safe for concurrent use.
type Engine struct {
	rules       *rules.Rules
	comparisons []comparison
	priorWeight float64 // log2(prior / (1 - prior))
	auto        float64
	review      float64
}

// New compiles the match rules.
func New(r *rules.Rules) (*Engine, error) {
	e := &Engine{rules: r, auto: r.Match.AutoThreshold, review: r.Match.ReviewThreshold}
	p := r.Match.Prior
	e.priorWeight = math.Log2(p / (1 - p))
	cs, err := e.compile(r.Match.Comparisons)
	if err != nil {
		return nil, err
	}
	e.comparisons = cs
	return e, nil
}

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
}

// Score compares a and b. It is symmetric: Score(a, b) and Score(b, a) have the same
// weight. When the given and family names of one record are the other's crosswise, the
// better of the two readings is kept.
func (e *Engine) Score(a, b *contact.Normalized) Score {
	s := e.score(a, b, false)
	if a != nil && b != nil && a.GivenKey != "" && a.FamilyKey != "" && a.GivenKey != a.FamilyKey &&
		a.GivenKey == b.FamilyKey && a.FamilyKey == b.GivenKey {
		if sw := e.score(a, b, true); sw.Weight > s.Weight {
			return sw
		}
	}
	return s
}

func (e *Engine) score(a, b *contact.Normalized, swap bool) Score {
	s := Score{Prior: e.priorWeight, Weight: e.priorWeight, Swapped: swap, Fields: make([]FieldScore, 0, len(e.comparisons))}
	get := func(n *contact.Normalized, field string, side int) []string {
		if swap && side == 0 {
			switch field {
			case "given_name":
				field = "family_name"
			case "family_name":
				field = "given_name"
			}
		}
		return values(n, field)
	}
	for _, c := range e.comparisons {
		fs := compareField(c, func(field string) ([]string, []string) { return get(a, field, 0), get(b, field, 1) })
		s.Weight += fs.Weight
		s.Fields = append(s.Fields, fs)
	}
	s.Probability = Probability(s.Weight)
	return s
}

// compareField returns the first level, in rule order, that holds for some pair of
// values. Levels on a field missing on either side are skipped; when every field of the
// comparison is missing on a side the comparison is neutral (level "missing", weight 0).
func compareField(c comparison, vals func(field string) (as, bs []string)) FieldScore {
	fs := FieldScore{Comparison: c.name, Level: "missing"}
	present := false
	for _, l := range c.levels {
		xs, ys := vals(l.field)
		if len(xs) == 0 || len(ys) == 0 {
			continue
		}
		if !present {
			present = true
			fs.A, fs.B = xs[0], ys[0]
		}
		if l.kind == "else" {
			fs.Level, fs.Weight = l.name, l.weight
			return fs
		}
		for _, x := range xs {
			for _, y := range ys {
				// Order the pair so that asymmetric comparators stay symmetric.
				p, q := x, y
				if q < p {
					p, q = q, p
				}
				if l.holds(p, q) {
					fs.A, fs.B, fs.Level, fs.Weight = x, y, l.name, l.weight
					return fs
				}
			}
		}
	}
	if present {
		fs.Level = "none"
	}
	return fs
}

// Probability turns a match weight into a probability.
func Probability(weight float64) float64 { return 1 / (1 + math.Exp2(-weight)) }

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
	if n == nil {
		return nil
	}
	var keys []string
	for _, b := range e.rules.Match.Blocking {
		combos := []string{""}
		for _, part := range b.Parts {
			vs := blockValues(n, part)
			if len(vs) == 0 {
				combos = nil
				break
			}
			next := make([]string, 0, len(combos)*len(vs))
			for _, c := range combos {
				for _, v := range vs {
					if c == "" {
						next = append(next, v)
					} else {
						next = append(next, c+"|"+v)
					}
				}
			}
			combos = next
		}
		for _, c := range combos {
			keys = append(keys, b.Name+":"+c)
		}
	}
	slices.Sort(keys)
	return slices.Compact(keys)
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
		return []string{n.GivenKey[:1]}
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
