package normalize

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/nyaruka/phonenumbers"
	"github.com/steward-crm/steward/rules"
)

// Normalizer holds what every normalizer reads: the reference tables of the rules and the
// default phone region. It is immutable after New and safe for concurrent use.
type Normalizer struct {
	t             *rules.Tables
	defaultRegion string
	// phoneRegions are the other regions a national number of a record without a country
	// may be read in (rules normalize.phone_regions, default region excluded).
	phoneRegions []string
	// codes are the alpha-2 codes countryCode takes as they are.
	codes map[string]bool
	// legalAll is the union of every country's legal forms, used when the country is unknown.
	legalAll map[string]string
	// legalWords is the most words a folded legal form has ("s e l a r l": 6).
	legalWords int
	// poBoxStart holds the first bytes of the PO box labels of the tables.
	poBoxStart [256]bool
	// now is the clock dates are checked against ("in the future"); tests replace it.
	now func() time.Time
	// noFastPhone sends every phone number to phonenumbers, never to fastPhone; the tests
	// compare both paths.
	noFastPhone bool
}

var warmPhones sync.Once

// New builds a Normalizer from validated rules. It fails when the rules are nil or their
// default phone region is not a region the phone library knows.
func New(r *rules.Rules) (*Normalizer, error) {
	if r == nil {
		return nil, errors.New("normalize: nil rules")
	}
	region := strings.ToUpper(r.Normalize.DefaultRegion)
	if !phonenumbers.GetSupportedRegions()[region] {
		return nil, fmt.Errorf("normalize: default_region %q is not a phone region", r.Normalize.DefaultRegion)
	}
	// The phone library compiles its patterns lazily: pay that once at start-up rather than
	// on the first record of a stream.
	warmPhones.Do(func() {
		if pn, err := phonenumbers.Parse("+33 1 42 68 53 00", "FR"); err == nil {
			phonenumbers.GetNumberType(pn)
		}
	})
	fastRegionFor(region) // compiled once per region, as the phone library's patterns
	n := &Normalizer{t: &r.Tables, defaultRegion: region, now: time.Now}
	for _, cc := range r.Normalize.PhoneRegions {
		cc = strings.ToUpper(cc)
		if !phonenumbers.GetSupportedRegions()[cc] {
			return nil, fmt.Errorf("normalize: phone_regions: %q is not a phone region", cc)
		}
		if cc != region && !slices.Contains(n.phoneRegions, cc) {
			n.phoneRegions = append(n.phoneRegions, cc)
		}
	}
	n.codes = map[string]bool{}
	for _, cc := range r.Tables.Countries {
		n.codes[cc] = true
	}
	for cc := range phonenumbers.GetSupportedRegions() {
		n.codes[cc] = true
	}
	for label := range r.Tables.POBoxWords {
		if label != "" {
			n.poBoxStart[label[0]] = true
		}
	}
	n.legalAll = map[string]string{}
	for _, forms := range r.Tables.LegalForms {
		for k, v := range forms {
			n.legalAll[k] = v
			n.legalWords = max(n.legalWords, len(strings.Fields(k)))
		}
	}
	return n, nil
}
