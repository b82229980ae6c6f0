package registry

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/steward-crm/steward/pipeline/company"
	"github.com/steward-crm/steward/warehouse"
)

// Directory adapts a warehouse.Registry to the company.Directory the company.attach
// stage uses (warehouse does not import pipeline; the two entry types convert).
//
// Registry reads (by SIRET, SIREN, LEI, name) are cached for CacheTTL, up to CacheSize
// answers: a stream names the same companies again and again, and each lookup is a
// round trip on PostgreSQL (about four per record). The registry only changes by
// `steward registry import`, whose rows a running process sees after CacheTTL. Learned
// domains are not cached: they change as records stream.
//
// An empty registry (no import yet, or none planned) answers every read, learned domains
// included, with nothing without asking the database: whether it is empty is read again
// every CacheTTL. Its lookups were a tenth of a PostgreSQL stream's CPU in steward, and
// as many statements for the database, for no answer.
func Directory(reg warehouse.Registry) company.Directory {
	return directory{reg: reg, cache: &lookupCache{ttl: CacheTTL, size: CacheSize}}
}

// Cache bounds of Directory.
var (
	CacheTTL  = time.Minute
	CacheSize = 50000
)

type directory struct {
	reg   warehouse.Registry
	cache *lookupCache
}

// holds reports whether the registry holds an entry, as read at most CacheTTL ago: the
// answer is cached with the lookups'.
func (d directory) holds(ctx context.Context) (bool, error) {
	_, some, err := d.cache.get(ctx, "any\x00", func() ([]company.Entry, bool, error) {
		some, err := d.reg.AnyCompany(ctx)
		return nil, some, err
	})
	return some, err
}

// lookupCache is a read-through cache of registry answers by query; when full it starts
// again empty (answers are cheap to read again). A query asked by several goroutines at
// once while its answer is missing or expired is read once, and the others wait for that
// read: when a stream starts, or the TTL of the emptiness probe runs out, every record in
// flight asks the same question at the same moment (148 concurrent probes for one answer
// at the start of a PostgreSQL stream, each waiting for a pooled connection).
type lookupCache struct {
	ttl     time.Duration
	size    int
	mu      sync.Mutex
	m       map[string]cached
	loading map[string]*loadCall
}

type cached struct {
	at      time.Time
	entries []company.Entry
	found   bool
}

// loadCall is a read of a query's answer in progress: done is closed when it ends.
type loadCall struct {
	done    chan struct{}
	entries []company.Entry
	found   bool
	err     error
}

// get returns the cached answer to key, or reads it with load (once for the goroutines
// that ask meanwhile). A waiter whose context ends stops waiting. A read that fails is
// not passed on (the error may be its reader's context's): its waiters ask again, and
// one of them reads for the others. A read that panics ends as a failed one for its
// waiters, and the panic goes on up its caller's stack.
func (c *lookupCache) get(ctx context.Context, key string, load func() ([]company.Entry, bool, error)) ([]company.Entry, bool, error) {
	for {
		now := time.Now()
		c.mu.Lock()
		if v, ok := c.m[key]; ok && now.Sub(v.at) < c.ttl {
			c.mu.Unlock()
			return slices.Clone(v.entries), v.found, nil
		}
		if call, ok := c.loading[key]; ok {
			c.mu.Unlock()
			select {
			case <-call.done:
			case <-ctx.Done():
				return nil, false, ctx.Err()
			}
			if call.err == nil {
				return slices.Clone(call.entries), call.found, nil
			}
			continue
		}
		call := &loadCall{done: make(chan struct{}), err: errLoadPanicked}
		if c.loading == nil {
			c.loading = map[string]*loadCall{}
		}
		c.loading[key] = call
		c.mu.Unlock()
		return c.read(key, now, call, load)
	}
}

// errLoadPanicked is what the waiters of a read that panicked see (they then ask again).
var errLoadPanicked = errors.New("registry read panicked")

// read runs load for key as call, caches its answer when it succeeds, and ends call
// (however load ends: a panic must not leave waiters behind a read that never ends).
func (c *lookupCache) read(key string, at time.Time, call *loadCall, load func() ([]company.Entry, bool, error)) ([]company.Entry, bool, error) {
	defer func() {
		c.mu.Lock()
		delete(c.loading, key)
		if call.err == nil {
			if c.m == nil || len(c.m) >= c.size {
				c.m = map[string]cached{}
			}
			c.m[key] = cached{at: at, entries: call.entries, found: call.found}
		}
		c.mu.Unlock()
		close(call.done)
	}()
	es, found, err := load()
	if err != nil {
		call.err = err
		return nil, false, err
	}
	call.entries, call.found, call.err = slices.Clone(es), found, nil
	return es, found, nil
}

func (d directory) many(ctx context.Context, key string, load func() ([]warehouse.Company, error)) ([]company.Entry, error) {
	if some, err := d.holds(ctx); err != nil || !some {
		return nil, err
	}
	es, _, err := d.cache.get(ctx, key, func() ([]company.Entry, bool, error) {
		cs, err := load()
		return entries(cs), true, err
	})
	return es, err
}

func entries(cs []warehouse.Company) []company.Entry {
	out := make([]company.Entry, len(cs))
	for i, c := range cs {
		out[i] = company.Entry(c)
	}
	return out
}

// BySIRET is the establishment of siret, whatever its key (a mapped CSV's may be any
// text).
func (d directory) BySIRET(ctx context.Context, siret string) (company.Entry, bool, error) {
	return d.one(ctx, "siret\x00"+siret, func() (warehouse.Company, bool, error) { return d.reg.CompanyBySIRET(ctx, siret) })
}

// ByKey reads the entry of a registry key.
func (d directory) ByKey(ctx context.Context, key string) (company.Entry, bool, error) {
	return d.one(ctx, "key\x00"+key, func() (warehouse.Company, bool, error) { return d.reg.CompanyByKey(ctx, key) })
}

func (d directory) one(ctx context.Context, key string, load func() (warehouse.Company, bool, error)) (company.Entry, bool, error) {
	if some, err := d.holds(ctx); err != nil || !some {
		return company.Entry{}, false, err
	}
	es, ok, err := d.cache.get(ctx, key, func() ([]company.Entry, bool, error) {
		c, ok, err := load()
		return []company.Entry{company.Entry(c)}, ok, err
	})
	if err != nil || !ok {
		return company.Entry{}, false, err
	}
	return es[0], true, nil
}

func (d directory) BySIREN(ctx context.Context, siren string) ([]company.Entry, error) {
	return d.many(ctx, "siren\x00"+siren, func() ([]warehouse.Company, error) { return d.reg.CompaniesBySIREN(ctx, siren) })
}

func (d directory) ByLEI(ctx context.Context, lei string) ([]company.Entry, error) {
	return d.many(ctx, "lei\x00"+lei, func() ([]warehouse.Company, error) { return d.reg.CompaniesByLEI(ctx, lei) })
}

// DomainOwners is not asked of an empty registry either: domains are learned from
// records attached to a registry entry, so it has none.
func (d directory) DomainOwners(ctx context.Context, domain string) (map[string]int, error) {
	if some, err := d.holds(ctx); err != nil || !some {
		return nil, err
	}
	return d.reg.DomainOwners(ctx, domain)
}

func (d directory) LearnDomain(ctx context.Context, domain, owner string) error {
	return d.reg.LearnDomain(ctx, domain, owner)
}

func (d directory) Candidates(ctx context.Context, nameKey, postcode string, limit int) ([]company.Entry, error) {
	key := "name\x00" + nameKey + "\x00" + postcode + "\x00" + strconv.Itoa(limit)
	return d.many(ctx, key, func() ([]warehouse.Company, error) { return d.reg.CompanyCandidates(ctx, nameKey, postcode, limit) })
}
