package resolve

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/steward-crm/steward/contact"
	"github.com/steward-crm/steward/internal/pgtest"
	"github.com/steward-crm/steward/pipeline/match"
	"github.com/steward-crm/steward/rules"
	"github.com/steward-crm/steward/warehouse"
	"github.com/steward-crm/steward/warehouse/postgres"
	"github.com/steward-crm/steward/warehouse/sqlite"
	"github.com/steward-crm/steward/warehouse/sqlstore"
)

// resolveAll normalizes and resolves JSON records in order and returns their outcomes.
func resolveAll(t *testing.T, rs *Resolver, r *rules.Rules, lines ...string) []Outcome {
	t.Helper()
	var outs []Outcome
	for i, rec := range normalized(t, r, lines...) {
		o, err := rs.Resolve(context.Background(), rec, "test:"+string(rune('1'+i)))
		if err != nil {
			t.Fatal(err)
		}
		outs = append(outs, o)
	}
	return outs
}

const (
	byEmail  = `{"source":"web","source_id":"1","given_name":"Élodie","family_name":"Weiningkamp","emails":["e.weiningkamp@example.fr"]}`
	byPhone  = `{"source":"crm","source_id":"2","given_name":"Elodie","family_name":"Weiningkamp","phones":["+33 6 12 34 56 78"]}`
	bridging = `{"source":"erp","source_id":"3","given_name":"Elodie","family_name":"Weiningkamp","emails":["e.weiningkamp@example.fr"],"phones":["+33 6 12 34 56 78"]}`
)

func resolver(t *testing.T, autoMerge bool) (*Resolver, *rules.Rules, warehouse.Store) {
	t.Helper()
	r := rules.Default()
	r.Match.AutoMerge = autoMerge
	rs, st := sqliteResolver(t, r)
	return rs, r, st
}

// postgresResolver returns a resolver with rules r on a new PostgreSQL warehouse (pgtest),
// which is closed when the test ends.
func postgresResolver(t testing.TB, r *rules.Rules) (*Resolver, *sqlstore.Store) {
	t.Helper()
	eng, err := match.New(r)
	if err != nil {
		t.Fatal(err)
	}
	st, err := postgres.Open(context.Background(), pgtest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return &Resolver{Store: st, Engine: eng}, st
}

// sqliteResolver returns a resolver with rules r on a new SQLite warehouse, which is
// closed when the test ends.
func sqliteResolver(t testing.TB, r *rules.Rules) (*Resolver, *sqlstore.Store) {
	t.Helper()
	eng, err := match.New(r)
	if err != nil {
		t.Fatal(err)
	}
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "w.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return &Resolver{Store: st, Engine: eng}, st
}

// TestBridgeQueuesMergeReview: without auto_merge a record that links two masters joins
// the best one and a merge review is queued; no master id changes.
func TestBridgeQueuesMergeReview(t *testing.T) {
	rs, r, st := resolver(t, false)
	outs := resolveAll(t, rs, r, byEmail, byPhone, bridging)
	if outs[0].MasterID == outs[1].MasterID {
		t.Fatalf("the first two records share a master: %+v", outs)
	}
	if outs[2].Action != ActionLinked || outs[2].Reviews != 1 || len(outs[2].Merged) != 0 {
		t.Fatalf("bridging record: %+v", outs[2])
	}
	items, _ := st.ReviewItems(context.Background(), warehouse.ReviewOpen, "", 10)
	if len(items) != 1 || items[0].Kind != warehouse.ReviewMerge {
		t.Errorf("review items %+v", items)
	}
}

// TestBridgeAutoMerge: with auto_merge the younger master is merged into the older one,
// which keeps its id; the audit log has a merge event and the younger master is retired
// as merged into the older.
func TestBridgeAutoMerge(t *testing.T) {
	rs, r, st := resolver(t, true)
	outs := resolveAll(t, rs, r, byEmail, byPhone, bridging)
	older, younger := outs[0].MasterID, outs[1].MasterID
	if older >= younger {
		t.Fatalf("masters %d, %d", older, younger)
	}
	if outs[2].MasterID != older || len(outs[2].Merged) != 1 || outs[2].Merged[0] != younger {
		t.Fatalf("bridging record: %+v, want master %d merging %d", outs[2], older, younger)
	}
	ctx := context.Background()
	err := st.InTx(ctx, func(tx warehouse.Tx) error {
		m, err := tx.Master(ctx, younger)
		if err != nil {
			return err
		}
		if m.Status != contact.MasterMerged || m.MergedInto != older {
			t.Errorf("younger master: status %s merged_into %d", m.Status, m.MergedInto)
		}
		rows, err := tx.Members(ctx, older)
		if err != nil {
			return err
		}
		if len(rows) != 3 {
			t.Errorf("older master has %d records, want 3", len(rows))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	evs, _ := st.Events(ctx, older)
	found := false
	for _, e := range evs {
		found = found || (e.Kind == warehouse.EventMerge && e.OtherID == younger)
	}
	if !found {
		t.Errorf("no merge event in %+v", evs)
	}
	// Redelivering the bridging record changes nothing.
	again := resolveAll(t, rs, r, bridging)
	if again[0].Action != ActionUnchanged || again[0].MasterID != older {
		t.Errorf("redelivery: %+v", again[0])
	}
}
