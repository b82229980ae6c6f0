package resolve

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/steward-crm/steward/internal/pgtest"
	"github.com/steward-crm/steward/pipeline/match"
	"github.com/steward-crm/steward/rules"
	"github.com/steward-crm/steward/warehouse"
	"github.com/steward-crm/steward/warehouse/postgres"
	"github.com/steward-crm/steward/warehouse/sqlstore"
)

// pauseTracer runs fn once, when the traced session is about to run Candidates' second
// statement (the candidate masters' rows), i.e. after it read the key index.
type pauseTracer struct {
	at   string
	once sync.Once
	fn   func()
}

func (p *pauseTracer) TraceQueryStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	if strings.Contains(d.SQL, p.at) {
		p.once.Do(p.fn)
	}
	return ctx
}
func (p *pauseTracer) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// TestMergeBetweenCandidateStatements: on PostgreSQL, another consumer's auto_merge (B
// into A) commits between Candidates' read of block_keys (phone key -> B) and its read
// of B's rows (none any more: they moved to A). The two are read again, and the record
// matching B's member links to the survivor A; it was compared with nothing and founded
// a second master for its entity before. Also with the merge before the reads (the
// control). (Found by a review.)
func TestMergeBetweenCandidateStatements(t *testing.T) {
	for _, at := range []string{"pg_advisory_xact_lock", "SELECT id, source, source_id, master_id, features"} {
		for _, oneByOne := range []bool{false, true} {
			t.Run(fmt.Sprint(strings.Fields(at)[0], "/record_at_a_time=", oneByOne), func(t *testing.T) {
				ctx := context.Background()
				r := rules.Default()
				url := pgtest.URL(t)
				eng, _ := match.New(r)
				st, err := postgres.Open(ctx, url)
				if err != nil {
					t.Fatal(err)
				}
				defer st.Close()
				plain := &Resolver{Store: st, Engine: eng}
				stranger := `{"source":"web","source_id":"1","given_name":"Jean","family_name":"Dupont","emails":["jean.dupont@example.org"]}`
				outs := resolveAll(t, plain, r, stranger, byPhone)
				older, younger := outs[0].MasterID, outs[1].MasterID
				if older == younger {
					t.Fatalf("one master")
				}
				var mergeErr error
				tr := &pauseTracer{at: at, fn: func() {
					mergeErr = st.InTx(ctx, func(tx warehouse.Tx) error {
						return plain.merge(ctx, tx, older, younger, 1, nil, "another consumer")
					})
				}}
				cfg, err := pgx.ParseConfig(url)
				if err != nil {
					t.Fatal(err)
				}
				cfg.Tracer = tr
				traced := sqlstore.New(stdlib.OpenDB(*cfg), postgres.Dialect)
				defer traced.Close()
				rs := &Resolver{Store: traced, Engine: eng, oneByOne: oneByOne}
				samePhone := `{"source":"shop","source_id":"9","given_name":"Elodie","family_name":"Weiningkamp","phones":["+33 6 12 34 56 78"]}`
				out := resolveAll(t, rs, r, samePhone)[0]
				if mergeErr != nil {
					t.Fatal(mergeErr)
				}
				var fired bool
				tr.once.Do(func() { fired = true })
				if fired {
					t.Fatal("the merge never ran")
				}
				if out.Action != ActionLinked || out.MasterID != older {
					t.Errorf("outcome %+v; want linked to survivor %d (the record matches %s, now in %d)", out, older, "crm:2", older)
				}
			})
		}
	}
}
