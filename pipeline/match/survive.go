package match

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/steward-crm/steward/contact"
	"github.com/steward-crm/steward/fold"
	"github.com/steward-crm/steward/rules"
)

// candidate is one record's value for one golden field.
type candidate struct {
	value    any
	key      string    // for frequency: folded value
	size     int       // for longest / most complete
	rank     int       // source priority: lower is better
	recency  time.Time // updated_at (not UnixNano: it wraps before 1678 and after 2262)
	provider string    // source record key
	display  string    // exact value, for ties between spellings of one key (most_frequent: set by choose)
}

// Survive builds the golden record of a master from its live source records (normalized),
// applying the survivorship strategy of each field. The result is deterministic for the
// same set of records whatever their order.
func Survive(members []*contact.Record, s rules.Survivorship) contact.Golden {
	rank := func(src string) int {
		if i := slices.Index(s.SourcePriority, src); i >= 0 {
			return i
		}
		return len(s.SourcePriority)
	}
	// The members in key order, each one's key and source rank computed once: every
	// golden field builds its candidates from them.
	type member struct {
		r    *contact.Record
		key  string
		rank int
	}
	byKey := make([]member, len(members))
	for i, r := range members {
		byKey[i] = member{r: r, key: r.Key(), rank: rank(r.Source)}
	}
	slices.SortFunc(byKey, func(a, b member) int { return cmp.Compare(a.key, b.key) })
	ms := make([]*contact.Record, len(byKey))
	for i, m := range byKey {
		ms[i] = m.r
	}
	g := contact.Golden{Provenance: map[string]string{}}
	cands := make([]candidate, 0, len(ms)) // one field's, reused: choose returns a copy
	pick := func(field string, get func(r *contact.Record) (any, string, int)) (any, bool) {
		cands = cands[:0]
		for _, m := range byKey {
			r := m.r
			if r.Norm == nil {
				continue
			}
			v, key, size := get(r)
			if key == "" {
				continue
			}
			cands = append(cands, candidate{value: v, key: key, size: size, rank: m.rank, recency: r.UpdatedAt, provider: m.key})
		}
		if len(cands) == 0 {
			return nil, false
		}
		strategy := s.Fields[field]
		if strategy == "" {
			strategy = s.Default
		}
		best := choose(strategy, cands)
		g.Provenance[field] = best.provider
		return best.value, true
	}
	str := func(f contact.Field) (any, string, int) {
		if !f.Usable() {
			return nil, "", 0
		}
		return f.Value, fold.Key(f.Value), len(f.Value)
	}
	if v, ok := pick("civility", func(r *contact.Record) (any, string, int) { return str(r.Norm.Civility) }); ok {
		g.Civility = v.(string)
	}
	if v, ok := pick("given_name", func(r *contact.Record) (any, string, int) { return str(r.Norm.GivenName) }); ok {
		g.GivenName = v.(string)
	}
	if v, ok := pick("family_name", func(r *contact.Record) (any, string, int) { return str(r.Norm.FamilyName) }); ok {
		g.FamilyName = v.(string)
	}
	if v, ok := pick("job_title", func(r *contact.Record) (any, string, int) {
		t := strings.TrimSpace(r.JobTitle)
		return t, fold.Key(t), len(t)
	}); ok {
		g.JobTitle = v.(string)
	}
	if v, ok := pick("birth_date", func(r *contact.Record) (any, string, int) { return str(r.Norm.BirthDate) }); ok {
		g.BirthDate = v.(string)
	}
	if v, ok := pick("address", func(r *contact.Record) (any, string, int) {
		a := r.Norm.Address
		n := 0
		for _, f := range []contact.Field{a.Street, a.Postcode, a.City, a.Country} {
			if f.Usable() {
				n++
			}
		}
		if n == 0 {
			return nil, "", 0
		}
		return a, fold.Key(a.Number + " " + a.Street.Value + " " + a.Postcode.Value + " " + a.CityKey), n
	}); ok {
		g.Address = v.(contact.NormAddress)
	}
	if v, ok := pick("company", func(r *contact.Record) (any, string, int) {
		c := r.Norm.Company
		siren := ""
		if c.SIREN.Usable() { // an invalid SIREN alone is not a company, as elsewhere
			siren = c.SIREN.Value
		}
		key := siren + "|" + c.NameKey
		if key == "|" {
			return nil, "", 0
		}
		n := len(c.NameKey)
		if c.SIREN.Usable() {
			n += 100
		}
		return c, key, n
	}); ok {
		g.Company = v.(contact.NormCompany)
	}
	// The surviving e-mail is one without a known domain typo when a member has one: a
	// newer "…@gmial.com" beside "…@gmail.com" was the golden record's e-mail, the one a
	// mailing takes. The typo stays in the list (kept as written).
	emails := func(clean bool) func(r *contact.Record) []string {
		return func(r *contact.Record) []string {
			var out []string
			for _, e := range r.Norm.Emails {
				if e.Usable() && (!clean || !slices.ContainsFunc(e.Issues, isTypoDomain)) {
					out = append(out, e.Value)
				}
			}
			return out
		}
	}
	g.Emails = pickList(ms, "emails", s, pick, emails(true), emails(false))
	phones := func(r *contact.Record) []string {
		var out []string
		for _, p := range r.Norm.Phones {
			if p.Usable() {
				out = append(out, p.Value)
			}
		}
		return out
	}
	g.Phones = pickList(ms, "phones", s, pick, nil, phones)
	for _, r := range ms {
		g.Sources = append(g.Sources, r.Key())
		if g.Kind == "" {
			g.Kind = r.EffectiveKind()
		}
	}
	return g
}

// isTypoDomain reports an issue code of a known e-mail domain typo.
func isTypoDomain(code string) bool { return strings.HasPrefix(code, "email.typo_domain_suggested:") }

// pickList returns every distinct value (case aside) of a multi-valued field (get), the
// surviving one first: chosen among the preferred values when a member has one (nil: none
// preferred), else among all.
func pickList(ms []*contact.Record, field string, s rules.Survivorship,
	pick func(string, func(*contact.Record) (any, string, int)) (any, bool),
	preferred, get func(*contact.Record) []string) []string {
	first := func(get func(*contact.Record) []string) (any, bool) {
		return pick(field, func(r *contact.Record) (any, string, int) {
			vs := get(r)
			if len(vs) == 0 {
				return nil, "", 0
			}
			return vs[0], strings.ToLower(vs[0]), len(vs[0])
		})
	}
	var v any
	ok := false
	if preferred != nil {
		v, ok = first(preferred)
	}
	if !ok {
		v, ok = first(get)
	}
	if !ok {
		return nil
	}
	out := []string{v.(string)}
	for _, r := range ms {
		if r.Norm == nil {
			continue
		}
		for _, v := range get(r) {
			// Distinct as the pick groups them, case aside: "JP.DUPONT@wanadoo.fr" from an
			// ERP that writes capitals is the mailbox the web shop wrote in lower case.
			if !slices.ContainsFunc(out, func(o string) bool { return strings.EqualFold(o, v) }) {
				out = append(out, v)
			}
		}
	}
	return out
}

// choose applies a strategy; ties are broken by recency, then source priority, then the
// provider key, so that the result never depends on input order.
func choose(strategy string, cs []candidate) candidate {
	if len(cs) == 1 { // a master of one record, or one record holding the field
		return cs[0]
	}
	var freq, freqDisplay map[string]int
	if strategy == "most_frequent" {
		freq, freqDisplay = make(map[string]int, len(cs)), make(map[string]int, len(cs))
		for i := range cs {
			cs[i].display = fmt.Sprint(cs[i].value)
			freq[cs[i].key]++
			freqDisplay[cs[i].display]++
		}
	}
	better := func(a, b candidate) bool { // a better than b
		switch strategy {
		case "source_priority":
			if a.rank != b.rank {
				return a.rank < b.rank
			}
		case "most_complete", "longest":
			if a.size != b.size {
				return a.size > b.size
			}
		case "most_frequent":
			if freq[a.key] != freq[b.key] {
				return freq[a.key] > freq[b.key]
			}
			if freqDisplay[a.display] != freqDisplay[b.display] {
				return freqDisplay[a.display] > freqDisplay[b.display]
			}
		}
		if c := a.recency.Compare(b.recency); c != 0 {
			return c > 0
		}
		if a.rank != b.rank {
			return a.rank < b.rank
		}
		return a.provider < b.provider
	}
	best := cs[0]
	for _, c := range cs[1:] {
		if better(c, best) {
			best = c
		}
	}
	return best
}
