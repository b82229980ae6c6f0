package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"

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
		{&st.SourceRecords, `SELECT COUNT(*) FROM source_records WHERE deleted = FALSE`},
		{&st.Deleted, `SELECT COUNT(*) FROM source_records WHERE deleted = TRUE`},
		{&st.Masters, `SELECT COUNT(*) FROM masters WHERE status = 'active'`},
		{&st.MultiMasters, `SELECT COUNT(*) FROM (SELECT master_id FROM source_records WHERE deleted = FALSE GROUP BY master_id HAVING COUNT(*) > 1) x`},
		{&st.ReviewOpen, `SELECT COUNT(*) FROM review_items WHERE status = 'open'`},
		{&st.DeadLetters, `SELECT COUNT(*) FROM dead_letters`},
		{&st.OutboxPending, `SELECT COUNT(*) FROM outbox WHERE published_at IS NULL`},
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

func (s *Store) fieldStats(ctx context.Context, st *warehouse.Stats) error {
	rows, err := s.db.QueryContext(ctx, `SELECT record FROM source_records WHERE deleted = FALSE`)
	if err != nil {
		return fmt.Errorf("stats: %w", err)
	}
	defer rows.Close()
	var qualitySum, n int64
	for rows.Next() {
		var raw []byte
		if err := rows.Scan(&raw); err != nil {
			return err
		}
		var r contact.Record
		if err := json.Unmarshal(raw, &r); err != nil || r.Norm == nil {
			continue
		}
		n++
		qualitySum += int64(r.Norm.Quality)
		for _, nf := range fieldsOf(r.Norm) {
			f := nf.Field
			m := st.FieldStatuses[nf.name]
			if m == nil {
				m = map[string]int64{}
				st.FieldStatuses[nf.name] = m
			}
			m[string(f.Status)]++
			for _, code := range f.Issues {
				st.IssueCodes[code]++
			}
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
	for _, e := range n.Emails {
		out = append(out, namedField{"email", e.Field})
	}
	for _, p := range n.Phones {
		out = append(out, namedField{"phone", p.Field})
	}
	return out
}
