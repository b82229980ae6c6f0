package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/steward-crm/steward/contact"
	"github.com/steward-crm/steward/warehouse"
	"github.com/steward-crm/steward/warehouse/sqlstore"
	"github.com/steward-crm/steward/warehouse/storetest"
)

func TestContract(t *testing.T) {
	storetest.Run(t, storetest.Harness{
		Open: func(t *testing.T) warehouse.Store {
			s, err := Open(context.Background(), filepath.Join(t.TempDir(), "w.db"))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		},
		Exec: func(s warehouse.Store, q string) error {
			_, err := s.(*sqlstore.Store).DB().Exec(q)
			return err
		},
	})
}

func TestMigrateTwice(t *testing.T) {
	path := filepath.Join(t.TempDir(), "w.db")
	for i := 0; i < 2; i++ {
		s, err := Open(context.Background(), path)
		if err != nil {
			t.Fatalf("open %d: %v", i, err)
		}
		s.Close()
	}
}

// TestUpgradeKeepsBlockingIndex fills a warehouse at schema 4 (block keys without their
// master), upgrades it, and finds the same candidates: migration 5 copies every key with
// its record's master.
func TestUpgradeKeepsBlockingIndex(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "w.db")
	db, err := sql.Open("sqlite", "file:"+path+"?_time_format=sqlite")
	if err != nil {
		t.Fatal(err)
	}
	old := sqlstore.New(db, Dialect)
	if err := old.MigrateTo(ctx, 4); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO masters (id, golden, created_at, updated_at) VALUES (1, '{}', '2026-01-01', '2026-01-01'), (2, '{}', '2026-01-01', '2026-01-01')`,
		`INSERT INTO source_records (id, source, source_id, hash, record, master_id, created_at, modified_at) VALUES
			(10, 'web', '1', 'h', '{"source":"web","source_id":"1"}', 1, '2026-01-01', '2026-01-01'),
			(11, 'web', '2', 'h', '{"source":"web","source_id":"2"}', 2, '2026-01-01', '2026-01-01')`,
		`INSERT INTO block_keys (key, source_row_id) VALUES ('name:martin', 10), ('name:martin', 11), ('email:a@x.fr', 10)`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	db.Close()
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	err = s.InTx(ctx, func(tx warehouse.Tx) error {
		set, err := tx.Candidates(ctx, warehouse.CandidateQuery{Keys: []string{"name:martin", "email:a@x.fr"}, MaxMasters: 10})
		if err != nil {
			return err
		}
		if !slices.Equal(set.Masters["name:martin"], []int64{1, 2}) || !slices.Equal(set.Masters["email:a@x.fr"], []int64{1}) || len(set.Rows[1]) != 1 || set.Rows[1][0].ID != 10 {
			t.Errorf("after the upgrade: %v %+v", set.Masters, set.Rows)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestUpgradeKeepsCompanies: a registry at schema 12 holding a SIRENE establishment and a
// mapped row keyed by its own key upgrades (migration 13) and keeps both.
func TestUpgradeKeepsCompanies(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "w.db")
	db, err := sql.Open("sqlite", "file:"+path+"?_time_format=sqlite")
	if err != nil {
		t.Fatal(err)
	}
	if err := sqlstore.New(db, Dialect).MigrateTo(ctx, 12); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(storetest.CompaniesAtSchema12); err != nil {
		t.Fatal(err)
	}
	db.Close()
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	storetest.CheckCompaniesUpgraded(t, s)
}

// candidatesOf reads, in one transaction of s, the masters of each key and the rows of
// each candidate master, as text to compare.
func candidatesOf(t *testing.T, s warehouse.Store, keys []string) string {
	t.Helper()
	ctx := context.Background()
	var out string
	err := s.InTx(ctx, func(tx warehouse.Tx) error {
		set, err := tx.Candidates(ctx, warehouse.CandidateQuery{Keys: keys, MaxMasters: 3, FeaturesVersion: "f1|", KeyRows: true})
		if err != nil {
			return err
		}
		out = fmt.Sprintf("masters %v skipped %v key rows %v rows", set.Masters, set.Skipped, set.KeyRows)
		var ms []int64
		for m := range set.Rows {
			ms = append(ms, m)
		}
		slices.Sort(ms)
		for _, m := range ms {
			out += fmt.Sprintf(" %d:", m)
			for _, r := range set.Rows[m] {
				out += fmt.Sprintf(" %d=%s[%s]", r.ID, r.Key(), r.Features)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestMemoryIndexCoherent drives a store's in-memory blocking index through random
// additions, key replacements, merges and rolled-back transactions (the index read
// before the transaction's writes or only after them; now and then another store
// writing the file), and after each step compares what it finds with a store opened
// afresh on the same file (which reads the index from row_keys); then it checks that a
// write by another store on the file, or by hand in SQL, is seen by the first store's
// next transaction.
func TestMemoryIndexCoherent(t *testing.T) {
	seeds := []uint64{5, 11, 23, 42}
	if raceEnabled {
		seeds = seeds[:1]
	}
	for _, seed := range seeds {
		t.Run(fmt.Sprint("seed=", seed), func(t *testing.T) { memoryIndexCoherent(t, seed) })
	}
}

func memoryIndexCoherent(t *testing.T, seed uint64) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "w.db")
	a, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	keyPool := []string{"name:martin", "name:durand", "name:petit", "email:a@x.fr", "email:b@x.fr", "phone:+33612345678", "pc:75011|12"}
	fresh := func() string {
		t.Helper()
		b, err := Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		defer b.Close()
		return candidatesOf(t, b, keyPool)
	}
	w := &walk{rng: rand.New(rand.NewPCG(seed, 7)), keyPool: keyPool}
	boom := errors.New("boom")
	for step := 0; step < 120; step++ {
		op := w.rng.IntN(6)
		if len(w.rows) < 2 {
			op = 0
		}
		rollback := w.rng.IntN(5) == 0
		// Mostly the index is read first, so that the transaction's changes go to a
		// loaded one; else it is read only after them (the transaction's own writes
		// then in it: a rollback must drop it).
		readFirst := w.rng.IntN(3) != 0
		if step > 5 && len(w.rows) > 0 && w.rng.IntN(8) == 0 {
			// Another store writes the file: a's index is read again at its next begin.
			b, err := Open(ctx, path)
			if err != nil {
				t.Fatal(err)
			}
			if err := b.InTx(ctx, func(tx warehouse.Tx) error {
				return tx.ReplaceBlockKeys(ctx, w.rows[0].ID, keyPool[:1])
			}); err != nil {
				t.Fatal(err)
			}
			b.Close()
		}
		err := a.InTx(ctx, func(tx warehouse.Tx) error {
			q := warehouse.CandidateQuery{Keys: keyPool, MaxMasters: 3, FeaturesVersion: "f1|", KeyRows: true}
			if readFirst {
				if _, err := tx.Candidates(ctx, q); err != nil {
					return err
				}
			}
			added, err := w.step(ctx, tx, op, step, rollback)
			if err != nil {
				return err
			}
			if _, err := tx.Candidates(ctx, q); err != nil {
				return err
			}
			if rollback {
				return boom
			}
			if added != nil {
				w.rows = append(w.rows, added)
			}
			return nil
		})
		if err != nil && !errors.Is(err, boom) {
			t.Fatalf("step %d: %v", step, err)
		}
		if got, want := candidatesOf(t, a, keyPool), fresh(); got != want {
			t.Fatalf("step %d (op %d, rollback %v, index read first %v): the warm index finds\n%s\nthe file holds\n%s", step, op, rollback, readFirst, got, want)
		}
	}

	// Another store on the file adds a record: the first store's next transaction sees it.
	b, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	before := candidatesOf(t, a, keyPool)
	err = b.InTx(ctx, func(tx warehouse.Tx) error {
		m := &contact.Master{}
		if err := tx.CreateMaster(ctx, m); err != nil {
			return err
		}
		r := &contact.Record{Source: "crm", SourceID: "1", FamilyName: "x"}
		row := &warehouse.SourceRow{Source: "crm", SourceID: "1", Hash: "h", Record: r, MasterID: m.ID}
		if err := tx.PutSourceRecord(ctx, row); err != nil {
			return err
		}
		return tx.AddBlockKeys(ctx, row.ID, []string{"email:only-b@x.fr"})
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := candidatesOf(t, a, []string{"email:only-b@x.fr"}); !strings.Contains(got, "masters map[email:only-b@x.fr:[") {
		t.Errorf("a record written by another store is not found: %s", got)
	}
	// A hand-written change to row_keys is seen too.
	if _, err := a.DB().Exec(`DELETE FROM row_keys`); err != nil {
		t.Fatal(err)
	}
	if got := candidatesOf(t, a, append(keyPool, "email:only-b@x.fr")); got == before || strings.Contains(got, ":[") {
		t.Errorf("after emptying row_keys the store still finds %s", got)
	}
}

// walk is a random walk over a store's source rows, for the memory index's tests: the
// rows and masters it made, its keys and its random source.
type walk struct {
	rng     *rand.Rand
	keyPool []string
	rows    []*warehouse.SourceRow
	masters []int64
}

// pick returns a random subset of the key pool.
func (w *walk) pick() []string {
	var ks []string
	for _, k := range w.keyPool {
		if w.rng.IntN(3) == 0 {
			ks = append(ks, k)
		}
	}
	return ks
}

// step makes change op in tx: 0 a new record with its own master (kept in masters unless
// the transaction is to roll back), 1 new keys for a record, 2 a record moved to another
// master, 3 two moved in a batch, 4 a record withdrawn or back with new features, 5 a
// record without keys joining a master in a batch. It returns the record added, if any
// (the caller keeps it in rows once committed).
func (w *walk) step(ctx context.Context, tx warehouse.Tx, op, step int, rollback bool) (*warehouse.SourceRow, error) {
	rng, rows, masters, pick := w.rng, w.rows, w.masters, w.pick
	var added *warehouse.SourceRow
	switch op {
	case 0: // a new record with its own master
		m := &contact.Master{}
		if err := tx.CreateMaster(ctx, m); err != nil {
			return nil, err
		}
		id := fmt.Sprint(step)
		r := &contact.Record{Source: "web", SourceID: id, FamilyName: "x", UpdatedAt: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)}
		added = &warehouse.SourceRow{Source: "web", SourceID: id, Hash: "h", UpdatedAt: r.UpdatedAt, Record: r, MasterID: m.ID, Features: fmt.Sprint("f1|", step)}
		if err := tx.PutSourceRecord(ctx, added); err != nil {
			return nil, err
		}
		if err := tx.AddBlockKeys(ctx, added.ID, pick()); err != nil {
			return nil, err
		}
		if !rollback {
			w.masters = append(w.masters, m.ID)
		}
	case 1: // new keys for a record
		if err := tx.ReplaceBlockKeys(ctx, rows[rng.IntN(len(rows))].ID, pick()); err != nil {
			return nil, err
		}
	case 2: // a record moves to another master, alone
		r := *rows[rng.IntN(len(rows))]
		r.MasterID = masters[rng.IntN(len(masters))]
		if err := tx.PutSourceRecord(ctx, &r); err != nil {
			return nil, err
		}
	case 3: // several move in a batch
		var batch []*warehouse.SourceRow
		for _, i := range rng.Perm(len(rows))[:2] {
			r := *rows[i]
			r.MasterID = masters[rng.IntN(len(masters))]
			batch = append(batch, &r)
		}
		if err := tx.PutSourceRecords(ctx, batch); err != nil {
			return nil, err
		}
	case 4: // a record is withdrawn (its keys go) or comes back with new features
		r := *rows[rng.IntN(len(rows))]
		r.Deleted = rng.IntN(2) == 0
		r.Features = fmt.Sprint("f1|v", step)
		if err := tx.PutSourceRecord(ctx, &r); err != nil {
			return nil, err
		}
		var keys []string
		if !r.Deleted {
			keys = pick()
		}
		if err := tx.ReplaceBlockKeys(ctx, r.ID, keys); err != nil {
			return nil, err
		}
	case 5: // a record without keys joins a master, in a batch
		id := fmt.Sprint("nokeys", step)
		r := &contact.Record{Source: "crm", SourceID: id, FamilyName: "y"}
		added = &warehouse.SourceRow{Source: "crm", SourceID: id, Hash: "h", Record: r, MasterID: masters[rng.IntN(len(masters))]}
		if err := tx.PutSourceRecords(ctx, []*warehouse.SourceRow{added}); err != nil {
			return nil, err
		}
	}
	return added, nil
}
