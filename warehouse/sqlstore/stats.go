package sqlstore

import (
	"context"
	"fmt"
	"runtime"
	"sync"

	"github.com/segmentio/encoding/json"
	"github.com/steward-crm/steward/contact"
	"github.com/steward-crm/steward/warehouse"
)

// Stats counts rows, and field statuses and issue codes over the live source records.
func (s *Store) Stats(ctx context.Context) (warehouse.Stats, error) {
	st := warehouse.Stats{Events: map[string]int64{}, ReviewByKind: map[string]int64{}, FieldStatuses: map[string]map[string]int64{}, IssueCodes: map[string]int64{}}
	counts := []struct {
		dst *int64
		q   string
	}{
		{&st.Deleted, `SELECT COUNT(*) FROM source_records WHERE deleted = TRUE`},
		{&st.Masters, `SELECT COUNT(*) FROM masters WHERE status = 'active'`},
		{&st.MultiMasters, `SELECT COUNT(*) FROM (SELECT master_id FROM source_records WHERE deleted = FALSE AND master_id IS NOT NULL GROUP BY master_id HAVING COUNT(*) > 1) x`},
		{&st.ReviewOpen, `SELECT COUNT(*) FROM review_items WHERE status = 'open'`},
		{&st.DeadLetters, `SELECT COUNT(*) FROM dead_letters`},
		{&st.OutboxPending, `SELECT COUNT(*) FROM outbox WHERE published_at IS NULL`},
	}
	var err error
	if st.SourceRecords, err = s.LiveSourceRecords(ctx); err != nil {
		return st, fmt.Errorf("stats: %w", err)
	}
	for _, c := range counts {
		if err := s.db.QueryRowContext(ctx, c.q).Scan(c.dst); err != nil {
			return st, fmt.Errorf("stats: %w", err)
		}
	}
	if err := s.countBy(ctx, `SELECT kind, COUNT(*) FROM merge_events GROUP BY kind`, st.Events); err != nil {
		return st, err
	}
	if err := s.countBy(ctx, `SELECT kind, COUNT(*) FROM review_items WHERE status = 'open' GROUP BY kind`, st.ReviewByKind); err != nil {
		return st, err
	}
	return st, s.fieldStats(ctx, &st)
}

// LiveSourceRecords counts the source records not withdrawn.
func (s *Store) LiveSourceRecords(ctx context.Context) (int64, error) {
	var n int64
	if err := s.reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM source_records WHERE deleted = FALSE`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count source records: %w", err)
	}
	return n, nil
}

// countBy runs a "SELECT key, COUNT(*) ... GROUP BY key" query into m.
func (s *Store) countBy(ctx context.Context, q string, m map[string]int64) error {
	rows, err := s.db.QueryContext(ctx, q)
	if err != nil {
		return fmt.Errorf("stats: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k string
		var n int64
		if err := rows.Scan(&k, &n); err != nil {
			return fmt.Errorf("stats: %w", err)
		}
		m[k] = n
	}
	return rows.Err()
}

// addStatus adds k to the count of field name's status in m.
func addStatus(m map[string]map[string]int64, name, status string, k int64) {
	byStatus := m[name]
	if byStatus == nil {
		byStatus = map[string]int64{}
		m[name] = byStatus
	}
	byStatus[status] += k
}

// fieldStats counts the field statuses, issue codes and quality of the live records:
// one reader, the records decoded on every core with the faster decoder (`steward
// stats` on a million records: 17.5 s against 26 s decoding on the reader's goroutine
// with encoding/json).
func (s *Store) fieldStats(ctx context.Context, st *warehouse.Stats) error {
	rows, err := s.db.QueryContext(ctx, `SELECT record FROM source_records WHERE deleted = FALSE`)
	if err != nil {
		return fmt.Errorf("stats: %w", err)
	}
	defer rows.Close()
	type counts struct {
		statuses      map[string]map[string]int64
		issues        map[string]int64
		qualitySum, n int64
	}
	work := make(chan [][]byte, 4)
	parts := make([]counts, max(1, runtime.GOMAXPROCS(0)))
	var wg sync.WaitGroup
	for i := range parts {
		c := &parts[i]
		c.statuses, c.issues = map[string]map[string]int64{}, map[string]int64{}
		wg.Go(func() {
			for chunk := range work {
				for _, raw := range chunk {
					var r contact.Record
					if err := json.Unmarshal(raw, &r); err != nil || r.Norm == nil {
						continue
					}
					c.n++
					c.qualitySum += int64(r.Norm.Quality)
					for _, nf := range fieldsOf(r.Norm) {
						addStatus(c.statuses, nf.name, string(nf.Status), 1)
						for _, code := range nf.Issues {
							c.issues[code]++
						}
					}
				}
			}
		})
	}
	const chunkSize = 256
	chunk := make([][]byte, 0, chunkSize)
	var scanErr error
	for rows.Next() {
		var raw []byte
		if scanErr = rows.Scan(&raw); scanErr != nil {
			break
		}
		if chunk = append(chunk, raw); len(chunk) == chunkSize {
			work <- chunk
			chunk = make([][]byte, 0, chunkSize)
		}
	}
	if len(chunk) > 0 {
		work <- chunk
	}
	close(work)
	wg.Wait()
	if scanErr != nil {
		return fmt.Errorf("stats: %w", scanErr)
	}
	var qualitySum, n int64
	for _, c := range parts {
		qualitySum, n = qualitySum+c.qualitySum, n+c.n
		for name, m := range c.statuses {
			for status, k := range m {
				addStatus(st.FieldStatuses, name, status, k)
			}
		}
		for code, k := range c.issues {
			st.IssueCodes[code] += k
		}
	}
	if n > 0 {
		st.AverageQuality = float64(qualitySum) / float64(n)
	}
	return rows.Err()
}

type namedField struct {
	name string
	contact.Field
}

// fieldsOf lists the labelled fields of a normalized record; multi-valued fields give one
// entry per value.
func fieldsOf(n *contact.Normalized) []namedField {
	out := []namedField{
		{"civility", n.Civility}, {"given_name", n.GivenName}, {"family_name", n.FamilyName},
		{"birth_date", n.BirthDate}, {"street", n.Address.Street}, {"postcode", n.Address.Postcode},
		{"city", n.Address.City}, {"country", n.Address.Country}, {"company_name", n.Company.Name},
		{"siren", n.Company.SIREN}, {"siret", n.Company.SIRET}, {"vat", n.Company.VAT},
	}
	// E-mails and phones count each value, and a record without any as missing (it
	// counted nothing: "missing 0" whatever the records lacked, and the row vanished
	// when no record had one).
	for _, e := range n.Emails {
		out = append(out, namedField{"email", e.Field})
	}
	if len(n.Emails) == 0 {
		out = append(out, namedField{"email", contact.Missing()})
	}
	for _, p := range n.Phones {
		out = append(out, namedField{"phone", p.Field})
	}
	if len(n.Phones) == 0 {
		out = append(out, namedField{"phone", contact.Missing()})
	}
	return out
}
