package synth

import (
	"errors"
	"fmt"
	"strings"
)

// None is a rate that means an explicit zero: Config's zero values mean the defaults, so
// Config{DupRate: None} has no duplicates, Config{Corruption: None} exact-copy duplicates
// (formats aside) and Config{CompanyRate: None} no B2B contact. Any negative rate works.
const None = -1

// Countries the generator knows, with their default weights.
var (
	allCountries   = []string{"FR", "US", "GB", "DE"}
	countryWeights = map[string]float64{"FR": 40, "US": 25, "GB": 20, "DE": 15}
)

// DefaultSources are the source systems used when Config.Sources is empty.
var DefaultSources = []string{"webshop", "callcenter", "erp", "crm"}

// Config configures a Generator; zero values mean the documented defaults.
type Config struct {
	// N is the number of records to produce (default 1000).
	N int
	// DupRate is the fraction of records that are duplicates of another record of the same
	// entity (default 0.3; None for no duplicates). It must be at most 0.9 and at most
	// (MaxPerEntity-1)/MaxPerEntity, the largest share entities of MaxPerEntity records give.
	DupRate float64
	// MaxPerEntity is the maximum number of records per entity (default 5); entities with
	// duplicates get 2..MaxPerEntity records, pairs being the most frequent.
	MaxPerEntity int
	// Seed seeds every random choice (default 1, so 0 and 1 give the same output); the
	// same Config gives byte-identical output.
	Seed int64
	// Countries is a subset of FR, US, GB, DE (default all four, weighted FR 40%, US 25%,
	// GB 20%, DE 15%; a subset keeps the relative weights).
	Countries []string
	// Corruption is the 0..1 intensity of the corruption of duplicate records (default
	// 0.5; None for none); 1 is hard. It also raises the share of hard negatives.
	Corruption float64
	// Sources are the source system names (default DefaultSources). A record's source_id
	// is unique within its source.
	Sources []string
	// CompanyRate is the fraction of entities that are B2B contacts with a company
	// (default 0.5; None for none).
	CompanyRate float64
}

// withDefaults returns c with zero values replaced by defaults and None rates by 0.
func (c Config) withDefaults() Config {
	if c.N == 0 {
		c.N = 1000
	}
	c.DupRate = rateDefault(c.DupRate, 0.3)
	c.Corruption = rateDefault(c.Corruption, 0.5)
	c.CompanyRate = rateDefault(c.CompanyRate, 0.5)
	if c.MaxPerEntity == 0 {
		c.MaxPerEntity = 5
	}
	if c.Seed == 0 {
		c.Seed = 1
	}
	if len(c.Countries) == 0 {
		c.Countries = allCountries
	}
	up := make([]string, len(c.Countries))
	for i, cc := range c.Countries {
		up[i] = strings.ToUpper(strings.TrimSpace(cc))
	}
	c.Countries = up
	if len(c.Sources) == 0 {
		c.Sources = DefaultSources
	}
	src := make([]string, len(c.Sources))
	for i, s := range c.Sources {
		src[i] = strings.TrimSpace(s)
	}
	c.Sources = src
	return c
}

func rateDefault(v, def float64) float64 {
	switch {
	case v == 0:
		return def
	case v < 0:
		return 0
	}
	return v
}

// Validate reports every problem of c (with defaults applied), naming Config's fields
// ("DupRate must be in 0..0.9").
func (c Config) Validate() error { return c.ValidateNamed(nil) }

// ValidateNamed is Validate naming each field as the user wrote it: names maps a Config
// field name ("DupRate") to a flag ("-dup-rate") or a configuration key ("dup_rate"); a
// field it does not name keeps its Go name. synth knows no flags: its caller does.
func (c Config) ValidateNamed(names map[string]string) error {
	name := func(field string) string {
		if n, ok := names[field]; ok {
			return n
		}
		return field
	}
	d := c.withDefaults()
	var errs []error
	if d.N < 0 {
		errs = append(errs, fmt.Errorf("synth: %s must be positive, got %d", name("N"), c.N))
	}
	if d.MaxPerEntity < 1 || d.MaxPerEntity > 100 {
		errs = append(errs, fmt.Errorf("synth: %s must be in 1..100, got %d", name("MaxPerEntity"), c.MaxPerEntity))
	}
	if d.DupRate > 0.9 {
		errs = append(errs, fmt.Errorf("synth: %s must be in 0..0.9, got %g", name("DupRate"), c.DupRate))
	} else if m := d.MaxPerEntity; m >= 1 && d.DupRate > float64(m-1)/float64(m)+1e-9 {
		errs = append(errs, fmt.Errorf("synth: %s %g needs entities of more than %s=%d records (at most %.3g)",
			name("DupRate"), c.DupRate, name("MaxPerEntity"), m, float64(m-1)/float64(m)))
	}
	if d.Corruption > 1 {
		errs = append(errs, fmt.Errorf("synth: %s must be in 0..1, got %g", name("Corruption"), c.Corruption))
	}
	if d.CompanyRate > 1 {
		errs = append(errs, fmt.Errorf("synth: %s must be in 0..1, got %g", name("CompanyRate"), c.CompanyRate))
	}
	seen := map[string]bool{}
	for _, cc := range d.Countries {
		if _, ok := countryWeights[cc]; !ok {
			errs = append(errs, fmt.Errorf("synth: %s: unknown country %q (want FR, US, GB or DE)", name("Countries"), cc))
		} else if seen[cc] {
			errs = append(errs, fmt.Errorf("synth: %s: country %s listed twice", name("Countries"), cc))
		}
		seen[cc] = true
	}
	seen = map[string]bool{}
	for _, s := range d.Sources {
		switch {
		case strings.TrimSpace(s) == "":
			errs = append(errs, fmt.Errorf("synth: %s: empty source name", name("Sources")))
		case strings.ContainsAny(s, ":\n\r\t"):
			errs = append(errs, fmt.Errorf("synth: %s: source %q must not contain ':' or control characters", name("Sources"), s))
		case seen[s]:
			errs = append(errs, fmt.Errorf("synth: %s: source %q listed twice", name("Sources"), s))
		}
		seen[s] = true
	}
	return errors.Join(errs...)
}
