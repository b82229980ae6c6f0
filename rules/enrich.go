package rules

import (
	_ "embed"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"math"
	"path"
	"slices"
	"sync"
	"time"
)

// Enrich configures company attachment and enrichment: the `enrich:` section of
// rules.yaml. The zero value means the defaults written on each field.
type Enrich struct {
	// Company configures stage company.attach.
	Company CompanyAttach `yaml:"company"`
	// Lifecycle configures the lifecycle stage of stage enrich.activity.
	Lifecycle Lifecycle `yaml:"lifecycle"`
	// RFM configures the RFM score of stage enrich.activity.
	RFM RFM `yaml:"rfm"`
}

// CompanyAttach configures how a contact gets its company from the registry.
type CompanyAttach struct {
	// AttachConfidence: an attachment at or above it is written on the record as fact.
	// Default 0.9.
	AttachConfidence float64 `yaml:"attach_confidence"`
	// SuggestConfidence: at or above it (and below AttachConfidence) the company is only
	// suggested (Norm.Company.Suggested, issue "company.attach_suggested") for a steward
	// to review; below it nothing is kept. Default 0.6.
	SuggestConfidence float64 `yaml:"suggest_confidence"`
	// MaxCandidates bounds the registry entries fetched per lookup kind for fuzzy name
	// matching. Default 200.
	MaxCandidates int `yaml:"max_candidates"`
	// NoDomainLearning turns off learning domain → company from records attached by
	// identifier. Default false (learning on).
	NoDomainLearning bool `yaml:"no_domain_learning"`
}

// Lifecycle holds the thresholds of the customer lifecycle stage, in days since the
// last (or first) order. A contact with activity attributes but no order is a prospect.
type Lifecycle struct {
	// NewDays: first order at most this many days ago → "new". Default 90.
	NewDays int `yaml:"new_days"`
	// AtRiskDays: last order more than this many days ago → "at_risk" (else "active").
	// Default 180.
	AtRiskDays int `yaml:"at_risk_days"`
	// InactiveDays: last order more than this many days ago → "inactive". Default 365.
	InactiveDays int `yaml:"inactive_days"`
	// LostDays: last order more than this many days ago → "lost". Default 730.
	LostDays int `yaml:"lost_days"`
	// AsOf is the reference date (YYYY-MM-DD) for reproducible runs; default: the
	// processing time.
	AsOf string `yaml:"as_of"`
}

// RFM holds the bounds of the recency, frequency and monetary scores (1 to 5 each).
type RFM struct {
	// RecencyDays, ascending: last order within RecencyDays[0] days scores 5, within [1]
	// 4, [2] 3, [3] 2, older 1. Default [30, 90, 180, 365].
	RecencyDays []int `yaml:"recency_days"`
	// Frequency, ascending: at least Frequency[3] orders scores 5, [2] 4, [1] 3, [0] 2,
	// fewer 1. Default [2, 4, 8, 16].
	Frequency []float64 `yaml:"frequency"`
	// Monetary, ascending, on attributes.revenue, like Frequency. Default
	// [100, 500, 2000, 10000].
	Monetary []float64 `yaml:"monetary"`
}

func (e *Enrich) setDefaults() {
	c := &e.Company
	if c.AttachConfidence == 0 {
		c.AttachConfidence = 0.9
	}
	if c.SuggestConfidence == 0 {
		c.SuggestConfidence = 0.6
	}
	if c.MaxCandidates == 0 {
		c.MaxCandidates = 200
	}
	l := &e.Lifecycle
	for _, d := range []struct {
		p *int
		v int
	}{{&l.NewDays, 90}, {&l.AtRiskDays, 180}, {&l.InactiveDays, 365}, {&l.LostDays, 730}} {
		if *d.p == 0 {
			*d.p = d.v
		}
	}
	if e.RFM.RecencyDays == nil {
		e.RFM.RecencyDays = []int{30, 90, 180, 365}
	}
	if e.RFM.Frequency == nil {
		e.RFM.Frequency = []float64{2, 4, 8, 16}
	}
	if e.RFM.Monetary == nil {
		e.RFM.Monetary = []float64{100, 500, 2000, 10000}
	}
}

func (e *Enrich) validate() []problem {
	var ps []problem
	add := func(path, format string, args ...any) {
		ps = append(ps, problem{path, fmt.Sprintf(format, args...)})
	}
	c := e.Company
	if !(c.AttachConfidence > 0 && c.AttachConfidence <= 1) { // NaN too
		add("enrich.company.attach_confidence", "want a value in (0, 1], got %v", c.AttachConfidence)
	}
	if !(c.SuggestConfidence > 0 && c.SuggestConfidence <= c.AttachConfidence) {
		add("enrich.company.suggest_confidence", "want a value in (0, attach_confidence], got %v", c.SuggestConfidence)
	}
	if c.MaxCandidates < 1 {
		add("enrich.company.max_candidates", "want at least 1, got %d", c.MaxCandidates)
	}
	l := e.Lifecycle
	if !(0 < l.NewDays && 0 < l.AtRiskDays && l.AtRiskDays < l.InactiveDays && l.InactiveDays < l.LostDays) {
		add("enrich.lifecycle", "want 0 < new_days, 0 < at_risk_days < inactive_days < lost_days, got %d, %d, %d, %d",
			l.NewDays, l.AtRiskDays, l.InactiveDays, l.LostDays)
	}
	if l.AsOf != "" {
		if _, err := parseDay(l.AsOf); err != nil {
			add("enrich.lifecycle.as_of", "want YYYY-MM-DD, got %q", l.AsOf)
		}
	}
	if len(e.RFM.RecencyDays) != 4 || !slices.IsSorted(e.RFM.RecencyDays) {
		add("enrich.rfm.recency_days", "want 4 ascending bounds, got %v", e.RFM.RecencyDays)
	}
	if len(e.RFM.Frequency) != 4 || !slices.IsSorted(e.RFM.Frequency) {
		add("enrich.rfm.frequency", "want 4 ascending bounds, got %v", e.RFM.Frequency)
	}
	if len(e.RFM.Monetary) != 4 || !slices.IsSorted(e.RFM.Monetary) || slices.ContainsFunc(e.RFM.Monetary, math.IsNaN) {
		add("enrich.rfm.monetary", "want 4 ascending bounds, got %v", e.RFM.Monetary)
	}
	return ps
}

// parseDay parses a YYYY-MM-DD date.
func parseDay(s string) (time.Time, error) { return time.Parse(time.DateOnly, s) }

//go:embed default/enrich/regions_fr.yaml
var regionsFR []byte

var (
	regionsOnce sync.Once
	regionsMap  map[string]string
)

// FrenchRegions returns the French département code ("75", "2A", "971") → region name
// table, from the embedded default/enrich/regions_fr.yaml. The map is shared: do not
// modify it. Rules.Regions is the table of a rules directory.
func FrenchRegions() map[string]string {
	regionsOnce.Do(func() {
		var err error
		if regionsMap, err = parseRegions(RegionsFile, regionsFR); err != nil {
			panic("embedded " + err.Error())
		}
	})
	return regionsMap
}

// RegionsFile is the région table of a rules directory.
const RegionsFile = "enrich/regions_fr.yaml"

// loadRegions reads the région table of fsys, or returns the embedded one when fsys has
// none; errors name the file and line.
func loadRegions(fsys fs.FS, name string) (map[string]string, error) {
	data, err := fs.ReadFile(fsys, RegionsFile)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return FrenchRegions(), nil
	case err != nil:
		return nil, fmt.Errorf("rules %s: %w", name, err)
	}
	return parseRegions(path.Join(name, RegionsFile), data)
}

// parseRegions reads "région: [départements]" and inverts it; a département under two
// régions is an error.
func parseRegions(file string, data []byte) (map[string]string, error) {
	var byRegion map[string][]string
	if _, err := decodeStrict(file, data, &byRegion); err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, region := range slices.Sorted(maps.Keys(byRegion)) {
		for _, d := range byRegion[region] {
			if other, ok := out[d]; ok {
				return nil, fmt.Errorf("%s: département %q is in %q and in %q", file, d, other, region)
			}
			out[d] = region
		}
	}
	return out, nil
}
