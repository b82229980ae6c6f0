package resolve

import (
	"context"
	"fmt"
	"testing"

	"github.com/steward-crm/steward/contact"
	"github.com/steward-crm/steward/warehouse/sqlstore"
)

// A synthetic person: orlowitz founds master A, which orlowitzCRM joins (update_review_test.go);
// orlowitzCRMReused is orlowitzCRM's newer version holding another person (the source
// reused its id); orlowitzCRMBack (review_rescore_test.go), a later one, holds Bastien
// Orlowitz again.
const orlowitzCRMReused = `{"source":"crm","source_id":"Y1","updated_at":"2024-03-01T00:00:00Z","given_name":"Patrick","family_name":"Durouvard","emails":["patrick.durouvard@example.fr"],"address":{"city":"Caen"}}`

// TestUpdateNoLongerMatchingQueuesSplit: a newer version that no longer matches the other
// records of its master (another person under a reused source id: below split_threshold
// against each) stays in its master
// (an update never moves a record) but queues a split review item, scored against its
// best-matching fellow member: it was silently one golden record of two people. A later
// version that matches again closes the item; a record alone in its master queues none.
func TestUpdateNoLongerMatchingQueuesSplit(t *testing.T) {
	rs, r, st := resolver(t, false)
	outs := resolveAll(t, rs, r, orlowitz, orlowitzCRM)
	a := outs[0].MasterID
	if outs[1].Action != ActionLinked || outs[1].MasterID != a {
		t.Fatalf("orlowitzCRM: %+v, want linked to %d", outs[1], a)
	}
	upd := resolveAll(t, rs, r, orlowitzCRMReused)[0]
	if upd.Action != ActionUpdated || upd.MasterID != a || upd.Reviews != 1 {
		t.Errorf("reused id: %+v, want updated in master %d with one review item", upd, a)
	}
	if got, want := reviewRows(t, st.(*sqlstore.Store)), fmt.Sprintf("split crm:Y1 m%d c0 open []\n", a); got != want {
		t.Errorf("review items:\n%s\nwant:\n%s", got, want)
	}
	if got := dump(t, st.(*sqlstore.Store).DB(), `SELECT CAST(score < 0.01 AS INTEGER) || ' ' || CAST(explanation LIKE '%family_name%' AS INTEGER) FROM review_items`); got != "1 1\n" {
		t.Errorf("split item's score below split_threshold and explained: %q", got)
	}
	back := resolveAll(t, rs, r, orlowitzCRMBack)[0]
	if back.Action != ActionUpdated || back.Reviews != 0 {
		t.Errorf("matching again: %+v, want updated, no review item", back)
	}
	if got, want := reviewRows(t, st.(*sqlstore.Store)), fmt.Sprintf("split crm:Y1 m%d c0 superseded [source record updated: version of 2024-04-01T00:00:00Z read at test:1]\n", a); got != want {
		t.Errorf("review items:\n%s\nwant:\n%s", got, want)
	}

	// The same person with a new mobile number (shop:C2 against erp:C1: the same name,
	// ~0.2, below review but above split_threshold) queues nothing.
	rs, r, st = resolver(t, false)
	if outs := resolveAll(t, rs, r, bastien, shopC2, shopC2Moved); outs[1].MasterID != outs[0].MasterID || outs[2].Action != ActionUpdated || outs[2].Reviews != 0 {
		t.Errorf("new mobile: %+v, want shop:C2 updated in erp:C1's master without review item", outs)
	}

	// Alone in its master: nothing to part from.
	rs, r, st = resolver(t, false)
	resolveAll(t, rs, r, orlowitzCRM)
	if upd := resolveAll(t, rs, r, orlowitzCRMReused)[0]; upd.Action != ActionUpdated || upd.Reviews != 0 {
		t.Errorf("alone: %+v, want updated without review item", upd)
	}
	if got := reviewRows(t, st.(*sqlstore.Store)); got != "" {
		t.Errorf("alone: review items %q", got)
	}
}

// TestDefaultsSpeltOutAreTheSameContent: a record sent again with its default op and
// kind spelt out ("op":"upsert","kind":"person"), or left out after being sent with them,
// is unchanged (it was an update: an audit event and a change event each time a source's
// export switched forms); so is one whose row was stored before Hash left them out (its
// stored hash the form it came in).
func TestDefaultsSpeltOutAreTheSameContent(t *testing.T) {
	plain := `{"source":"x","source_id":"1","given_name":"Ann","family_name":"Lee"}`
	spelt := `{"source":"x","source_id":"1","op":"upsert","kind":"person","given_name":"Ann","family_name":"Lee"}`
	rs, r, st := resolver(t, false)
	outs := resolveAll(t, rs, r, plain, spelt, plain)
	if outs[1].Action != ActionUnchanged || outs[2].Action != ActionUnchanged {
		t.Errorf("the same record spelt out and not: %+v, want unchanged twice", outs)
	}
	// A row stored with the hash of the form it came in, as before.
	legacy, err := hashAs(mustDecode(t, spelt), contact.OpUpsert, contact.KindPerson)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.(*sqlstore.Store).DB().Exec(`UPDATE source_records SET hash = ?`, legacy); err != nil {
		t.Fatal(err)
	}
	for _, rec := range []string{spelt, plain} {
		if out := resolveAll(t, rs, r, rec)[0]; out.Action != ActionUnchanged {
			t.Errorf("against a row stored before: %+v, want unchanged", out)
		}
	}
	// Another kind spelt out is other content.
	if out := resolveAll(t, rs, r, `{"source":"x","source_id":"1","kind":"company","given_name":"Ann","family_name":"Lee","company":{"name":"Lee SA"}}`)[0]; out.Action != ActionUpdated {
		t.Errorf("kind company: %+v, want updated", out)
	}
}

func mustDecode(t *testing.T, s string) *contact.Record {
	t.Helper()
	r, err := contact.Decode([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestSplitNamesItsFellow: a split item's explanation names the record of the master it
// was scored against (against): the steward asked "split from whom?" and had to find it.
func TestSplitNamesItsFellow(t *testing.T) {
	rs, r, st := resolver(t, false)
	resolveAll(t, rs, r, orlowitz, orlowitzCRM)
	resolveAll(t, rs, r, orlowitzCRMReused)
	want := "web:A1" // orlowitz
	if got := dump(t, st.(*sqlstore.Store).DB(), `SELECT kind || ' ' || json_extract(explanation, '$.against') FROM review_items`); got != "split "+want+"\n" {
		t.Errorf("split item against %q, want %q", got, want)
	}
}

// TestExplanationsNameTheRecordMatched: a link's explanation and a review item's name
// the record of the master the score was computed against (against), one by one and in
// a batch: "which record did it match?" was left to the steward.
func TestExplanationsNameTheRecordMatched(t *testing.T) {
	const (
		anne   = `{"source":"crm","source_id":"1","given_name":"Mathilde","family_name":"Nicolas","birth_date":"1967-05-03","phones":["+33785283126"],"address":{"lines":["4 rue des Lilas"],"postcode":"69003","city":"Lyon","country":"FR"}}`
		anne2  = `{"source":"shop","source_id":"7","given_name":"Mathilde","family_name":"Nicolas","birth_date":"1967-05-03","phones":["+33785283126"],"address":{"lines":["4 rue des Lilas"],"postcode":"69003","city":"Lyon","country":"FR"}}`
		sister = `{"source":"web","source_id":"9","given_name":"Mathilde","family_name":"Nicolas","birth_date":"1990-05-03","phones":["+33788665240"],"address":{"lines":["4 rue des Lilas"],"postcode":"69003","city":"Lyon","country":"FR"}}`
	)
	for _, batched := range []bool{false, true} {
		rs, r, st := resolver(t, false)
		if batched {
			recs := normalized(t, r, anne, anne2, sister)
			if _, err := rs.ResolveBatch(context.Background(), recs, []string{"test:1", "test:2", "test:3"}); err != nil {
				t.Fatal(err)
			}
		} else {
			resolveAll(t, rs, r, anne, anne2, sister)
		}
		db := st.(*sqlstore.Store).DB()
		if got := dump(t, db, `SELECT source || ':' || source_id || ' ' || json_extract(explanation, '$.against') FROM source_records WHERE explanation IS NOT NULL ORDER BY id`); got != "shop:7 crm:1\n" {
			t.Errorf("batched %v: links' explanations %q, want shop:7 against crm:1", batched, got)
		}
		got := dump(t, db, `SELECT kind || ' ' || source_key || ' ' || json_extract(explanation, '$.against') FROM review_items ORDER BY id`)
		if got != "pair web:9 crm:1\n" && got != "pair web:9 shop:7\n" {
			t.Errorf("batched %v: review items %q, want web:9's pair against a record of crm:1's master", batched, got)
		}
	}
}
