package company

import (
	"context"
	"slices"
	"strings"
	"sync"
)

// MemDirectory is an in-memory Directory, for tests and small registries. It is safe for
// concurrent use.
type MemDirectory struct {
	mu      sync.RWMutex
	byKey   map[string]Entry
	bySIRET map[string][]string // SIRET → keys of the entries keyed otherwise
	bySIREN map[string][]string
	byLEI   map[string][]string
	byName  map[string][]string // first token of NameKey → keys
	byPost  map[string][]string
	domains map[string]map[string]int
}

// NewMemDirectory returns an empty directory.
func NewMemDirectory() *MemDirectory {
	return &MemDirectory{byKey: map[string]Entry{}, bySIRET: map[string][]string{}, bySIREN: map[string][]string{},
		byLEI: map[string][]string{}, byName: map[string][]string{}, byPost: map[string][]string{},
		domains: map[string]map[string]int{}}
}

// Add adds or replaces entries (a replaced entry keeps its old index slots: fine for tests).
func (m *MemDirectory) Add(es ...Entry) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, e := range es {
		if _, dup := m.byKey[e.Key]; !dup {
			if e.SIRET != "" && e.SIRET != e.Key {
				m.bySIRET[e.SIRET] = append(m.bySIRET[e.SIRET], e.Key)
			}
			if e.SIREN != "" {
				m.bySIREN[e.SIREN] = append(m.bySIREN[e.SIREN], e.Key)
			}
			if e.LEI != "" {
				m.byLEI[e.LEI] = append(m.byLEI[e.LEI], e.Key)
			}
			if t := firstToken(e.NameKey); t != "" {
				m.byName[t] = append(m.byName[t], e.Key)
			}
			if e.Postcode != "" {
				m.byPost[e.Postcode] = append(m.byPost[e.Postcode], e.Key)
			}
		}
		m.byKey[e.Key] = e
		if e.Domain != "" {
			m.learn(e.Domain, Owner(e))
		}
	}
}

// Len returns the number of entries.
func (m *MemDirectory) Len() int {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return len(m.byKey)
}

func (m *MemDirectory) get(keys []string) []Entry {
	out := make([]Entry, 0, len(keys))
	for _, k := range keys {
		out = append(out, m.byKey[k])
	}
	return out
}

// BySIRET implements Directory: the entry keyed by siret, else the first by key of
// those keyed otherwise (as the warehouse's registry).
func (m *MemDirectory) BySIRET(_ context.Context, siret string) (Entry, bool, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if e, ok := m.byKey[siret]; ok && e.SIRET == siret {
		return e, true, nil
	}
	keys := slices.Sorted(slices.Values(m.bySIRET[siret]))
	for _, k := range keys {
		if e := m.byKey[k]; e.SIRET == siret {
			return e, true, nil
		}
	}
	return Entry{}, false, nil
}

// ByKey implements Directory.
func (m *MemDirectory) ByKey(_ context.Context, key string) (Entry, bool, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	e, ok := m.byKey[key]
	return e, ok, nil
}

// BySIREN implements Directory.
func (m *MemDirectory) BySIREN(_ context.Context, siren string) ([]Entry, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.get(m.bySIREN[siren]), nil
}

// ByLEI implements Directory.
func (m *MemDirectory) ByLEI(_ context.Context, lei string) ([]Entry, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.get(m.byLEI[lei]), nil
}

// DomainOwners implements Directory.
func (m *MemDirectory) DomainOwners(_ context.Context, domain string) (map[string]int, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := make(map[string]int, len(m.domains[domain]))
	for k, v := range m.domains[domain] {
		out[k] = v
	}
	return out, nil
}

// LearnDomain implements Directory.
func (m *MemDirectory) LearnDomain(_ context.Context, domain, owner string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.learn(domain, owner)
	return nil
}

func (m *MemDirectory) learn(domain, owner string) {
	if m.domains[domain] == nil {
		m.domains[domain] = map[string]int{}
	}
	m.domains[domain][owner]++
}

// Candidates implements Directory.
func (m *MemDirectory) Candidates(_ context.Context, nameKey, postcode string, limit int) ([]Entry, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	name := m.byName[firstToken(nameKey)]
	post := m.byPost[postcode]
	out := m.get(name[:min(limit, len(name))])
	if postcode != "" {
		out = append(out, m.get(post[:min(limit, len(post))])...)
	}
	return out, nil
}

// Owner returns what a domain is learned against: the SIREN, else the registry key.
func Owner(e Entry) string {
	if e.SIREN != "" {
		return e.SIREN
	}
	return e.Key
}

func firstToken(key string) string {
	t, _, _ := strings.Cut(key, " ")
	return t
}
