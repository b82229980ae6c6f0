package resolve

import (
	"fmt"
	"strings"
	"testing"

	"github.com/steward-crm/steward/rules"
	"github.com/steward-crm/steward/warehouse/sqlstore"
)

// Synthetic people for the items raised against a master whose records change.
//
// maelle (crm:B1) founds master B, lookalike (web:X1) a master of its own with a pair
// item against B (0.82); maelleTypo is crm:B1 with a family name one letter off (still
// alike, 0.56), maelleRenamed under another family name (no longer alike).
//
// bastien (erp:C1) founds master C, shopC2 (the same mobile) joins it; orlowitz (web:A1)
// founds master A, orlowitzCRM (crm:Y1) joins it, and its version orlowitzCRMMobile,
// with C's mobile, raises a merge item between A and C: 0.9967 against shop:C2, its best
// match in C (0.9949 against erp:C1). bastienMoved and shopC2Moved are C's records with
// another mobile number, shopC2Gone and bastienGone their withdrawals; orlowitzBorn is
// web:A1 with a birth date (the item's own master changes, not its candidate).
const (
	maelleTypo    = `{"source":"crm","source_id":"B1","updated_at":"2024-02-01T00:00:00Z","given_name":"Maëlle","family_name":"Quintavale","emails":["mq@example.org"],"address":{"city":"Lyon"}}`
	maelleRenamed = `{"source":"crm","source_id":"B1","updated_at":"2024-03-01T00:00:00Z","given_name":"Maëlle","family_name":"Delacroix-Vautrin","emails":["mq@example.org"],"address":{"city":"Lyon"}}`

	shopC2       = `{"source":"shop","source_id":"C2","updated_at":"2024-01-01T00:00:00Z","given_name":"Bastien","family_name":"Orlowicz","phones":["+33 7 81 22 45 19"]}`
	shopC2Moved  = `{"source":"shop","source_id":"C2","updated_at":"2024-03-01T00:00:00Z","given_name":"Bastien","family_name":"Orlowicz","phones":["+33 6 44 10 27 83"]}`
	shopC2Gone   = `{"source":"shop","source_id":"C2","updated_at":"2024-03-01T00:00:00Z","op":"delete"}`
	bastienMoved = `{"source":"erp","source_id":"C1","updated_at":"2024-03-02T00:00:00Z","given_name":"Bastien","family_name":"Orlowicz","phones":["+33 6 44 10 27 83"],"emails":["b.orlowicz@example.net"]}`
	bastienGone  = `{"source":"erp","source_id":"C1","updated_at":"2024-03-02T00:00:00Z","op":"delete"}`
	orlowitzBorn = `{"source":"web","source_id":"A1","updated_at":"2024-03-01T00:00:00Z","given_name":"Bastien","family_name":"Orlowitz","emails":["bastien.o@example.com"],"birth_date":"1987-05-14"}`

	// orlowitzMobile is web:A1 with C's mobile: A's second record resembling C (its
	// merge item is not queued: crm:Y1's is open). orlowitzCRMBack is crm:Y1 without
	// the mobile again, orlowitzCRMGone its withdrawal.
	orlowitzMobile  = `{"source":"web","source_id":"A1","updated_at":"2024-03-01T00:00:00Z","given_name":"Bastien","family_name":"Orlowitz","emails":["bastien.o@example.com"],"phones":["+33 7 81 22 45 19"]}`
	orlowitzCRMBack = `{"source":"crm","source_id":"Y1","updated_at":"2024-04-01T00:00:00Z","given_name":"Bastien","family_name":"Orlowitz","emails":["bastien.o@example.com"]}`
	orlowitzCRMGone = `{"source":"crm","source_id":"Y1","updated_at":"2024-04-01T00:00:00Z","op":"delete"}`
)

// itemRows returns the review items as text, oldest first: id, kind, source key,
// masters (by name), status, score and note; with explanations, the explanation too.
func itemRows(t *testing.T, st *sqlstore.Store, names map[int64]string, explanations bool) string {
	t.Helper()
	q := `SELECT '#' || id || ' ' || kind || ' ' || source_key || ' m' || master_id || ' c' || candidate_id || ' ' || status || ' ' || printf('%.4f', score) || ' [' || COALESCE(note, '') || ']'`
	if explanations {
		q += ` || ' ' || COALESCE(explanation, '')`
	}
	got := dump(t, st.DB(), q+` FROM review_items ORDER BY id`)
	for id, name := range names {
		got = strings.NewReplacer(fmt.Sprintf(" m%d ", id), " "+name+" ", fmt.Sprintf(" c%d ", id), " "+name+" ").Replace(got)
	}
	return got
}

// TestMemberUpdateRescoresPairItem: web:X1 raised a pair item against master B when it
// scored 0.82 against B's record crm:B1. crm:B1 is updated: the item asked about its
// earlier version. Still alike, the item keeps its id and place with the new score
// (0.56) and an explanation naming the new family name; no longer alike, it is closed
// with a note naming the update and the score. It kept 0.82 and the old name, and stayed
// open against a master nothing in which resembles web:X1.
func TestMemberUpdateRescoresPairItem(t *testing.T) {
	rs, r, st := resolver(t, false)
	outs := resolveAll(t, rs, r, maelle, lookalike)
	names := map[int64]string{outs[0].MasterID: "B", outs[1].MasterID: "X"}
	if got, want := itemRows(t, st.(*sqlstore.Store), names, false), "#1 pair web:X1 X B open 0.8159 []\n"; got != want {
		t.Fatalf("setup: review items\n%swant\n%s", got, want)
	}
	// crm:B1's new version resembles web:X1 itself: its rematch raises a merge item
	// (its own question, B and X), beside web:X1's pair item rescored.
	resolveAll(t, rs, r, maelleTypo)
	got := itemRows(t, st.(*sqlstore.Store), names, true)
	want := "#1 pair web:X1 X B open 0.5571 []"
	if !strings.HasPrefix(got, want) || !strings.Contains(strings.SplitN(got, "\n", 2)[0], `"b":"quintavale"`) {
		t.Errorf("after crm:B1's update, still alike:\n got %s\nwant %s ... with an explanation naming quintavale", got, want)
	}
	resolveAll(t, rs, r, maelleRenamed)
	got = itemRows(t, st.(*sqlstore.Store), names, false)
	want = "#1 pair web:X1 X B superseded 0.5571 [candidate master changed: source record crm:B1 updated; score now 0.00, below review]\n" +
		"#2 merge crm:B1 B X superseded 0.5571 [source record updated: version of 2024-03-01T00:00:00Z read at test:1]\n"
	if got != want {
		t.Errorf("after crm:B1's update, no longer alike:\n got %swant %s", got, want)
	}
}

// TestMemberChangeRescoresMergeItem: crm:Y1 (master A) raised a merge item against
// master C, scoring 0.9967 against C's record shop:C2. Records of C change: the item is
// scored again against C's live records, in place, or closed below review; a record of
// A changing leaves it as it is (it is about crm:Y1 only). A withdrawal that retires C
// closes it as before (the retired master's note, once).
func TestMemberChangeRescoresMergeItem(t *testing.T) {
	setup := []string{bastien, shopC2, orlowitz, orlowitzCRM, orlowitzCRMMobile}
	for _, c := range []struct {
		name    string
		changes []string
		want    string
	}{
		{"the best match updated, still alike", []string{shopC2Moved},
			"#1 merge crm:Y1 A C open 0.9949 []\n"},
		{"another record of C updated", []string{bastienMoved},
			"#1 merge crm:Y1 A C open 0.9967 []\n"},
		{"every record of C updated", []string{shopC2Moved, bastienMoved},
			"#1 merge crm:Y1 A C superseded 0.9949 [candidate master changed: source record erp:C1 updated; score now 0.06, below review]\n"},
		{"the best match withdrawn", []string{shopC2Gone},
			"#1 merge crm:Y1 A C open 0.9949 []\n"},
		{"C's last record withdrawn", []string{shopC2Gone, bastienGone},
			"#1 merge crm:Y1 A C superseded 0.9949 [master C retired (no live source record)]\n"},
		{"a record of A updated", []string{orlowitzBorn},
			"#1 merge crm:Y1 A C open 0.9967 []\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			rs, r, st := resolver(t, false)
			outs := resolveAll(t, rs, r, setup...)
			cID, aID := outs[0].MasterID, outs[2].MasterID
			names := map[int64]string{aID: "A", cID: "C"}
			if outs[1].MasterID != cID || outs[3].MasterID != aID || outs[4].Reviews != 1 {
				t.Fatalf("setup: %+v, want shop:C2 in erp:C1's master, crm:Y1 in web:A1's, one merge item", outs)
			}
			if got, want := itemRows(t, st.(*sqlstore.Store), names, false), "#1 merge crm:Y1 A C open 0.9967 []\n"; got != want {
				t.Fatalf("setup: review items\n%swant\n%s", got, want)
			}
			resolveAll(t, rs, r, c.changes...)
			want := strings.ReplaceAll(c.want, "master C", fmt.Sprint("master ", cID))
			if got := itemRows(t, st.(*sqlstore.Store), names, false); got != want {
				t.Errorf("review items:\n got %swant %s", got, want)
			}
		})
	}
}

// TestClosedMergeItemRaisedAgain: crm:Y1 raised the merge item between masters A and C;
// web:A1 (A) came to resemble C too, and queued nothing (one open merge item per two
// masters). When crm:Y1 no longer raises the question (updated away, withdrawn), its
// item is closed and web:A1 raises it again: a new item, scored on web:A1. No item was
// left, though A and C may still be one person. Where a steward said web:A1 is not C,
// C's record raises it against A. Without another record alike, nothing is queued.
func TestClosedMergeItemRaisedAgain(t *testing.T) {
	setup := []string{bastien, orlowitz, orlowitzCRM, orlowitzCRMMobile}
	closedByUpdate := "#1 merge crm:Y1 A C superseded 0.9949 [source record updated: version of 2024-04-01T00:00:00Z read at test:1]\n"
	for _, c := range []struct {
		name      string
		alike     bool // web:A1 resembles C
		notAMatch bool // a steward said web:A1 is not C
		change    string
		reviews   int
		want      string
	}{
		{"raising record updated away", true, false, orlowitzCRMBack, 1,
			closedByUpdate + "#2 merge web:A1 A C open 0.9949 []\n"},
		{"raising record withdrawn", true, false, orlowitzCRMGone, 1,
			"#1 merge crm:Y1 A C superseded 0.9949 [source record withdrawn]\n#2 merge web:A1 A C open 0.9949 []\n"},
		{"the other master's record raises it", true, true, orlowitzCRMBack, 1,
			closedByUpdate + "#2 merge erp:C1 C A open 0.9949 []\n"},
		{"no other record alike", false, false, orlowitzCRMBack, 0,
			closedByUpdate},
	} {
		t.Run(c.name, func(t *testing.T) {
			rs, r, st := resolver(t, false)
			lines := setup
			if c.alike {
				lines = append(lines[:len(lines):len(lines)], orlowitzMobile)
			}
			outs := resolveAll(t, rs, r, lines...)
			cID, aID := outs[0].MasterID, outs[1].MasterID
			names := map[int64]string{aID: "A", cID: "C"}
			if got, want := itemRows(t, st.(*sqlstore.Store), names, false), "#1 merge crm:Y1 A C open 0.9949 []\n"; got != want {
				t.Fatalf("setup: review items\n%swant\n%s", got, want)
			}
			if c.notAMatch {
				if _, err := st.(*sqlstore.Store).DB().Exec(`INSERT INTO not_a_match (source_row_id, master_id, created_at, actor)
SELECT id, ?, CURRENT_TIMESTAMP, 'steward' FROM source_records WHERE source = 'web' AND source_id = 'A1'`, cID); err != nil {
					t.Fatal(err)
				}
			}
			out := resolveAll(t, rs, r, c.change)[0]
			if out.Reviews != c.reviews {
				t.Errorf("the change: %+v, want %d review(s) counted", out, c.reviews)
			}
			if got := itemRows(t, st.(*sqlstore.Store), names, false); got != c.want {
				t.Errorf("review items:\n got %swant %s", got, c.want)
			}
		})
	}
}

// TestRescoreBatchMatchRecordAtATime: the changes above resolved record at a time, in one
// batch with the records they change, in a batch of their own and through the Batcher
// leave the same review items (scores, notes and explanations included) and report the
// same outcomes.
func TestRescoreBatchMatchRecordAtATime(t *testing.T) {
	r := rules.Default()
	for _, c := range []struct {
		name           string
		first, changes []string
		check          string // in the items left record at a time
	}{
		{"pair item rescored", []string{maelle, lookalike}, []string{maelleTypo}, "pair web:X1 m2 c1 open 0.5571"},
		{"pair item closed", []string{maelle, lookalike}, []string{maelleTypo, maelleRenamed}, "candidate master changed: source record crm:B1 updated"},
		{"merge item rescored", []string{bastien, shopC2, orlowitz, orlowitzCRM, orlowitzCRMMobile}, []string{shopC2Gone}, "merge crm:Y1 m2 c1 open 0.9949"},
		{"merge item closed", []string{bastien, shopC2, orlowitz, orlowitzCRM, orlowitzCRMMobile}, []string{shopC2Moved, bastienMoved}, "score now 0.06, below review"},
		{"merge item raised again", []string{bastien, orlowitz, orlowitzCRM, orlowitzCRMMobile, orlowitzMobile}, []string{orlowitzCRMBack}, "merge web:A1 m2 c1 open 0.9949"},
		{"merge item raised again after a withdrawal", []string{bastien, orlowitz, orlowitzCRM, orlowitzCRMMobile, orlowitzMobile}, []string{orlowitzCRMGone}, "merge web:A1 m2 c1 open 0.9949"},
	} {
		t.Run(c.name, func(t *testing.T) {
			run := func(how string) (string, []Outcome) {
				st, outs := resolveAs(t, r, how, 3, c.first, c.changes)
				// Positions differ between the runs: the note's position is cut off.
				return dump(t, st.DB(), `SELECT id || ' ' || kind || ' ' || source_key || ' m' || master_id || ' c' || candidate_id || ' ' || status || ' ' || printf('%.4f', score) || ' [' ||
COALESCE(CASE WHEN instr(note, ' read at') > 0 THEN substr(note, 1, instr(note, ' read at')) ELSE note END, '') || '] ' || COALESCE(explanation, '') FROM review_items ORDER BY id`), outs
			}
			want, wantOuts := run("record at a time")
			if !strings.Contains(want, c.check) {
				t.Fatalf("record at a time: want %q in the review items:\n%s", c.check, want)
			}
			for _, how := range []string{"one batch", "two batches", "batcher"} {
				got, outs := run(how)
				sameReviews(t, how, want, got, wantOuts, outs)
			}
		})
	}
}
