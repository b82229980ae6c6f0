package normalize

import (
	"slices"
	"strings"

	"github.com/nyaruka/phonenumbers"
	"github.com/steward-crm/steward/contact"
	"github.com/steward-crm/steward/fold"
)

// A record without a country (a call-centre record with a name and a phone, no address)
// has its national numbers read in the rules' default region. A number written the way
// another country writes them ("07907 705500", "(972) 780-4327") is invalid there, and
// a phone that could have matched two records, or told a namesake apart, is lost. The
// candidate regions of normalize.phone_regions are then tried, and the number takes the
// one region where it reads best:
//
//   - it must be valid there, and written with the national prefix where the region's
//     prefix is "0" (a German or British national number is never dialled without it);
//   - a hint from the record counts most: the country-code top-level domain of an
//     e-mail address or the company website, the language of the civility, the region
//     of another number of the record that carries its country code;
//   - then digit groups written as that region formats its numbers ("0176 1938569" is
//     German, "07481 809798" British), twice when the first group is in parentheses as
//     the region writes it ("(312) 555-0123" is American; Italy writes "312 555 0123");
//   - then a mobile number over a fixed line (a contact's phone is mostly a mobile). A
//     number the region cannot tell from a mobile ("fixed_or_mobile": the US and the rest
//     of the NANP) counts as one: else every US number whose area code is an Italian
//     mobile prefix ("(312) 555-0123") would be read as Italian.
//
// When two regions score the same, the number stays invalid with issue
// "phone.region_ambiguous": a guess would be worse than nothing. An inferred number is
// corrected with issue "phone.region_inferred".

// Scores of the region evidence, so that one hint outweighs the format and type together.
const (
	scoreHint     = 4
	scoreGrouping = 2
	scoreMobile   = 1
)

// tldRegions maps the country-code top-level domains that are not the region code.
var tldRegions = map[string]string{"uk": "GB"}

// regionHints collects the regions the record's other fields point to; read are the
// record's numbers as read in the default region, international ones count.
func (n *Normalizer) regionHints(r *contact.Record, read []readPhone) map[string]bool {
	hints := map[string]bool{}
	addDomain := func(host string) {
		host = strings.ToLower(strings.TrimSuffix(strings.TrimSpace(host), "."))
		i := strings.LastIndexByte(host, '.')
		if i < 0 {
			return
		}
		tld := host[i+1:]
		if cc, ok := tldRegions[tld]; ok {
			hints[cc] = true
		} else if len(tld) == 2 && phonenumbers.GetSupportedRegions()[strings.ToUpper(tld)] {
			hints[strings.ToUpper(tld)] = true
		}
	}
	for _, e := range r.Emails {
		if at := strings.LastIndexByte(e, '@'); at >= 0 {
			addDomain(e[at+1:])
		}
	}
	if r.Company != nil && r.Company.Website != "" {
		w := strings.TrimPrefix(strings.TrimPrefix(strings.ToLower(r.Company.Website), "https://"), "http://")
		if i := strings.IndexAny(w, "/?#:"); i >= 0 {
			w = w[:i]
		}
		addDomain(w)
	}
	for _, cc := range n.t.CivilityRegions[fold.Key(strings.ReplaceAll(r.Civility, ".", ""))] {
		hints[cc] = true
	}
	for _, p := range read {
		if p.phone.Usable() && international(p.raw) {
			hints[p.phone.Region] = true
		}
	}
	return hints
}

// readPhone is one number of a record as written and as read.
type readPhone struct {
	raw   string
	phone contact.Phone
}

// international reports whether a number is written with its country code.
func international(s string) bool {
	return strings.HasPrefix(strings.TrimSpace(s), "+") ||
		strings.HasPrefix(phonenumbers.NormalizeDigitsOnly(s), "00")
}

// inferPhone reads the national number raw (invalid in the default region) in the
// candidate regions; ok is false when no region reads it, and ph carries issue
// "phone.region_ambiguous" when two read it equally well.
func (n *Normalizer) inferPhone(raw string, hints map[string]bool) (ph contact.Phone, ok, ambiguous bool) {
	s := clean(raw)
	num, _ := splitExtension(stripLabel(s))
	num = stripLabel(num)
	if international(num) {
		return ph, false, false // the country code decides, not us
	}
	digits := phonenumbers.NormalizeDigitsOnly(num)
	best, ties := -1, 0
	for _, reg := range n.phoneRegions {
		q, _ := n.phoneOne(s, reg)
		if !q.Usable() {
			continue
		}
		if nationalPrefix(reg) == "0" && !strings.HasPrefix(digits, "0") {
			continue
		}
		score := 0
		if hints[reg] || hints[q.Region] {
			score += scoreHint
		}
		if grouped, paren := grouping(num, q.Value, reg); grouped {
			score += scoreGrouping
			if paren {
				score += scoreGrouping
			}
		}
		if q.Type == "mobile" || q.Type == "fixed_or_mobile" {
			score += scoreMobile
		}
		switch {
		case score > best:
			best, ties, ph = score, 1, q
		case score == best:
			ties++
		}
	}
	switch {
	case best < 0:
		return ph, false, false
	case ties > 1:
		return contact.Phone{}, false, true
	}
	ph.Status = contact.StatusCorrected
	ph.Issues = append(ph.Issues, "phone.region_inferred")
	return ph, true, false
}

// nationalPrefix is the region's national (trunk) prefix, "" when it has none.
func nationalPrefix(region string) string {
	fastOnce.Do(loadFastTables)
	if slot := fastTab.regions[region]; slot != nil && slot.meta != nil {
		return slot.meta.GetNationalPrefix()
	}
	return ""
}

// grouping compares in, a number as written, with e164 formatted nationally in region
// (formatted once, when needed). grouped: in has the national format's digit groups
// ("0176 1938569" against "0176 1938569"); a number written without separators groups
// as anything. parenthesized: in is written with its first digit group in parentheses,
// as region writes its numbers nationally ("(312) 555-0123" in the US, whose area code
// 312 is also an Italian mobile prefix: Italy writes "312 555 0123"), spaces aside the
// region's national format.
func grouping(in, e164, region string) (grouped, parenthesized bool) {
	gi := digitGroups(in)
	paren := strings.HasPrefix(strings.TrimSpace(in), "(")
	if len(gi) <= 1 && !paren {
		return true, false
	}
	num, err := phonenumbers.Parse(e164, region)
	if err != nil {
		return len(gi) <= 1, false
	}
	national := phonenumbers.Format(num, phonenumbers.NATIONAL)
	unspaced := func(s string) string { return strings.ReplaceAll(s, " ", "") }
	return len(gi) <= 1 || slices.Equal(gi, digitGroups(national)), paren && unspaced(in) == unspaced(national)
}

// digitGroups are the lengths of the runs of digits in s.
func digitGroups(s string) []int {
	var out []int
	run := 0
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= '0' && c <= '9' {
			run++
			continue
		}
		if run > 0 {
			out = append(out, run)
			run = 0
		}
	}
	if run > 0 {
		out = append(out, run)
	}
	return out
}
