package company

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/steward-crm/steward/contact"
	"github.com/steward-crm/steward/fold"
	"github.com/steward-crm/steward/pipeline/match"
)

// byDomain attaches through the owners known for the record's domain. One owner holding
// every vote is strong evidence (0.9, 0.95 from two votes on); a contested domain or a
// name that disagrees with the owner's only gives a suggestion.
func (a *Attacher) byDomain(ctx context.Context, n *contact.Normalized, postcode string) (*found, error) {
	c := &n.Company
	owners, err := a.Dir.DomainOwners(ctx, c.Domain)
	if err != nil {
		return nil, fmt.Errorf("registry domain: %w", err)
	}
	best, votes, total := "", 0, 0
	for o, v := range owners {
		total += v
		if v > votes || v == votes && o < best {
			best, votes = o, v
		}
	}
	if best == "" {
		return nil, nil
	}
	es, err := a.owned(ctx, best)
	if err != nil || len(es) == 0 {
		return nil, err
	}
	e, how := pickSite(es, postcode)
	conf := 0.9
	if votes >= 2 {
		conf = 0.95
	}
	owner := "siren " + best
	if len(es) == 1 && es[0].SIREN != best {
		owner = "registry entry " + best
	}
	why := fmt.Sprintf("domain %s seen %d times with %s, %s", c.Domain, votes, owner, how)
	if votes < total {
		conf = 0.7
		why += fmt.Sprintf("; contested: %d of %d votes", votes, total)
	}
	if c.NameKey != "" {
		if s := nameSim(c.NameKey, e.NameKey); s < 0.8 {
			conf = min(conf, 0.65)
			why += fmt.Sprintf("; name disagrees (similarity %.2f)", s)
		}
	}
	return &found{e: e, by: "domain", conf: conf, why: why}, nil
}

// owned returns the entries of a domain owner: a SIREN's establishments, or the entry of
// a registry key (an owner without a SIREN: a GLEIF entity, a mapped CSV's row).
func (a *Attacher) owned(ctx context.Context, owner string) ([]Entry, error) {
	if len(owner) == 9 && strings.Trim(owner, "0123456789") == "" {
		es, err := a.Dir.BySIREN(ctx, owner)
		if err != nil {
			return nil, fmt.Errorf("registry siren: %w", err)
		}
		return es, nil
	}
	e, ok, err := a.Dir.ByKey(ctx, owner)
	if err != nil || !ok {
		if err != nil {
			err = fmt.Errorf("registry key: %w", err)
		}
		return nil, err
	}
	return []Entry{e}, nil
}

// scored is one registry company (by owner) scored against the record's name.
type scored struct {
	e     Entry
	sim   float64
	place string // "postcode", "city" or ""
}

// byName attaches on the name with postcode/city. The confidence grows with the name
// similarity, with agreement on place, and with uniqueness: a name shared by several
// registry companies is only attached when the place tells them apart.
func (a *Attacher) byName(ctx context.Context, n *contact.Normalized, postcode string) (*found, error) {
	return a.byNameKey(ctx, n, n.Company.NameKey, postcode, "name")
}

// byDomainName reads a name in the domain's first label ("axiome-conseil.fr" → "axiome
// conseil"), as many companies name their domain, and matches it like a name.
func (a *Attacher) byDomainName(ctx context.Context, n *contact.Normalized, postcode string) (*found, error) {
	label, _, _ := strings.Cut(n.Company.Domain, ".")
	key := fold.Key(strings.ReplaceAll(label, "-", " "))
	if len(key) < 4 {
		return nil, nil
	}
	f, err := a.byNameKey(ctx, n, key, postcode, "domain_name")
	if f != nil {
		f.why = "domain " + n.Company.Domain + " read as a " + f.why
	}
	return f, err
}

// byNameKey matches a name key against the registry.
func (a *Attacher) byNameKey(ctx context.Context, n *contact.Normalized, nameKey, postcode, by string) (*found, error) {
	c := &contact.NormCompany{NameKey: nameKey}
	es, err := a.Dir.Candidates(ctx, c.NameKey, postcode, a.MaxCandidates)
	if err != nil {
		return nil, fmt.Errorf("registry candidates: %w", err)
	}
	cityKey := n.Address.CityKey
	country := recordCountry(n)
	best := map[string]scored{} // by owner
	for _, e := range es {
		if country != "" && e.Country != "" && e.Country != country {
			continue // a name alone does not carry a company across borders
		}
		s := scored{e: e, sim: nameSim(c.NameKey, e.NameKey)}
		if s.sim < 0.85 {
			continue
		}
		switch {
		case postcode != "" && e.Postcode == postcode:
			s.place = "postcode"
		case cityKey != "" && cityMatch(cityKey, e.City):
			s.place = "city"
		}
		o := Owner(e)
		if b, ok := best[o]; !ok || better(s, b) {
			best[o] = s
		}
	}
	if len(best) == 0 {
		return nil, nil
	}
	ranked := make([]scored, 0, len(best))
	for _, s := range best {
		ranked = append(ranked, s)
	}
	rankScored(ranked)
	top := ranked[0]
	conf := 0.75 // a close fuzzy name
	switch {
	case top.sim == 1:
		conf = 0.92 // the same name, unique among candidates
	case top.sim >= 0.95:
		conf = 0.86 // a typo away
	}
	switch top.place {
	case "postcode":
		conf += 0.06
	case "city":
		conf += 0.04
	}
	why := fmt.Sprintf("name %q ~ %q (%.2f)", c.NameKey, top.e.NameKey, top.sim)
	if top.place != "" {
		why += ", same " + top.place
	}
	if len(ranked) > 1 {
		second := ranked[1]
		switch {
		case second.sim >= top.sim-0.03 && second.place == top.place:
			conf = min(conf, 0.6)
			why += fmt.Sprintf("; ambiguous with siren %s", Owner(second.e))
		case second.sim >= top.sim-0.03:
			conf -= 0.04
			why += fmt.Sprintf("; %d companies with a close name, place decides", len(ranked))
		default:
			conf -= 0.02
		}
	}
	return &found{e: top.e, by: by, conf: min(conf, 0.98), why: why}, nil
}

// recordCountry is the country a contact's company is in, as far as the record says: the
// VAT number's prefix (the company's own), else the postal address's country; "" when
// neither is known.
func recordCountry(n *contact.Normalized) string {
	if v := n.Company.VAT.Value; n.Company.VAT.Usable() && len(v) > 2 {
		if cc := v[:2]; cc == "EL" { // Greece's VAT prefix
			return "GR"
		} else if cc == "XI" { // Northern Ireland's VAT prefix; the country is GB
			return "GB"
		} else if cc >= "AA" && cc <= "ZZ" {
			return cc
		}
	}
	if n.Address.Country.Usable() {
		return n.Address.Country.Value
	}
	return ""
}

// better orders two scored candidates of one owner: place agreement first when names
// are close, then similarity.
func better(x, y scored) bool {
	if x.sim-y.sim > 0.03 || y.sim-x.sim > 0.03 {
		return x.sim > y.sim
	}
	return compareScored(x, y) < 0
}

// compareScored orders candidates by place, similarity, open before closed, head office
// and key.
func compareScored(x, y scored) int {
	switch {
	case rank(x.place) != rank(y.place):
		return rank(y.place) - rank(x.place)
	case x.sim != y.sim:
		if x.sim > y.sim {
			return -1
		}
		return 1
	case x.e.Closed != y.e.Closed:
		if y.e.Closed {
			return -1
		}
		return 1
	case x.e.HeadOffice != y.e.HeadOffice:
		if x.e.HeadOffice {
			return -1
		}
		return 1
	}
	return strings.Compare(x.e.Key, y.e.Key)
}

// rankScored sorts the owners' candidates best first: the contenders (a name within 0.03
// of the closest one), place agreement first among them, then the others by similarity.
// better alone is no order (A may beat C on the name, C beat B on the place and B beat
// A on the place), and sorting by it gave the same record other answers as a map's
// order changed.
func rankScored(ranked []scored) {
	top := 0.0
	for _, s := range ranked {
		top = max(top, s.sim)
	}
	contender := func(s scored) bool { return s.sim >= top-0.03 }
	slices.SortFunc(ranked, func(x, y scored) int {
		switch cx, cy := contender(x), contender(y); {
		case cx != cy:
			if cx {
				return -1
			}
			return 1
		case cx:
			return compareScored(x, y)
		case x.sim != y.sim:
			if x.sim > y.sim {
				return -1
			}
			return 1
		}
		return compareScored(x, y)
	})
}

func rank(place string) int {
	switch place {
	case "postcode":
		return 2
	case "city":
		return 1
	}
	return 0
}

// nameSim compares two folded name keys (Jaro–Winkler on letters: a key keeps Cyrillic or
// Greek letters):
//   - 1 for the same tokens in any order, or the same letters once spaces are dropped;
//   - else token by token (symmetric Monge–Elkan: each token's best Jaro–Winkler among
//     the other name's tokens, averaged, the lower of the two directions), so that a
//     different distinguishing word weighs as much as the shared one: "nexus sante" and
//     "nexus batiment" are two companies, 0.75, where Jaro–Winkler on the whole keys says
//     0.90;
//   - a name whose every token is in the other ("altea" in "altea energie") scores 0.87:
//     enough for a suggestion or, with the place agreeing, an attachment;
//   - the whole keys with spaces dropped still count when they are a typo apart
//     ("axiomeconseil" for "axiome conseil").
func nameSim(a, b string) float64 {
	if a == "" || b == "" {
		return 0
	}
	if a == b {
		return 1
	}
	ta, tb := strings.Fields(a), strings.Fields(b)
	slices.Sort(ta)
	slices.Sort(tb)
	if slices.Equal(ta, tb) {
		return 1
	}
	ca, cb := strings.ReplaceAll(a, " ", ""), strings.ReplaceAll(b, " ", "")
	if ca == cb {
		return 1
	}
	sim := min(mongeElkan(ta, tb), mongeElkan(tb, ta))
	if subset(ta, tb) || subset(tb, ta) {
		sim = max(sim, 0.87)
	}
	if jw := match.JaroWinkler(ca, cb); jw >= 0.95 {
		sim = max(sim, jw-0.02)
	}
	return sim
}

// mongeElkan is the mean over a's tokens of their best Jaro–Winkler among b's tokens.
func mongeElkan(a, b []string) float64 {
	sum := 0.0
	for _, x := range a {
		best := 0.0
		for _, y := range b {
			if x == y {
				best = 1
				break
			}
			best = max(best, match.JaroWinkler(x, y))
		}
		sum += best
	}
	return sum / float64(len(a))
}

// subset reports whether every token of a (sorted) is in b (sorted).
func subset(a, b []string) bool {
	for _, x := range a {
		if _, ok := slices.BinarySearch(b, x); !ok {
			return false
		}
	}
	return true
}

// cityMatch compares a folded city key with a registry city ("PARIS 8" → "paris").
func cityMatch(cityKey, registryCity string) bool {
	k := fold.Key(strings.TrimRight(registryCity, " 0123456789"))
	return k != "" && (k == cityKey || strings.ReplaceAll(k, "-", " ") == cityKey)
}
