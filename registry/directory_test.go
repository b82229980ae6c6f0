package registry_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/steward-crm/steward/registry"
	"github.com/steward-crm/steward/warehouse"
)

// TestDirectoryCachesRegistryReads reads companies through the directory, changes the
// registry underneath, and sees the cached answers until CacheTTL has passed, then the
// new ones. Misses are cached too.
func TestDirectoryCachesRegistryReads(t *testing.T) {
	ctx := context.Background()
	st := openSQLite(t)
	put := func(name string) {
		t.Helper()
		c := warehouse.Company{Key: "12345678900011", SIRET: "12345678900011", SIREN: "123456789", Name: name, NameKey: "altea", Postcode: "69001", Country: "FR"}
		if err := st.UpsertCompanies(ctx, []warehouse.Company{c}, warehouse.ImportCheckpoint{File: "t.csv", Format: "csv"}); err != nil {
			t.Fatal(err)
		}
	}
	put("Altea")
	defer func(ttl time.Duration) { registry.CacheTTL = ttl }(registry.CacheTTL)
	registry.CacheTTL = 300 * time.Millisecond
	dir := registry.Directory(st)
	check := func(wantName string, wantMissing bool) {
		t.Helper()
		e, ok, err := dir.BySIRET(ctx, "12345678900011")
		if err != nil || !ok || e.Name != wantName {
			t.Errorf("BySIRET: %+v %v %v, want %s", e, ok, err, wantName)
		}
		es, err := dir.BySIREN(ctx, "123456789")
		if err != nil || len(es) != 1 || es[0].Name != wantName {
			t.Errorf("BySIREN: %+v %v, want %s", es, err, wantName)
		}
		es, err = dir.Candidates(ctx, "altea", "69001", 10)
		if err != nil || len(es) == 0 || es[0].Name != wantName {
			t.Errorf("Candidates: %+v %v, want %s", es, err, wantName)
		}
		_, ok, err = dir.BySIRET(ctx, "99999999900019")
		if err != nil || ok == wantMissing {
			t.Errorf("unknown SIRET: found %v, err %v", ok, err)
		}
	}
	check("Altea", true)
	put("Altea Énergie")
	if err := st.UpsertCompanies(ctx, []warehouse.Company{{Key: "99999999900019", SIRET: "99999999900019", SIREN: "999999999", Name: "Late", NameKey: "late"}}, warehouse.ImportCheckpoint{File: "t.csv", Format: "csv"}); err != nil {
		t.Fatal(err)
	}
	check("Altea", true) // cached, the miss included
	time.Sleep(400 * time.Millisecond)
	check("Altea Énergie", false)
}

// TestDirectoryEmptyRegistryAsksNothing: on an empty registry the directory's reads
// (learned domains included) answer nothing without a registry lookup (only whether the registry holds an entry is
// read, once per CacheTTL); an import is seen once CacheTTL has passed.
func TestDirectoryEmptyRegistryAsksNothing(t *testing.T) {
	ctx := context.Background()
	st := openSQLite(t)
	defer func(ttl time.Duration) { registry.CacheTTL = ttl }(registry.CacheTTL)
	registry.CacheTTL = 300 * time.Millisecond
	reg := &countingRegistry{Registry: st}
	dir := registry.Directory(reg)
	for i := range 20 {
		if _, ok, err := dir.BySIRET(ctx, "12345678900011"); err != nil || ok {
			t.Fatalf("BySIRET on an empty registry: %v %v", ok, err)
		}
		if es, err := dir.Candidates(ctx, fmt.Sprint("altea", i), "69001", 10); err != nil || len(es) != 0 {
			t.Fatalf("Candidates on an empty registry: %v %v", es, err)
		}
		if es, err := dir.BySIREN(ctx, "123456789"); err != nil || len(es) != 0 {
			t.Fatalf("BySIREN on an empty registry: %v %v", es, err)
		}
		if owners, err := dir.DomainOwners(ctx, "altea.fr"); err != nil || len(owners) != 0 {
			t.Fatalf("DomainOwners on an empty registry: %v %v", owners, err)
		}
	}
	if reg.lookups != 0 || reg.probes != 1 {
		t.Errorf("empty registry: %d lookups and %d emptiness probes, want 0 and 1", reg.lookups, reg.probes)
	}
	c := warehouse.Company{Key: "12345678900011", SIRET: "12345678900011", SIREN: "123456789", Name: "Altea", NameKey: "altea", Postcode: "69001", Country: "FR"}
	if err := st.UpsertCompanies(ctx, []warehouse.Company{c}, warehouse.ImportCheckpoint{File: "t.csv", Format: "csv"}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(400 * time.Millisecond)
	if e, ok, err := dir.BySIRET(ctx, "12345678900011"); err != nil || !ok || e.Name != "Altea" {
		t.Errorf("after an import: %+v %v %v", e, ok, err)
	}
	if reg.lookups != 1 || reg.probes != 2 {
		t.Errorf("after an import: %d lookups and %d probes, want 1 and 2", reg.lookups, reg.probes)
	}
}

// countingRegistry counts a real registry's lookups and emptiness probes.
type countingRegistry struct {
	warehouse.Registry
	lookups, probes int
}

func (r *countingRegistry) AnyCompany(ctx context.Context) (bool, error) {
	r.probes++
	return r.Registry.AnyCompany(ctx)
}

func (r *countingRegistry) CompanyBySIRET(ctx context.Context, siret string) (warehouse.Company, bool, error) {
	r.lookups++
	return r.Registry.CompanyBySIRET(ctx, siret)
}

func (r *countingRegistry) CompaniesBySIREN(ctx context.Context, siren string) ([]warehouse.Company, error) {
	r.lookups++
	return r.Registry.CompaniesBySIREN(ctx, siren)
}

func (r *countingRegistry) DomainOwners(ctx context.Context, domain string) (map[string]int, error) {
	r.lookups++
	return r.Registry.DomainOwners(ctx, domain)
}

func (r *countingRegistry) CompanyCandidates(ctx context.Context, nameKey, postcode string, limit int) ([]warehouse.Company, error) {
	r.lookups++
	return r.Registry.CompanyCandidates(ctx, nameKey, postcode, limit)
}

// TestDirectoryReadsOnceForConcurrentCallers: goroutines that ask the same question of a
// cold cache at once (records in flight when a stream starts) cause one emptiness probe
// and one lookup, and all get the answer; a read that fails is not passed on to those
// waiting for it: one of them reads again for the others.
func TestDirectoryReadsOnceForConcurrentCallers(t *testing.T) {
	ctx := context.Background()
	st := openSQLite(t)
	c := warehouse.Company{Key: "12345678900011", SIRET: "12345678900011", SIREN: "123456789", Name: "Altea", NameKey: "altea", Postcode: "69001", Country: "FR"}
	if err := st.UpsertCompanies(ctx, []warehouse.Company{c}, warehouse.ImportCheckpoint{File: "t.csv", Format: "csv"}); err != nil {
		t.Fatal(err)
	}
	run := func(reg *slowRegistry) (oks, errs int) {
		dir := registry.Directory(reg)
		var wg sync.WaitGroup
		var mu sync.Mutex
		for range 32 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				e, ok, err := dir.BySIRET(ctx, "12345678900011")
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err != nil:
					errs++
				case ok && e.Name == "Altea":
					oks++
				default:
					t.Errorf("BySIRET: %+v %v", e, ok)
				}
			}()
		}
		wg.Wait()
		return oks, errs
	}
	reg := &slowRegistry{Registry: st}
	if oks, errs := run(reg); oks != 32 || errs != 0 || reg.probes.Load() != 1 || reg.lookups.Load() != 1 {
		t.Errorf("32 concurrent callers: %d answers, %d errors, %d probes, %d lookups; want 32, 0, 1, 1", oks, errs, reg.probes.Load(), reg.lookups.Load())
	}
	// The first lookup fails: only its caller sees the error, and the others' answer is
	// read once more (not once per waiter).
	reg = &slowRegistry{Registry: st}
	reg.failFirst.Store(true)
	if oks, errs := run(reg); oks != 31 || errs != 1 || reg.lookups.Load() != 2 {
		t.Errorf("a failed read: %d answers, %d errors, %d lookups; want 31, 1, 2", oks, errs, reg.lookups.Load())
	}
}

// TestDirectoryReadThatPanics: a registry read that panics (a bug, recovered by the
// handlers' middleware) does not leave the callers that wait for it, nor later ones,
// waiting for good; a waiter whose context ends stops waiting.
func TestDirectoryReadThatPanics(t *testing.T) {
	st := openSQLite(t)
	c := warehouse.Company{Key: "12345678900011", SIRET: "12345678900011", SIREN: "123456789", Name: "Altea", NameKey: "altea", Postcode: "69001", Country: "FR"}
	if err := st.UpsertCompanies(context.Background(), []warehouse.Company{c}, warehouse.ImportCheckpoint{File: "t.csv", Format: "csv"}); err != nil {
		t.Fatal(err)
	}
	reg := &slowRegistry{Registry: st}
	reg.panicFirst.Store(true)
	dir := registry.Directory(reg)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	panicked := make(chan any, 1)
	go func() {
		defer func() { panicked <- recover() }()
		dir.BySIRET(ctx, "12345678900011")
	}()
	// A waiter that gives up while the read is on.
	time.Sleep(10 * time.Millisecond)
	short, cancelShort := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancelShort()
	if _, _, err := dir.BySIRET(short, "12345678900011"); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("a waiter whose context ends: %v, want context.DeadlineExceeded", err)
	}
	if p := <-panicked; p == nil {
		t.Fatal("the registry's panic did not reach its caller")
	}
	e, ok, err := dir.BySIRET(ctx, "12345678900011")
	if err != nil || !ok || e.Name != "Altea" {
		t.Errorf("after a read that panicked: %+v %v %v", e, ok, err)
	}
}

// slowRegistry is a real registry whose emptiness probe and SIRET lookup take 50 ms
// (long enough for concurrent callers to meet), counted; failFirst makes the first
// lookup fail, panicFirst panic.
type slowRegistry struct {
	warehouse.Registry
	probes, lookups       atomic.Int64
	failFirst, panicFirst atomic.Bool
}

func (r *slowRegistry) AnyCompany(ctx context.Context) (bool, error) {
	r.probes.Add(1)
	time.Sleep(50 * time.Millisecond)
	return r.Registry.AnyCompany(ctx)
}

func (r *slowRegistry) CompanyBySIRET(ctx context.Context, siret string) (warehouse.Company, bool, error) {
	r.lookups.Add(1)
	time.Sleep(50 * time.Millisecond)
	if r.failFirst.CompareAndSwap(true, false) {
		return warehouse.Company{}, false, errors.New("connection reset")
	}
	if r.panicFirst.CompareAndSwap(true, false) {
		panic("registry bug")
	}
	return r.Registry.CompanyBySIRET(ctx, siret)
}
