package rules

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"path"
	"slices"
	"strings"

	"github.com/steward-crm/steward/fold"
)

// Table files of a rules directory, all under tables/. Each maps a canonical value to the
// spellings that mean it; the loader inverts them into lookup maps with folded keys.
type tableFiles struct {
	Countries  map[string][]string `yaml:"countries"`
	Civilities map[string][]string `yaml:"civilities"`
	Nicknames  map[string][]string `yaml:"nicknames"`
	// CivilityRegions: region → the civility spellings of its language.
	CivilityRegions map[string][]string            `yaml:"civility_regions"`
	Particles       []string                       `yaml:"particles"`
	StreetTypes     map[string]map[string][]string `yaml:"street_types"`
	StreetWords     map[string]map[string][]string `yaml:"street_words"`
	FreeMail        []string                       `yaml:"freemail"`
	Disposable      []string                       `yaml:"disposable"`
	RoleLocal       []string                       `yaml:"role_local_parts"`
	DomainTypos     map[string][]string            `yaml:"domain_typos"`
	LegalForms      map[string]map[string][]string `yaml:"legal_forms"`

	Placeholders       []string            `yaml:"placeholders"`
	PlusTagDomains     []string            `yaml:"plus_tag_domains"`
	TLDTypos           map[string][]string `yaml:"tld_typos"`
	POBoxWords         map[string][]string `yaml:"po_box_words"`
	NumberSuffixes     map[string][]string `yaml:"number_suffixes"`
	ComplementWords    []string            `yaml:"complement_words"`
	PostalCountryNames map[string]string   `yaml:"postal_country_names"`
	USStates           []string            `yaml:"us_states"`
	USStateNames       map[string][]string `yaml:"us_state_names"`
	Months             map[int][]string    `yaml:"months"`
}

func loadTables(fsys fs.FS, name string) (Tables, error) {
	var all tableFiles
	entries, err := fs.ReadDir(fsys, TablesDir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return Tables{}, fmt.Errorf("rules %s: %w", name, err)
	}
	var errs []error
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".yaml") {
			continue
		}
		p := path.Join(TablesDir, e.Name())
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		var one tableFiles
		if _, err := decodeStrict(path.Join(name, p), data, &one); err != nil {
			errs = append(errs, err)
			continue
		}
		merge(&all, &one)
	}
	if len(errs) > 0 {
		return Tables{}, errors.Join(errs...)
	}
	return all.build(), nil
}

func merge(dst, src *tableFiles) {
	dst.Countries = mergeLists(dst.Countries, src.Countries)
	dst.Civilities = mergeLists(dst.Civilities, src.Civilities)
	dst.Nicknames = mergeLists(dst.Nicknames, src.Nicknames)
	dst.CivilityRegions = mergeLists(dst.CivilityRegions, src.CivilityRegions)
	dst.DomainTypos = mergeLists(dst.DomainTypos, src.DomainTypos)
	dst.Particles = append(dst.Particles, src.Particles...)
	dst.FreeMail = append(dst.FreeMail, src.FreeMail...)
	dst.Disposable = append(dst.Disposable, src.Disposable...)
	dst.RoleLocal = append(dst.RoleLocal, src.RoleLocal...)
	dst.StreetTypes = mergeNested(dst.StreetTypes, src.StreetTypes)
	dst.StreetWords = mergeNested(dst.StreetWords, src.StreetWords)
	dst.LegalForms = mergeNested(dst.LegalForms, src.LegalForms)
	dst.Placeholders = append(dst.Placeholders, src.Placeholders...)
	dst.PlusTagDomains = append(dst.PlusTagDomains, src.PlusTagDomains...)
	dst.TLDTypos = mergeLists(dst.TLDTypos, src.TLDTypos)
	dst.POBoxWords = mergeLists(dst.POBoxWords, src.POBoxWords)
	dst.NumberSuffixes = mergeLists(dst.NumberSuffixes, src.NumberSuffixes)
	dst.ComplementWords = append(dst.ComplementWords, src.ComplementWords...)
	dst.PostalCountryNames = mergeMap(dst.PostalCountryNames, src.PostalCountryNames)
	dst.USStates = append(dst.USStates, src.USStates...)
	dst.USStateNames = mergeLists(dst.USStateNames, src.USStateNames)
	dst.Months = mergeLists(dst.Months, src.Months)
}

func mergeMap[K comparable, V any](dst, src map[K]V) map[K]V {
	if dst == nil {
		dst = map[K]V{}
	}
	for k, v := range src {
		dst[k] = v
	}
	return dst
}

// mergeLists adds src's spellings to dst's: a canonical value listed in two files keeps
// the spellings of both ("keys merge across files").
func mergeLists[K comparable](dst, src map[K][]string) map[K][]string {
	if dst == nil {
		dst = map[K][]string{}
	}
	for k, v := range src {
		dst[k] = append(dst[k], v...)
	}
	return dst
}

// mergeNested merges per-country tables (street_types, legal_forms) country by country
// (country codes in upper case, as build keys them).
func mergeNested(dst, src map[string]map[string][]string) map[string]map[string][]string {
	if dst == nil {
		dst = map[string]map[string][]string{}
	}
	for cc, m := range src {
		cc = strings.ToUpper(cc)
		dst[cc] = mergeLists(dst[cc], m)
	}
	return dst
}

func (f *tableFiles) build() Tables {
	var ambiguous []string
	note := func(table string) func(spelling string, kept, other any) {
		return func(spelling string, kept, other any) {
			ambiguous = append(ambiguous, fmt.Sprintf("%s: %q: %v / %v", table, spelling, kept, other))
		}
	}
	t := Tables{
		Countries:       invert(f.Countries, true, note("countries")),
		Civilities:      invert(f.Civilities, false, note("civilities")),
		Nicknames:       map[string][]string{},
		CivilityRegions: map[string][]string{},
		Particles:       set(f.Particles),
		StreetTypes:     map[string]map[string]string{},
		StreetWords:     map[string]map[string]string{},
		FreeMail:        set(f.FreeMail),
		Disposable:      set(f.Disposable),
		RoleLocal:       set(f.RoleLocal),
		DomainTypos:     map[string]string{},
		LegalForms:      map[string]map[string]string{},

		Placeholders:       foldedSet(f.Placeholders),
		PlusTagDomains:     set(f.PlusTagDomains),
		TLDTypos:           map[string]string{},
		POBoxWords:         invert(f.POBoxWords, false, note("po_box_words")),
		NumberSuffixes:     invert(f.NumberSuffixes, false, note("number_suffixes")),
		ComplementWords:    foldedSet(f.ComplementWords),
		PostalCountryNames: map[string]string{},
		USStates:           map[string]bool{},
		USStateNames:       invert(f.USStateNames, false, note("us_state_names")),
		Months:             map[string]int{},
	}
	t.TLDTypos = invertBy(f.TLDTypos, strings.ToLower, nil, strings.ToLower, note("tld_typos"))
	for cc, name := range f.PostalCountryNames {
		t.PostalCountryNames[strings.ToUpper(cc)] = strings.ToUpper(name)
	}
	for _, st := range f.USStates {
		t.USStates[strings.ToUpper(strings.TrimSpace(st))] = true
	}
	t.Months = invertBy(f.Months, func(name string) string { return strings.ReplaceAll(fold.Key(name), " ", "") }, nil, func(m int) int { return m }, note("months"))
	for canon, nicks := range f.Nicknames {
		c := fold.Key(canon)
		for _, n := range nicks {
			k := fold.Key(n)
			t.Nicknames[k] = append(t.Nicknames[k], c)
		}
	}
	for k, cs := range t.Nicknames {
		// Map order is random: sort so that lookups are deterministic.
		slices.Sort(cs)
		t.Nicknames[k] = slices.Compact(cs)
	}
	for region, spellings := range f.CivilityRegions {
		for _, s := range spellings {
			k := fold.Key(strings.ReplaceAll(s, ".", ""))
			t.CivilityRegions[k] = append(t.CivilityRegions[k], strings.ToUpper(region))
		}
	}
	for _, rs := range t.CivilityRegions {
		slices.Sort(rs)
	}
	t.DomainTypos = invertBy(f.DomainTypos, strings.ToLower, nil, strings.ToLower, note("domain_typos"))
	for cc, m := range f.StreetTypes {
		t.StreetTypes[strings.ToUpper(cc)] = invert(m, true, note("street_types."+cc))
	}
	for cc, m := range f.StreetWords {
		t.StreetWords[strings.ToUpper(cc)] = invert(m, false, note("street_words."+cc))
	}
	for cc, m := range f.LegalForms {
		t.LegalForms[strings.ToUpper(cc)] = invert(m, true, note("legal_forms."+cc))
	}
	slices.Sort(ambiguous)
	t.ambiguous = ambiguous
	return t
}

// invert turns canonical → spellings into folded spelling → canonical. With selfKey the
// canonical value is also a spelling of itself. A spelling claimed by two canonical values
// goes to the canonical value it folds from (selfKey), else to the first in sorted order,
// whatever the order of the map: the result must not change from one process to the
// next. Such a spelling is reported to ambiguous (spelling, the value kept, the other).
func invert(m map[string][]string, selfKey bool, ambiguous func(spelling string, kept, other any)) map[string]string {
	var self func(string) string
	if selfKey {
		self = fold.Key
	}
	return invertBy(m, fold.Key, self, func(canon string) string { return canon }, ambiguous)
}

// invertBy turns value → spellings into key(spelling) → val(value), the values taken in
// sorted order and the first one kept for a spelling two claim (reported to ambiguous).
// With self, each value's own self(value) is a spelling of it that comes before all the
// listed ones.
func invertBy[V cmp.Ordered, W any](m map[V][]string, key func(string) string, self func(V) string, val func(V) W, ambiguous func(spelling string, kept, other any)) map[string]W {
	out := make(map[string]W, len(m)*4)
	from := make(map[string]V, len(m)*4)
	add := func(k string, v V) {
		if kept, ok := from[k]; ok {
			if kept != v && ambiguous != nil {
				ambiguous(k, kept, v)
			}
			return
		}
		out[k], from[k] = val(v), v
	}
	vs := slices.Sorted(maps.Keys(m))
	if self != nil {
		for _, v := range vs {
			add(self(v), v)
		}
	}
	for _, v := range vs {
		for _, s := range m[v] {
			add(key(s), v)
		}
	}
	return out
}

// Ambiguities lists the spellings of the tables that two canonical values claim (see
// invert), as "table: spelling: kept / other". The default tables have none.
func (t *Tables) Ambiguities() []string { return t.ambiguous }

// foldedSet is a set of fold.Key forms.
func foldedSet(xs []string) map[string]bool {
	out := make(map[string]bool, len(xs))
	for _, x := range xs {
		out[fold.Key(x)] = true
	}
	return out
}

func set(xs []string) map[string]bool {
	out := make(map[string]bool, len(xs))
	for _, x := range xs {
		out[strings.ToLower(strings.TrimSpace(x))] = true
	}
	return out
}
