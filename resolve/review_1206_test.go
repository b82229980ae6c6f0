package resolve

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/steward-crm/steward/contact"
	"github.com/steward-crm/steward/internal/synthtest"
	"github.com/steward-crm/steward/rules"
	"github.com/steward-crm/steward/synth"
	"github.com/steward-crm/steward/warehouse/sqlstore"
)

// lifecycleStream is generated records dense in duplicates with newer versions whose
// match features change (a new e-mail), withdrawals and comebacks.
func lifecycleStream(t *testing.T, r *rules.Rules, seed int64) []*contact.Record {
	base := synthtest.Normalized(t, r, synth.Config{N: 400, Seed: seed, DupRate: 0.8, MaxPerEntity: 6, Corruption: 0.6})
	var out []*contact.Record
	for i, rec := range base {
		out = append(out, rec)
		switch {
		case i%11 == 5 && i > 10:
			// A newer version that takes another record's match features.
			upd := *base[i-3]
			upd.UpdatedAt = upd.UpdatedAt.Add(time.Hour)
			upd.Norm = base[i-1].Norm
			upd.Emails = base[i-1].Emails
			out = append(out, &upd)
		case i%17 == 9:
			del := *base[i-2]
			del.Op = contact.OpDelete
			del.UpdatedAt = del.UpdatedAt.Add(2 * time.Hour)
			out = append(out, &del)
		case i%23 == 20:
			back := *base[i-13]
			back.UpdatedAt = back.UpdatedAt.Add(3 * time.Hour)
			out = append(out, &back)
		}
	}
	return out
}

// lifecycleViolations lists what breaks the review queue's and the masters' invariants.
func lifecycleViolations(t *testing.T, st *sqlstore.Store) []string {
	t.Helper()
	db := st.DB()
	var out []string
	for name, q := range map[string]string{
		"open item naming a master not active": `SELECT r.id || ' ' || r.kind || ' m' || r.master_id || ' c' || r.candidate_id || ' ' || m.id || ':' || m.status
FROM review_items r JOIN masters m ON m.id = r.master_id OR m.id = r.candidate_id WHERE r.status = 'open' AND m.status <> 'active'`,
		"open item of a withdrawn record": `SELECT r.id || ' ' || r.kind || ' ' || r.source_key FROM review_items r JOIN source_records s ON s.id = r.source_row_id
WHERE r.status = 'open' AND s.deleted`,
		"open item not on its record's master": `SELECT r.id || ' ' || r.kind || ' ' || r.source_key || ' m' || r.master_id || ' row m' || s.master_id FROM review_items r
JOIN source_records s ON s.id = r.source_row_id WHERE r.status = 'open' AND s.master_id <> r.master_id`,
		"open item of one master": `SELECT id || ' ' || kind FROM review_items WHERE status = 'open' AND master_id = candidate_id`,
		"two open merge items of two masters": `SELECT MIN(master_id, candidate_id) || '-' || MAX(master_id, candidate_id) || ' x' || COUNT(*) FROM review_items
WHERE status = 'open' AND kind = 'merge' GROUP BY MIN(master_id, candidate_id), MAX(master_id, candidate_id) HAVING COUNT(*) > 1`,
		"active master without live record": `SELECT m.id FROM masters m WHERE m.status = 'active' AND NOT EXISTS (SELECT 1 FROM source_records s WHERE s.master_id = m.id AND NOT s.deleted)`,
		"live record in a master not active": `SELECT s.source || ':' || s.source_id || ' m' || m.id || ' ' || m.status FROM source_records s JOIN masters m ON m.id = s.master_id
WHERE NOT s.deleted AND m.status <> 'active'`,
		"last change event not the master's version": `SELECT m.id || ' v' || m.version || ' event v' || json_extract(o.payload, '$.version') || ' ' || json_extract(o.payload, '$.status') || '/' || m.status
FROM masters m JOIN outbox o ON o.id = (SELECT MAX(id) FROM outbox WHERE key = CAST(m.id AS TEXT))
WHERE json_extract(o.payload, '$.version') <> m.version OR json_extract(o.payload, '$.status') <> m.status`,
		"change events out of order": `SELECT a.key || ' v' || json_extract(a.payload, '$.version') || ' then v' || json_extract(b.payload, '$.version') FROM outbox a JOIN outbox b
ON b.key = a.key AND b.id = (SELECT MIN(id) FROM outbox WHERE key = a.key AND id > a.id) WHERE json_extract(b.payload, '$.version') <= json_extract(a.payload, '$.version')`,
		"merge event without its undo": `SELECT e.id || ' ' || e.master_id || '<-' || e.other_id || ' ' || COALESCE(m.status, '?') || ' into ' || COALESCE(m.merged_into, 0) || ' moved ' || COALESCE(json_array_length(e.details, '$.moved'), -1)
FROM merge_events e LEFT JOIN masters m ON m.id = e.other_id WHERE e.kind = 'merge'
AND (m.status IS NOT 'merged' OR m.merged_into IS NOT e.master_id OR COALESCE(json_array_length(e.details, '$.moved'), 0) = 0)`,
	} {
		if got := dump(t, db, q); strings.TrimSpace(got) != "" {
			out = append(out, name+":\n"+got)
		}
	}
	return out
}

// TestReviewLifecycleInvariants resolves a stream with updates, withdrawals and
// comebacks, record at a time and in batches, with and without auto_merge, and checks
// that no open review item names a master merged or retired, a withdrawn record or one
// master twice, that each master is active exactly when it has live records, and that
// each master's change events come in version order, ending at its current version.
func TestReviewLifecycleInvariants(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct{ am, oi bool }{{false, false}, {true, false}, {true, true}} {
		for _, oneByOne := range []bool{true, false} {
			t.Run(fmt.Sprintf("auto_merge=%v/order_independent=%v/record_at_a_time=%v", c.am, c.oi, oneByOne), func(t *testing.T) {
				r := matchRules(c.am, c.oi, 0)
				recs := lifecycleStream(t, r, 5)
				rs, st := sqliteResolver(t, r)
				rs.oneByOne = oneByOne
				before := map[string]int64{}
				for i := 0; i < len(recs); i += 7 {
					batch := recs[i:min(i+7, len(recs))]
					pos := make([]string, len(batch))
					for j := range pos {
						pos[j] = fmt.Sprint("p", i+j)
					}
					if _, err := rs.ResolveBatch(ctx, batch, pos); err != nil {
						t.Fatal(err)
					}
					now := rowMasters(t, st)
					for k, m := range before {
						if n, ok := now[k]; ok && n != m && survivorOf(t, st, m) != n {
							t.Errorf("after record %d: %s moved from master %d to %d, not its survivor %d", i, k, m, n, survivorOf(t, st, m))
						}
					}
					before = now
				}
				for _, v := range lifecycleViolations(t, st) {
					t.Error(v)
				}
			})
		}
	}
}

// rowMasters returns the masters of the live source records by key.
func rowMasters(t *testing.T, st *sqlstore.Store) map[string]int64 {
	t.Helper()
	rows, err := st.DB().Query(`SELECT source || ':' || source_id, master_id FROM source_records WHERE NOT deleted`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var k string
		var m int64
		if err := rows.Scan(&k, &m); err != nil {
			t.Fatal(err)
		}
		out[k] = m
	}
	return out
}

// survivorOf follows a master's merges to the master it stands for now.
func survivorOf(t *testing.T, st *sqlstore.Store, id int64) int64 {
	t.Helper()
	for range maxMergeChain {
		var into int64
		if err := st.DB().QueryRow(`SELECT COALESCE(merged_into, 0) FROM masters WHERE id = ?`, id).Scan(&into); err != nil {
			t.Fatal(err)
		}
		if into == 0 {
			return id
		}
		id = into
	}
	return -1
}
