package resolve

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/steward-crm/steward/contact"
	"github.com/steward-crm/steward/rules"
	"github.com/steward-crm/steward/warehouse"
	"github.com/steward-crm/steward/warehouse/sqlstore"
)

// stateRacingStore runs another writer's merge, once, right after the resolver's
// transaction has read a record's state (SourceState).
type stateRacingStore struct {
	warehouse.Store
	once     sync.Once
	merge    func(warehouse.Tx) error
	err      error
	atRecord bool // fire at SourceRecord, not SourceState
}

func (s *stateRacingStore) InTx(ctx context.Context, fn func(warehouse.Tx) error) error {
	return s.Store.InTx(ctx, func(tx warehouse.Tx) error { return fn(&stateRacingTx{tx, s}) })
}

type stateRacingTx struct {
	warehouse.Tx
	s *stateRacingStore
}

func (t *stateRacingTx) SourceState(ctx context.Context, source, id string) (*warehouse.SourceRow, error) {
	r, err := t.Tx.SourceState(ctx, source, id)
	if t.s.atRecord {
		return r, err
	}
	t.s.once.Do(func() { t.s.err = t.s.Store.InTx(ctx, t.s.merge) })
	return r, err
}

func (t *stateRacingTx) SourceRecord(ctx context.Context, source, id string) (*warehouse.SourceRow, error) {
	r, err := t.Tx.SourceRecord(ctx, source, id)
	t.s.once.Do(func() { t.s.err = t.s.Store.InTx(ctx, t.s.merge) })
	return r, err
}

// mergedMeanwhile returns, on a new PostgreSQL warehouse holding two masters that share
// no key (older: a stranger, younger: byPhone's crm:2), a resolver whose transactions
// have another consumer merge younger into older once, right after they read crm:2's
// state (SourceState; SourceRecord with atRecord).
func mergedMeanwhile(t *testing.T, r *rules.Rules, atRecord bool) (rs *Resolver, race *stateRacingStore, st *sqlstore.Store, older, younger int64) {
	t.Helper()
	ctx := context.Background()
	plain, st := postgresResolver(t, r)
	stranger := `{"source":"web","source_id":"1","given_name":"Jean","family_name":"Dupont","emails":["jean.dupont@example.org"]}`
	outs := resolveAll(t, plain, r, stranger, byPhone)
	older, younger = outs[0].MasterID, outs[1].MasterID
	race = &stateRacingStore{Store: st, atRecord: atRecord, merge: func(tx warehouse.Tx) error {
		return plain.merge(ctx, tx, older, younger, 1, nil, "another consumer")
	}}
	return &Resolver{Store: race, Engine: plain.Engine}, race, st, older, younger
}

// TestUpdateOfRecordMergedMeanwhile: on PostgreSQL, a new version of crm:2 is resolved
// while another consumer's auto_merge moves crm:2 from its master B into A (the merge
// locks the masters, not the record's keys). The update stays in the survivor A; it
// wrote the master it had read (B) back before, leaving the record in a merged master.
// (Found by a review.)
func TestUpdateOfRecordMergedMeanwhile(t *testing.T) {
	for _, oneByOne := range []bool{false, true} {
		t.Run(fmt.Sprint("record_at_a_time=", oneByOne), func(t *testing.T) {
			ctx := context.Background()
			r := rules.Default()
			rs, race, st, older, younger := mergedMeanwhile(t, r, false)
			rs.oneByOne = oneByOne
			newer := `{"source":"crm","source_id":"2","given_name":"Elodie","family_name":"Weiningkamp","phones":["+33 6 12 34 56 78"],"job_title":"CTO"}`
			out := resolveAll(t, rs, r, newer)[0]
			if race.err != nil {
				t.Fatal(race.err)
			}
			if out.Action != ActionUpdated || out.MasterID != older {
				t.Errorf("outcome %+v, want updated in the survivor %d", out, older)
			}
			err := st.InTx(ctx, func(tx warehouse.Tx) error {
				s, err := tx.SourceState(ctx, "crm", "2")
				if err != nil {
					return err
				}
				b, err := tx.Master(ctx, younger)
				if err != nil {
					return err
				}
				a, err := tx.Members(ctx, older)
				if err != nil {
					return err
				}
				if s.MasterID != older {
					t.Errorf("crm:2 is in master %d (status %s, merged into %d); want the survivor %d (which has %d members)",
						s.MasterID, b.Status, b.MergedInto, older, len(a))
				}
				if b.Status != contact.MasterMerged {
					t.Errorf("merged master status %s", b.Status)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestWithdrawOfRecordMergedMeanwhile: the same race with a withdrawal: the merged
// master stays merged (the withdrawal found it without live records and retired it,
// after which it was no longer followed to its survivor).
func TestWithdrawOfRecordMergedMeanwhile(t *testing.T) {
	ctx := context.Background()
	r := rules.Default()
	rs, race, st, older, younger := mergedMeanwhile(t, r, true)
	del := `{"source":"crm","source_id":"2","op":"delete"}`
	out := resolveAll(t, rs, r, del)[0]
	if race.err != nil {
		t.Fatal(race.err)
	}
	if out.Action != ActionWithdrawn || out.MasterID != older {
		t.Errorf("outcome %+v, want withdrawn from the survivor %d", out, older)
	}
	err := st.InTx(ctx, func(tx warehouse.Tx) error {
		b, err := tx.Master(ctx, younger)
		if err != nil {
			return err
		}
		if b.Status != contact.MasterMerged || b.MergedInto != older {
			t.Errorf("merged master %d now has status %q (merged_into %d)", younger, b.Status, b.MergedInto)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
