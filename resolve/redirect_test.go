package resolve

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/steward-crm/steward/contact"
	"github.com/steward-crm/steward/internal/pgtest"
	"github.com/steward-crm/steward/rules"
	"github.com/steward-crm/steward/warehouse"
)

func TestMain(m *testing.M) { pgtest.RunMain(m) }

// racingStore runs once, in a transaction of its own, what another writer does (merge)
// right after a resolver's transaction has read its candidates.
type racingStore struct {
	warehouse.Store
	once  sync.Once
	merge func(warehouse.Tx) error
	err   error
}

func (s *racingStore) InTx(ctx context.Context, fn func(warehouse.Tx) error) error {
	return s.Store.InTx(ctx, func(tx warehouse.Tx) error { return fn(&racingTx{tx, s}) })
}

type racingTx struct {
	warehouse.Tx
	s *racingStore
}

func (t *racingTx) Candidates(ctx context.Context, q warehouse.CandidateQuery) (*warehouse.CandidateSet, error) {
	set, err := t.Tx.Candidates(ctx, q)
	t.s.once.Do(func() { t.s.err = t.s.Store.InTx(ctx, t.s.merge) })
	return set, err
}

// TestLinkToMasterMergedMeanwhile: on PostgreSQL, where several consumers write at once,
// the master a record is about to join can be merged into another (auto_merge of another
// consumer) between the read of its candidates and its write. The record then joins the
// survivor, which holds the record it was matched against; the merged master stays
// empty. Both paths: set-based and record at a time.
func TestLinkToMasterMergedMeanwhile(t *testing.T) {
	for _, oneByOne := range []bool{false, true} {
		t.Run(fmt.Sprint("record_at_a_time=", oneByOne), func(t *testing.T) {
			ctx := context.Background()
			r := rules.Default()
			plain, st := postgresResolver(t, r)
			eng := plain.Engine
			outs := resolveAll(t, plain, r, byEmail, byPhone)
			older, younger := outs[0].MasterID, outs[1].MasterID
			if older == younger {
				t.Fatalf("the two records share master %d", older)
			}

			race := &racingStore{Store: st, merge: func(tx warehouse.Tx) error {
				return plain.merge(ctx, tx, older, younger, 1, nil, "another consumer")
			}}
			rs := &Resolver{Store: race, Engine: eng, oneByOne: oneByOne}
			samePhone := `{"source":"shop","source_id":"9","given_name":"Elodie","family_name":"Weiningkamp","phones":["+33 6 12 34 56 78"]}`
			out := resolveAll(t, rs, r, samePhone)[0]
			if race.err != nil {
				t.Fatalf("the concurrent merge failed: %v", race.err)
			}
			if out.Action != ActionLinked || out.MasterID != older {
				t.Fatalf("outcome %+v, want linked to the survivor %d (the record matched master %d)", out, older, younger)
			}
			err := st.InTx(ctx, func(tx warehouse.Tx) error {
				rows, err := tx.Members(ctx, older)
				if err != nil {
					return err
				}
				if len(rows) != 3 {
					t.Errorf("the survivor has %d records, want 3", len(rows))
				}
				if rows, err = tx.Members(ctx, younger); err != nil {
					return err
				}
				if len(rows) != 0 {
					t.Errorf("the merged master has %d records: %v", len(rows), rows[0].Key())
				}
				m, err := tx.Master(ctx, younger)
				if err != nil {
					return err
				}
				if m.Status != contact.MasterMerged || m.MergedInto != older {
					t.Errorf("merged master: status %s, merged into %d", m.Status, m.MergedInto)
				}
				s, err := tx.Master(ctx, older)
				if err != nil {
					return err
				}
				if s.Status != contact.MasterActive || len(s.Golden.Phones) == 0 {
					t.Errorf("survivor: status %s, golden %+v", s.Status, s.Golden)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestMergedMeanwhileEventsInVersionOrder: a batch whose records join a master and the
// one merged into it meanwhile, interleaved (B1 joins the survivor, A the merged master,
// B2 the survivor), gives the survivor one version per record in the batch's order, so
// that its change events reach the outbox with rising versions: redirectMerged sorts
// the joined records in record order (without it, the two masters' records appended list
// after list give B1 v+1, B2 v+2, A v+3, and the events go out v+1, v+3, v+2: checked).
func TestMergedMeanwhileEventsInVersionOrder(t *testing.T) {
	ctx := context.Background()
	r := rules.Default()
	plain, st := postgresResolver(t, r)
	outs := resolveAll(t, plain, r, byEmail, byPhone)
	older, younger := outs[0].MasterID, outs[1].MasterID
	var last int64
	if err := st.DB().QueryRow(`SELECT COALESCE(MAX(id), 0) FROM outbox`).Scan(&last); err != nil {
		t.Fatal(err)
	}
	race := &racingStore{Store: st, merge: func(tx warehouse.Tx) error {
		return plain.merge(ctx, tx, older, younger, 1, nil, "another consumer")
	}}
	rs := &Resolver{Store: race, Engine: plain.Engine}
	recs := normalized(t, r,
		`{"source":"shop","source_id":"7","given_name":"Élodie","family_name":"Weiningkamp","emails":["e.weiningkamp@example.fr"]}`,
		`{"source":"shop","source_id":"9","given_name":"Elodie","family_name":"Weiningkamp","phones":["+33 6 12 34 56 78"]}`,
		`{"source":"shop","source_id":"8","given_name":"Élodie","family_name":"Weiningkamp","emails":["e.weiningkamp@example.fr"]}`)
	got, err := rs.ResolveBatch(ctx, recs, []string{"b:1", "b:2", "b:3"})
	if err != nil || race.err != nil {
		t.Fatalf("batch: %v; concurrent merge: %v", err, race.err)
	}
	for i, o := range got {
		if o.Action != ActionLinked || o.MasterID != older {
			t.Fatalf("record %d: %+v, want linked to the survivor %d", i, o, older)
		}
	}
	rows, err := st.DB().Query(`SELECT payload FROM outbox WHERE id > $1 ORDER BY id`, last)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var versions []int
	for rows.Next() {
		var payload []byte
		if err := rows.Scan(&payload); err != nil {
			t.Fatal(err)
		}
		var ev ChangeEvent
		if err := json.Unmarshal(payload, &ev); err != nil {
			t.Fatal(err)
		}
		if ev.MasterID == older {
			versions = append(versions, ev.Version)
		}
	}
	if len(versions) < 3 || !slices.IsSorted(versions) || len(slices.Compact(slices.Clone(versions))) != len(versions) {
		t.Errorf("the survivor's events in outbox order have versions %v, want rising", versions)
	}
}
