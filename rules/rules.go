package rules

// Rules is one complete, validated rule set.
type Rules struct {
	// Stages lists the stages each handler runs, in order.
	Stages Stages `yaml:"stages"`
	// Normalize configures normalization.
	Normalize Normalize `yaml:"normalize"`
	// Match configures blocking, comparisons and decisions.
	Match Match `yaml:"match"`
	// Survivorship configures how golden records are built.
	Survivorship Survivorship `yaml:"survivorship"`
	// Quality holds the weights of the record quality score.
	Quality Quality `yaml:"quality"`
	// Enrich configures company attachment and enrichment (rules/enrich.go).
	Enrich Enrich `yaml:"enrich"`

	// Tables are the reference tables, loaded from tables/*.yaml.
	Tables Tables `yaml:"-"`
	// Dir is where the rules were loaded from ("embedded" for the defaults).
	Dir string `yaml:"-"`
	// Model is the trained model (model.yaml) when the directory has one; its prior and
	// m/u have already been applied to Match. Nil when there is none.
	Model *Model `yaml:"-"`
	// Regions maps a French département ("75", "2A", "971") to its région, from the
	// directory's enrich/regions_fr.yaml (the embedded one when it has none). Shared: do
	// not modify it.
	Regions map[string]string `yaml:"-"`
}

// Stages lists stage type names per handler (see package stages for the known names).
type Stages struct {
	// Normalize runs in handler Normalize. Default: normalize.name, normalize.email,
	// normalize.phone, normalize.address, normalize.date, normalize.company.
	Normalize []string `yaml:"normalize"`
	// Identify runs in handler Identify. Default: enrich.quality.
	Identify []string `yaml:"identify"`
}

// Normalize configures normalization.
type Normalize struct {
	// DefaultRegion is the ISO 3166-1 alpha-2 region used to read national phone numbers
	// when the record has no usable country. Default "FR".
	DefaultRegion string `yaml:"default_region"`
	// PhoneRegions are the regions tried for a national number that is invalid in
	// DefaultRegion, on a record without a country: the number takes the one region
	// where it reads best (see package normalize, phoneregion.go); a tie leaves it
	// invalid. Default: FR, GB, DE, US, BE, CH, AT, ES, IT, NL, IE (DefaultRegion is
	// skipped); an empty list turns the inference off.
	PhoneRegions []string `yaml:"phone_regions"`
}

// Match configures resolution: which records are compared, how, and what is decided.
type Match struct {
	// Blocking rules; a pair of records is compared when they share a key of any rule.
	Blocking []BlockRule `yaml:"blocking"`
	// MaxBlockSize skips a key shared by more masters than this (counted, never silently).
	// Default 50.
	MaxBlockSize int `yaml:"max_block_size"`
	// Prior is the probability that two records of the base are the same person before
	// any comparison: about one over the number of records (the default rules: 3e-6).
	// Batch runs rescale a trained model's prior to their input; streaming keeps it fixed
	// (`steward stats` advises when it is more than twice one over the live records).
	Prior float64 `yaml:"prior"`
	// Comparisons, one per compared field.
	Comparisons []Comparison `yaml:"comparisons"`
	// AutoThreshold: a match probability at or above it links automatically. Default 0.95.
	AutoThreshold float64 `yaml:"auto_threshold"`
	// ReviewThreshold: at or above it (and below AutoThreshold) the record gets a new master
	// and the pair is queued for a steward. Default 0.6.
	ReviewThreshold float64 `yaml:"review_threshold"`
	// SplitThreshold: a newer version of a stored record that scores below it against
	// every other live record of its master (a reused source id, a correction) queues a
	// split review item; it stays in its master. Default 0.01; at most ReviewThreshold.
	SplitThreshold float64 `yaml:"split_threshold"`
	// AutoMerge: when a new record matches two masters at or above AutoThreshold, merge
	// them (the older master survives) instead of queueing a merge review. Default false.
	AutoMerge bool `yaml:"auto_merge"`
	// OrderIndependent makes streaming results independent of the order records arrive
	// in, and of how many consumers share the stream: a new record is compared only with
	// the stored records that share one of its blocking keys (not with every record of
	// their masters), and with AutoMerge (required) a record that links two masters
	// merges them. The clusters are then the connected components of the pairs at or
	// above AutoThreshold among the records that share a key, as long as no key reaches
	// MaxBlockSize (whether a key over the cap is used depends on when a record comes).
	// The price is recall: a record no longer joins a master through a member it shares
	// no key with. Default false.
	OrderIndependent bool `yaml:"order_independent"`
	// BatchThreshold: in batch runs (dedupe, link, re-cleansing) a pair at or above it is
	// an edge of the clustering. It is stricter than AutoThreshold by default: no steward
	// sees a batch link, and clustering chains links, so one wrong pair merges two whole
	// clusters (two entities of five records: 25 false pairs). Default 0.97 (0.99 until
	// m was estimated per blocking rule: see README "Training without labels").
	BatchThreshold float64 `yaml:"batch_threshold"`
	// ClusterGuard: in batch clustering, two clusters are merged only when the mean match
	// probability over all their cross pairs is at least this, so that a chain of good
	// pairs cannot join distinct people. Default 0.5.
	ClusterGuard float64 `yaml:"cluster_guard"`
}

// BlockRule builds blocking keys from one or more key parts; the parts are joined and the
// key is produced only when every part is present. Parts: email, phone,
// family_phonetic, family_key, given_key, given_initial, postcode, city_key, birth_date,
// birth_year, company_siren, name_set (given and family keys in sorted order: records
// that swapped them share it), name_set_phonetic (the same with their phonetic codes:
// swapped and misspelt), house_number (the address's house number, when it has a street), email_local (e-mail local part without dots, hyphens and
// underscores, at least 4 letters, role addresses excluded).
type BlockRule struct {
	Name  string   `yaml:"name"`
	Parts []string `yaml:"parts"`
	// MaxMasters, when set, replaces match.max_block_size for this rule's keys in
	// streaming resolution: a key shared by more masters is skipped. A rule whose keys
	// are weak evidence (a name's sound) can be capped lower than one whose keys are
	// strong (an e-mail address), so that a common name does not bring dozens of
	// namesakes to score against each record. Batch runs (dedupe, link, re-cleansing)
	// count records per key, not masters, and keep match.max_block_size.
	MaxMasters int `yaml:"max_masters,omitempty" json:",omitempty"`
}

// Comparison compares one field of two records. The levels are tried in order; the first
// one that holds gives the weight log2(m/u). A field missing on either side is neutral.
type Comparison struct {
	// Name names the comparison in explanations (defaults to Field).
	Name string `yaml:"name"`
	// Field: given_name, family_name, email, email_local (local part, dots removed),
	// phone, phone_mobile (mobile numbers only), phone_fixed (the others: landlines and
	// switchboards, shared by households and offices), birth_date, postcode, city, street,
	// company_name, company_siren.
	Field  string  `yaml:"field"`
	Levels []Level `yaml:"levels"`
}

// Level is one agreement level of a Comparison.
type Level struct {
	Name string `yaml:"name"`
	// Field compares another field than the comparison's, so that correlated fields
	// (postcode and city) share one comparison instead of counting twice.
	Field string `yaml:"field"`
	// Kind: exact, jaro_winkler, levenshtein, phonetic, nickname, initial, date_within,
	// date_transposed, numeric (the numbers the two values start with are at most
	// Threshold apart: a birth date's year, a postcode; a value starting otherwise does
	// not hold), token_subset (every word of one value is a word of the other),
	// present (the field is on both sides: placed after the levels that compare it, it
	// means "known on both and different" and stops the fallback to later fields), else.
	// "else" always holds and must be last.
	Kind string `yaml:"kind"`
	// Threshold is the similarity (jaro_winkler), the maximum edit distance (levenshtein),
	// the number of days (date_within), the largest difference (numeric), or for token_subset the Jaro–Winkler similarity at
	// which two words agree (0, the default: words must be equal; one-letter words always).
	Threshold float64 `yaml:"threshold"`
	// M is P(level | match), U is P(level | non-match); both in (0, 1).
	M float64 `yaml:"m"`
	U float64 `yaml:"u"`
	// TermFrequency adjusts an exact level by the frequency of the agreeing value: a match
	// on a rare surname weighs more than on MARTIN (weight log2(m / frequency), between
	// 4 bits below the level's and the level's: common values are discounted). Fields: given_name, family_name, city, postcode,
	// street, company_name. Frequencies come from the trained model, or from the data in
	// batch runs.
	TermFrequency bool `yaml:"term_frequency"`
	// UnlessDiffer names a field that must not differ for the level to hold: when both
	// records have it and no value of one is a value of the other, the level is passed
	// over and the next ones are tried. "rue de Bretagne" in Nice and in Caen is the
	// same street name, not the same address: street levels with unless_differ: postcode
	// do not count it. A missing value does not stop the level.
	UnlessDiffer string `yaml:"unless_differ"`
}

// Survivorship configures golden records.
type Survivorship struct {
	// SourcePriority lists sources from most to least trusted; unlisted sources come last.
	SourcePriority []string `yaml:"source_priority"`
	// Default is the strategy for fields not listed in Fields. Default "most_recent".
	Default string `yaml:"default"`
	// Fields maps a golden field to its strategy: source_priority, most_recent,
	// most_complete, most_frequent, longest.
	Fields map[string]string `yaml:"fields"`
}

// Quality holds the weights of the record quality score (0–100). A field contributes its
// weight when valid, half of it when corrected, nothing when invalid or missing; a field
// of several parts less when one is missing or invalid (enrich.Quality: a company with a
// valid identifier beside an invalid one earns half, as one known by its name alone; a
// SIREN, SIRET, VAT number or LEI identifies it).
type Quality struct {
	Weights map[string]int `yaml:"weights"`
}

// Tables are the reference tables of normalization and matching. Keys of lookup maps are
// folded (lower case, no accents, no dots) by the loader.
type Tables struct {
	// ambiguous lists spellings claimed by two canonical values (Ambiguities).
	ambiguous []string

	// Countries maps names and codes in several languages to ISO 3166-1 alpha-2.
	Countries map[string]string
	// Civilities maps a civility or title as written to its canonical form ("mme" → "Mme").
	Civilities map[string]string
	// Nicknames maps a nickname to its canonical given names ("bob" → ["robert"]).
	Nicknames map[string][]string
	// CivilityRegions maps a civility spelling (folded, dots removed) to the regions its
	// language points to ("frau" → [AT CH DE]); phone region inference reads it.
	CivilityRegions map[string][]string
	// Particles are lower-case name particles (de, van, von, da...).
	Particles map[string]bool
	// StreetTypes maps, per country (alpha-2), an abbreviation to its canonical form.
	StreetTypes map[string]map[string]string
	// StreetWords maps, per country, an abbreviated word inside a street's name ("St",
	// "Fbg", "Gal" in France) to its full form; the type (the first word in France) is
	// StreetTypes'.
	StreetWords map[string]map[string]string
	// FreeMail, Disposable and RoleLocal are e-mail domain and local-part sets.
	FreeMail   map[string]bool
	Disposable map[string]bool
	RoleLocal  map[string]bool
	// DomainTypos maps a misspelt e-mail domain to the suggested one.
	DomainTypos map[string]string
	// LegalForms maps, per country, a legal form as written to its canonical form.
	LegalForms map[string]map[string]string

	// Placeholders are folded values that stand for "no value" in any field ("n a",
	// "inconnu", "unbekannt").
	Placeholders map[string]bool
	// PlusTagDomains are mail domains that deliver "local+tag@domain" to "local@domain"
	// (the tag is dropped from comparison keys); "*" means every domain.
	PlusTagDomains map[string]bool
	// TLDTypos maps a misspelt top-level domain that exists nowhere to the intended one.
	TLDTypos map[string]string
	// POBoxWords maps the folded words that start a post-office box to its label.
	POBoxWords map[string]string
	// NumberSuffixes maps a folded house-number suffix word to its canonical form.
	NumberSuffixes map[string]string
	// ComplementWords are the folded words that start an address complement line.
	ComplementWords map[string]bool
	// PostalCountryNames is the country line of a postal address, by alpha-2.
	PostalCountryNames map[string]string
	// USStates are the USPS codes of US states, DC and territories.
	USStates map[string]bool
	// USStateNames maps a folded state name ("new york") to its USPS code.
	USStateNames map[string]string
	// Months maps folded month names and abbreviations (no dots, no spaces) to 1–12.
	Months map[string]int
}
