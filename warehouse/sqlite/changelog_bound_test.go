package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/steward-crm/steward/contact"
	"github.com/steward-crm/steward/warehouse"
)

// TestChangeLogBound: a key changed right after a prefetch is reported changed as long
// as the change log reaches back to the prefetch; past that (changeLogSize transactions)
// the store says it no longer knows, and the prefetch is read again.
func TestChangeLogBound(t *testing.T) {
	ctx := context.Background()
	for _, n := range []int{63, 64, 65, 70} {
		a, err := Open(ctx, filepath.Join(t.TempDir(), "w.db"))
		if err != nil {
			t.Fatal(err)
		}
		q := warehouse.CandidateQuery{Keys: []string{"k:a"}, MaxMasters: 100, FeaturesVersion: "f1|"}
		add := func(i int, key string) {
			err := a.InTx(ctx, func(tx warehouse.Tx) error {
				if _, err := tx.Candidates(ctx, q); err != nil {
					return err
				}
				m := &contact.Master{}
				if err := tx.CreateMaster(ctx, m); err != nil {
					return err
				}
				r := &warehouse.SourceRow{Source: "s", SourceID: fmt.Sprint(i), Hash: "h", Record: &contact.Record{Source: "s", SourceID: fmt.Sprint(i)}, MasterID: m.ID, Features: "f1|x"}
				if err := tx.PutSourceRecord(ctx, r); err != nil {
					return err
				}
				return tx.AddBlockKeys(ctx, r.ID, []string{key})
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		add(0, "k:a")
		pre, ok := a.Prefetch(ctx, q)
		if !ok {
			t.Fatal("prefetch")
		}
		add(1, "k:a") // changes k:a first
		for i := 2; i < n; i++ {
			add(i, fmt.Sprint("k:other", i))
		}
		a.InTx(ctx, func(tx warehouse.Tx) error {
			ch, ok := tx.(warehouse.ChangeTracker).Changes(pre)
			if ok && !ch.Key("k:a") {
				t.Errorf("n=%d: k:a changed but not reported", n)
			}
			if !ok && n <= 64 {
				t.Errorf("n=%d transactions after the prefetch: changes not known, want known (the log holds 64)", n)
			}
			if ok && n > 66 {
				t.Errorf("n=%d transactions after the prefetch: changes known, want the log not to reach back", n)
			}
			return nil
		})
		a.Close()
	}
}
