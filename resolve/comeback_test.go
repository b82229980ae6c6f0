package resolve

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/segmentio/encoding/json"
	"github.com/steward-crm/steward/contact"
	"github.com/steward-crm/steward/rules"
	"github.com/steward-crm/steward/warehouse"
	"github.com/steward-crm/steward/warehouse/sqlstore"
)

// A record alone in its master (crm:C1), withdrawn, and versions of it coming back; a
// record of someone else (web:B1) that a version links to, and one that it is only
// close to (a review).
const (
	cbFirst   = `{"source":"crm","source_id":"C1","updated_at":"2024-01-01T00:00:00Z","given_name":"Oscar","family_name":"Wildebrand","emails":["oscar.wildebrand@example.com"]}`
	cbWithdr  = `{"source":"crm","source_id":"C1","updated_at":"2024-02-01T00:00:00Z","op":"delete"}`
	cbBack    = `{"source":"crm","source_id":"C1","updated_at":"2024-03-01T00:00:00Z","given_name":"Oscar","family_name":"Wildebrand","emails":["oscar.wildebrand@example.com"],"phones":["+33 6 12 34 56 78"]}`
	cbOther   = `{"source":"web","source_id":"B1","given_name":"Oscar","family_name":"Wildebrand","emails":["o.wildebrand@example.net"],"phones":["+33 6 98 76 54 32"],"address":{"lines":["12 rue des Lilas"],"postcode":"75011","city":"Paris","country":"FR"}}`
	cbLinks   = `{"source":"crm","source_id":"C1","updated_at":"2024-03-01T00:00:00Z","given_name":"Oscar","family_name":"Wildebrand","emails":["o.wildebrand@example.net"]}`
	cbReviews = `{"source":"crm","source_id":"C1","updated_at":"2024-03-01T00:00:00Z","given_name":"Oscar","family_name":"Wildebrandt","emails":["o.w@example.com"],"address":{"postcode":"75011","city":"Paris","country":"FR"}}`
	// crm:C2 joins crm:C1's master and is withdrawn after it: the master's last member.
	cbSecond   = `{"source":"crm","source_id":"C2","updated_at":"2024-01-01T00:00:00Z","given_name":"Oscar","family_name":"Wildebrand","emails":["oscar.wildebrand@example.com"]}`
	cbWithdr2  = `{"source":"crm","source_id":"C2","updated_at":"2024-02-02T00:00:00Z","op":"delete"}`
	cbBack2    = `{"source":"crm","source_id":"C2","updated_at":"2024-03-01T00:00:00Z","given_name":"Oscar","family_name":"Wildebrand","emails":["oscar.wildebrand@example.com"],"phones":["+33 6 12 34 56 78"]}`
	cbBackElse = `{"source":"crm","source_id":"C1","updated_at":"2024-03-01T00:00:00Z","given_name":"Ottilie","family_name":"Brandwein","emails":["ottilie.brandwein@example.com"]}`
)

// comebackRun resolves lines record at a time, or all in one batch (where a record
// coming back takes the record-at-a-time path inside the batch), on a new SQLite
// warehouse, with the same positions.
func comebackRun(t *testing.T, r *rules.Rules, batch bool, lines ...string) ([]Outcome, *sqlstore.Store) {
	t.Helper()
	rs, st := sqliteResolver(t, r)
	recs := normalized(t, r, lines...)
	pos := make([]string, len(recs))
	for i := range pos {
		pos[i] = fmt.Sprint("p", i)
	}
	ctx := context.Background()
	if batch {
		outs, err := rs.ResolveBatch(ctx, recs, pos)
		if err != nil {
			t.Fatal(err)
		}
		return outs, st
	}
	outs := make([]Outcome, len(recs))
	for i, rec := range recs {
		o, err := rs.Resolve(ctx, rec, pos[i])
		if err != nil {
			t.Fatal(err)
		}
		outs[i] = o
	}
	return outs, st
}

// master reads a master outside the resolver.
func master(t *testing.T, st warehouse.Store, id int64) *contact.Master {
	t.Helper()
	var m *contact.Master
	err := st.InTx(context.Background(), func(tx warehouse.Tx) (err error) {
		m, err = tx.Master(context.Background(), id)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// eventKinds lists the kinds and source keys of a master's audit events, oldest first.
func eventKinds(t *testing.T, st warehouse.Store, id int64) string {
	t.Helper()
	evs, err := st.Events(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	var s []string
	for _, e := range evs {
		s = append(s, e.Kind+" "+e.SourceKey)
	}
	return strings.Join(s, ", ")
}

// lastChange is the newest outbox event of a master.
func lastChange(t *testing.T, st *sqlstore.Store, id int64) ChangeEvent {
	t.Helper()
	var payload string
	err := st.DB().QueryRow(`SELECT payload FROM outbox WHERE key = ? ORDER BY id DESC LIMIT 1`, fmt.Sprint(id)).Scan(&payload)
	if err != nil {
		t.Fatalf("outbox event of master %d: %v", id, err)
	}
	var ev ChangeEvent
	if err := json.Unmarshal([]byte(payload), &ev); err != nil {
		t.Fatal(err)
	}
	return ev
}

// TestComebackKeepsMasterID: README "master ids never change for records that stay
// together". A record alone in its master, withdrawn (the master is retired) and sent
// again later, gets that master back, active again with a new version published, unless
// it now links to another master. Record at a time and in one batch alike, leaving the
// same warehouse.
func TestComebackKeepsMasterID(t *testing.T) {
	r := rules.Default()
	for _, c := range []struct {
		name  string
		lines []string
		check func(t *testing.T, outs []Outcome, st *sqlstore.Store)
	}{
		{"alone", []string{cbFirst, cbWithdr, cbBack}, func(t *testing.T, outs []Outcome, st *sqlstore.Store) {
			id, back := outs[0].MasterID, outs[2]
			if back.MasterID != id || back.Action != ActionUpdated {
				t.Fatalf("back: %s in master %d, want updated in its master %d (retired by its withdrawal)", back.Action, back.MasterID, id)
			}
			m := master(t, st, id)
			if m.Status != contact.MasterActive || m.Version != 3 || len(m.Golden.Phones) != 1 || m.Golden.Provenance["phones"] != "crm:C1" {
				t.Errorf("master %d: %s v%d, golden %+v; want active v3 (created, retired, back) with the phone of the record back", id, m.Status, m.Version, m.Golden)
			}
			if got, want := eventKinds(t, st, id), "new_master crm:C1, withdraw crm:C1, restore crm:C1"; got != want {
				t.Errorf("audit events of master %d: %s, want %s", id, got, want)
			}
			if ev := lastChange(t, st, id); ev.Version != 3 || ev.Status != contact.MasterActive || ev.Cause != "crm:C1" || ev.Master.Golden.Sources[0] != "crm:C1" {
				t.Errorf("last change event of master %d: v%d %s cause %s, want v3 active caused by crm:C1", id, ev.Version, ev.Status, ev.Cause)
			}
			if n := strings.Count(dump(t, st.DB(), `SELECT id FROM masters`), "\n"); n != 1 {
				t.Errorf("%d masters, want 1", n)
			}
		}},
		{"links elsewhere", []string{cbFirst, cbWithdr, cbOther, cbLinks}, func(t *testing.T, outs []Outcome, st *sqlstore.Store) {
			id, other, back := outs[0].MasterID, outs[2].MasterID, outs[3]
			if back.Action != ActionLinked || back.MasterID != other {
				t.Fatalf("back: %s in master %d, want linked to %d", back.Action, back.MasterID, other)
			}
			if m := master(t, st, id); m.Status != contact.MasterRetired || m.Version != 2 {
				t.Errorf("master %d: %s v%d, want retired v2", id, m.Status, m.Version)
			}
		}},
		{"close to another", []string{cbFirst, cbWithdr, cbOther, cbReviews}, func(t *testing.T, outs []Outcome, st *sqlstore.Store) {
			id, other, back := outs[0].MasterID, outs[2].MasterID, outs[3]
			if back.MasterID != id || back.Action != ActionUpdated || back.Reviews != 1 {
				t.Fatalf("back: %s in master %d with %d review items, want updated in its master %d with a review item", back.Action, back.MasterID, back.Reviews, id)
			}
			items, err := st.ReviewItems(context.Background(), warehouse.ReviewOpen, "", 10)
			if err != nil {
				t.Fatal(err)
			}
			if len(items) != 1 || items[0].Kind != warehouse.ReviewPair || items[0].MasterID != id || items[0].CandidateID != other {
				t.Errorf("open review items %+v, want one pair of master %d and candidate %d", items, id, other)
			}
			if m := master(t, st, id); m.Status != contact.MasterActive || m.Version != 3 {
				t.Errorf("master %d: %s v%d, want active v3", id, m.Status, m.Version)
			}
		}},
		{"last member back", []string{cbFirst, cbSecond, cbWithdr, cbWithdr2, cbBack2}, func(t *testing.T, outs []Outcome, st *sqlstore.Store) {
			id, back := outs[0].MasterID, outs[4]
			if outs[1].MasterID != id {
				t.Fatalf("crm:C2 in master %d, want crm:C1's %d", outs[1].MasterID, id)
			}
			if back.MasterID != id || back.Action != ActionUpdated {
				t.Errorf("the last member back: %s in master %d, want updated in %d", back.Action, back.MasterID, id)
			}
		}},
		{"earlier member back", []string{cbFirst, cbSecond, cbWithdr, cbWithdr2, cbBackElse}, func(t *testing.T, outs []Outcome, st *sqlstore.Store) {
			id, back := outs[0].MasterID, outs[4]
			if back.MasterID == id || back.Action != ActionNewMaster {
				t.Errorf("crm:C1 back (crm:C2 was withdrawn last): %s in master %d, want a new master", back.Action, back.MasterID)
			}
			if m := master(t, st, id); m.Status != contact.MasterRetired {
				t.Errorf("master %d: %s, want retired", id, m.Status)
			}
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			one, st1 := comebackRun(t, r, false, c.lines...)
			c.check(t, one, st1)
			batched, st2 := comebackRun(t, r, true, c.lines...)
			t.Run("batch", func(t *testing.T) { c.check(t, batched, st2) })
			for i := range one {
				if one[i].Action != batched[i].Action || one[i].MasterID != batched[i].MasterID || one[i].Reviews != batched[i].Reviews {
					t.Errorf("record %d: record at a time %+v, batched %+v", i, one[i], batched[i])
				}
			}
			want, got := comebackTables(t, st1), comebackTables(t, st2)
			for name := range want {
				if want[name] != got[name] {
					t.Errorf("%s differ:\n%s", name, firstDiff(want[name], got[name]))
				}
			}
		})
	}
}

// comebackTables is warehouseTables with the audit log and the outbox.
func comebackTables(t *testing.T, st *sqlstore.Store) map[string]string {
	t.Helper()
	tables := warehouseTables(t, st.DB())
	tables["events"] = dump(t, st.DB(), `SELECT kind || ' m' || master_id || ' o' || other_id || ' ' || source_key || ' ' || score FROM merge_events ORDER BY id`)
	tables["outbox"] = dump(t, st.DB(), `SELECT key || ' ' || json_extract(payload, '$.version') || ' ' || json_extract(payload, '$.status') || ' ' || json_extract(payload, '$.cause') || ' ' || json_extract(payload, '$.master.golden') FROM outbox ORDER BY id`)
	return tables
}
