package resolve

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/steward-crm/steward/rules"
	"github.com/steward-crm/steward/warehouse"
	"github.com/steward-crm/steward/warehouse/sqlstore"
)

// Synthetic people. maelle founds master B; lookalike, the same name in the same city
// without e-mail, gets a master of its own and a pair item against B (a review-level
// score); lookalikeRenamed is its newer version under another family name,
// lookalikePromoted one with a job title (its match features unchanged), lookalikeStreet
// one with a street (still alike).
const (
	maelle            = `{"source":"crm","source_id":"B1","updated_at":"2024-01-01T00:00:00Z","given_name":"Maëlle","family_name":"Quintavalle","emails":["mq@example.org"],"address":{"city":"Lyon"}}`
	lookalike         = `{"source":"web","source_id":"X1","updated_at":"2024-01-02T00:00:00Z","given_name":"Maelle","family_name":"Quintavalle","address":{"city":"Lyon"}}`
	lookalikeRenamed  = `{"source":"web","source_id":"X1","updated_at":"2024-02-01T00:00:00Z","given_name":"Maelle","family_name":"Delacroix-Vautrin","address":{"city":"Lyon"}}`
	lookalikePromoted = `{"source":"web","source_id":"X1","updated_at":"2024-02-01T00:00:00Z","given_name":"Maelle","family_name":"Quintavalle","address":{"city":"Lyon"},"job_title":"Buyer"}`
	lookalikeStreet   = `{"source":"web","source_id":"X1","updated_at":"2024-02-01T00:00:00Z","given_name":"Maelle","family_name":"Quintavalle","address":{"lines":["12 rue Sainte-Catherine"],"city":"Lyon"}}`

	// bastien founds master C (mobile and e-mail); orlowitz founds master A, which
	// orlowitzCRM joins (same e-mail); orlowitzCRMMobile is orlowitzCRM's newer version
	// with C's mobile number.
	bastien           = `{"source":"erp","source_id":"C1","updated_at":"2024-01-01T00:00:00Z","given_name":"Bastien","family_name":"Orlowicz","phones":["+33 7 81 22 45 19"],"emails":["b.orlowicz@example.net"]}`
	orlowitz          = `{"source":"web","source_id":"A1","updated_at":"2024-01-01T00:00:00Z","given_name":"Bastien","family_name":"Orlowitz","emails":["bastien.o@example.com"]}`
	orlowitzCRM       = `{"source":"crm","source_id":"Y1","updated_at":"2024-01-02T00:00:00Z","given_name":"Bastien","family_name":"Orlowitz","emails":["bastien.o@example.com"]}`
	orlowitzCRMMobile = `{"source":"crm","source_id":"Y1","updated_at":"2024-02-01T00:00:00Z","given_name":"Bastien","family_name":"Orlowitz","emails":["bastien.o@example.com"],"phones":["+33 7 81 22 45 19"]}`

	// orlowitzShop founds master D (a namesake with another e-mail address);
	// orlowitzCRMBoth is orlowitzCRM's newer version with C's mobile and D's address.
	orlowitzShop    = `{"source":"shop","source_id":"D1","updated_at":"2024-01-01T00:00:00Z","given_name":"Bastien","family_name":"Orlowitz","emails":["b.orlowitz@example.fr"]}`
	orlowitzCRMBoth = `{"source":"crm","source_id":"Y1","updated_at":"2024-02-01T00:00:00Z","given_name":"Bastien","family_name":"Orlowitz","emails":["bastien.o@example.com","b.orlowitz@example.fr"],"phones":["+33 7 81 22 45 19"]}`
)

// reviewRows returns the review items as text, oldest first: kind, source key, master,
// candidate, status and note.
func reviewRows(t *testing.T, st *sqlstore.Store) string {
	t.Helper()
	return dump(t, st.DB(), `SELECT kind || ' ' || source_key || ' m' || master_id || ' c' || candidate_id || ' ' || status || ' [' || COALESCE(note, '') || ']' FROM review_items ORDER BY id`)
}

// TestUpdateClosesStaleReview: a record's pair item against master B was raised by its
// earlier version. A newer version with other match features closes it as superseded,
// with a note naming the update; one that no longer resembles B (another family name)
// queues nothing new, one that still does (a street added) queues an item scored on the
// new version: the record's master and B may be one person (a merge review). A version
// whose match features are unchanged (a job title) leaves the item open: the question
// and its evidence are the same (it was closed and queued again, a new item for the same
// question at the end of the queue).
func TestUpdateClosesStaleReview(t *testing.T) {
	for _, c := range []struct {
		name, update string
		reviews      int
		queued       string // the item queued, "" for none
		stands       bool   // the pair item stays open
	}{
		{"no longer alike", lookalikeRenamed, 0, "", false},
		{"still alike", lookalikeStreet, 1, "merge web:X1 m%d c%d open []\n", false},
		{"same match features", lookalikePromoted, 0, "", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			rs, r, st := resolver(t, false)
			outs := resolveAll(t, rs, r, maelle, lookalike)
			b, a := outs[0].MasterID, outs[1].MasterID
			if outs[1].Action != ActionNewMaster || outs[1].Reviews != 1 {
				t.Fatalf("lookalike: %+v, want a new master and a pair item against %d", outs[1], b)
			}
			upd := resolveAll(t, rs, r, c.update)[0]
			if upd.Action != ActionUpdated || upd.MasterID != a || upd.Reviews != c.reviews {
				t.Errorf("update: %+v, want updated in master %d, %d review(s) queued", upd, a, c.reviews)
			}
			want := fmt.Sprintf("pair web:X1 m%d c%d superseded [source record updated: version of 2024-02-01T00:00:00Z read at test:1]\n", a, b)
			if c.stands {
				want = fmt.Sprintf("pair web:X1 m%d c%d open []\n", a, b)
			}
			if c.queued != "" {
				want += fmt.Sprintf(c.queued, a, b)
			}
			if got := reviewRows(t, st.(*sqlstore.Store)); got != want {
				t.Errorf("review items after the update:\n got %s\nwant %s", got, want)
			}
		})
	}
}

// TestUpdateQueuesMergeReview: a newer version of a record of master A adds the mobile
// number of master C's record. The record stays in A (master ids are stable, with
// auto_merge too) and a merge review between A and C is queued, its explanation naming
// the fields compared.
func TestUpdateQueuesMergeReview(t *testing.T) {
	for _, autoMerge := range []bool{false, true} {
		t.Run(fmt.Sprint("auto_merge=", autoMerge), func(t *testing.T) {
			rs, r, st := resolver(t, autoMerge)
			outs := resolveAll(t, rs, r, bastien, orlowitz, orlowitzCRM)
			c, a := outs[0].MasterID, outs[1].MasterID
			if c == a || outs[2].Action != ActionLinked || outs[2].MasterID != a || outs[2].Reviews != 0 {
				t.Fatalf("setup: %+v, want crm:Y1 linked to web:A1's master, apart from erp:C1's", outs)
			}
			upd := resolveAll(t, rs, r, orlowitzCRMMobile)[0]
			if upd.Action != ActionUpdated || upd.MasterID != a || upd.Reviews != 1 || len(upd.Merged) != 0 {
				t.Errorf("update: %+v, want updated in master %d with one review queued, nothing merged", upd, a)
			}
			items, err := st.ReviewItems(context.Background(), warehouse.ReviewOpen, "", 10)
			if err != nil {
				t.Fatal(err)
			}
			if len(items) != 1 || items[0].Kind != warehouse.ReviewMerge || items[0].SourceKey != "crm:Y1" || items[0].MasterID != a || items[0].CandidateID != c {
				t.Fatalf("open review items %+v, want one merge item crm:Y1 between masters %d and %d", items, a, c)
			}
			for _, s := range []string{`"comparison":"phone"`, `"level":"mobile_exact"`, `"comparison":"family_name"`} {
				if !strings.Contains(string(items[0].Explanation), s) {
					t.Errorf("explanation %s does not hold %s", items[0].Explanation, s)
				}
			}
			for key, want := range map[string]int64{"crm:Y1": a, "web:A1": a, "erp:C1": c} {
				src, id, _ := strings.Cut(key, ":")
				var got int64
				if err := st.(*sqlstore.Store).DB().QueryRow(`SELECT master_id FROM source_records WHERE source = ? AND source_id = ?`, src, id).Scan(&got); err != nil || got != want {
					t.Errorf("%s is in master %d (%v), want %d", key, got, err, want)
				}
			}
		})
	}
}

// TestUpdateRespectsNotAMatch: a steward said crm:Y1 is not master C. Its update with
// C's mobile number and the e-mail address of master D's record queues a merge review
// against D only.
func TestUpdateRespectsNotAMatch(t *testing.T) {
	rs, r, st := resolver(t, false)
	outs := resolveAll(t, rs, r, bastien, orlowitz, orlowitzShop, orlowitzCRM)
	c, a, d := outs[0].MasterID, outs[1].MasterID, outs[2].MasterID
	if len(map[int64]bool{a: true, c: true, d: true}) != 3 || outs[3].MasterID != a {
		t.Fatalf("setup: %+v, want three masters, crm:Y1 in web:A1's", outs)
	}
	db := st.(*sqlstore.Store).DB()
	if _, err := db.Exec(`INSERT INTO not_a_match (source_row_id, master_id, created_at, actor)
SELECT id, ?, CURRENT_TIMESTAMP, 'steward' FROM source_records WHERE source = 'crm' AND source_id = 'Y1'`, c); err != nil {
		t.Fatal(err)
	}
	upd := resolveAll(t, rs, r, orlowitzCRMBoth)[0]
	if upd.Action != ActionUpdated || upd.MasterID != a || upd.Reviews != 1 {
		t.Errorf("update: %+v, want updated in master %d with one review queued", upd, a)
	}
	want := fmt.Sprintf("merge crm:Y1 m%d c%d open []\n", a, d)
	if got := reviewRows(t, st.(*sqlstore.Store)); got != want {
		t.Errorf("review items:\n got %s\nwant %s(none against master %d: not a match)", got, want, c)
	}
}

// TestUpdateReviewsBatchMatchRecordAtATime: the updates above resolved record at a time,
// in one batch with the versions they replace, in a batch of their own and through the
// Batcher leave the same review items and report the same outcomes.
func TestUpdateReviewsBatchMatchRecordAtATime(t *testing.T) {
	r := rules.Default()
	first := []string{maelle, lookalike, bastien, orlowitz, orlowitzCRM}
	updates := []string{lookalikeRenamed, orlowitzCRMMobile}
	run := func(how string) (string, []Outcome) {
		st, outs := resolveAs(t, r, how, 3, first, updates)
		// Positions differ between the runs: the note's position is cut off.
		return dump(t, st.DB(), `SELECT kind || ' ' || source_key || ' m' || master_id || ' c' || candidate_id || ' ' || status || ' ' || score || ' [' ||
COALESCE(substr(note, 1, instr(note, ' read at')), '') || '] ' || COALESCE(explanation, '') FROM review_items ORDER BY id`), outs
	}
	want, wantOuts := run("record at a time")
	if strings.Count(want, " superseded ") != 1 || strings.Count(want, "merge crm:Y1") != 1 {
		t.Fatalf("record at a time: want the updates to close one item and queue one merge item:\n%s", want)
	}
	for _, how := range []string{"one batch", "two batches", "batcher"} {
		got, outs := run(how)
		sameReviews(t, how, want, got, wantOuts, outs)
	}
}
