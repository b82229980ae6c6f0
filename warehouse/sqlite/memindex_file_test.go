package sqlite

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/steward-crm/steward/warehouse"
)

// candidatesDump returns, as text, what s reads as q's candidates: masters by key, keys
// skipped, key rows, and each candidate row with its features.
func candidatesDump(ctx context.Context, s interface {
	InTx(context.Context, func(warehouse.Tx) error) error
}, q warehouse.CandidateQuery) (string, error) {
	var out string
	err := s.InTx(ctx, func(tx warehouse.Tx) error {
		c, err := tx.Candidates(ctx, q)
		if err != nil {
			return err
		}
		out = fmt.Sprint(c.Masters, c.Skipped, c.KeyRows)
		for _, k := range q.Keys {
			for _, m := range c.Masters[k] {
				for _, r := range c.Rows[m] {
					out += fmt.Sprintf(" %d:%d:%s:%s:%s", m, r.ID, r.Source, r.SourceID, r.Features)
				}
			}
		}
		return nil
	})
	return out, err
}

// TestMemoryIndexMatchesTheFile: after each of 200 random transactions (rows added, keys
// replaced, rows moved between masters one by one and in batches, withdrawn and back; a
// quarter rolled back, the index read before or only after the writes; now and then
// another store writing the file, which drops the index), the candidates the store reads
// from its memory index are those a store opened afresh reads from the file. (Written
// by a review of the index's coherence.)
func TestMemoryIndexMatchesTheFile(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "w.db")
	a, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	keyPool := []string{"name:martin", "name:durand", "name:petit", "email:a@x.fr", "email:b@x.fr", "phone:+33612345678", "pc:75011|12"}
	q := warehouse.CandidateQuery{Keys: keyPool, MaxMasters: 100, FeaturesVersion: "f1|", KeyRows: true}
	w := &walk{rng: rand.New(rand.NewPCG(5, 9)), keyPool: keyPool}
	boom := errors.New("boom")
	for step := 0; step < 200; step++ {
		op := w.rng.IntN(6)
		if len(w.rows) < 2 {
			op = 0
		}
		rollback := w.rng.IntN(4) == 0
		readFirst := w.rng.IntN(3) != 0
		if step > 5 && w.rng.IntN(8) == 0 {
			// another store writes: a's index is dropped at its next begin
			b, err := Open(ctx, path)
			if err != nil {
				t.Fatal(err)
			}
			if err := b.InTx(ctx, func(tx warehouse.Tx) error {
				return tx.ReplaceBlockKeys(ctx, w.rows[0].ID, []string{"name:martin"})
			}); err != nil {
				t.Fatal(err)
			}
			b.Close()
		}
		var added *warehouse.SourceRow
		err := a.InTx(ctx, func(tx warehouse.Tx) error {
			if readFirst {
				if _, err := tx.Candidates(ctx, q); err != nil {
					return err
				}
			}
			var err error
			if added, err = w.step(ctx, tx, op, step, rollback); err != nil {
				return err
			}
			if _, err := tx.Candidates(ctx, q); err != nil {
				return err
			}
			if rollback {
				return boom
			}
			return nil
		})
		if err != nil && !errors.Is(err, boom) {
			t.Fatalf("step %d: %v", step, err)
		}
		if err == nil && added != nil {
			w.rows = append(w.rows, added)
		}
		got, err := candidatesDump(ctx, a, q)
		if err != nil {
			t.Fatal(err)
		}
		c, err := Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		want, err := candidatesDump(ctx, c, q)
		c.Close()
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Fatalf("step %d op %d rollback %v readFirst %v: index differs from the file\n got %s\nwant %s", step, op, rollback, readFirst, got, want)
		}
	}
}
