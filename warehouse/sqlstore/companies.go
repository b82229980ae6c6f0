package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/steward-crm/steward/warehouse"
)

var _ warehouse.Registry = (*Store)(nil)

// companyCols are the columns of a registry entry, in warehouse.Company's order (siret
// holds the key), then mapped_siret: the SIRET of an entry keyed otherwise (see
// mappedSIRET).
const companyCols = `siret, siren, lei, vat, name, name_key, postcode, city, country, naf, size_band, legal_form, head_office, closed, domain, mapped_siret`

// insertCols are companyCols and name_token.
const insertCols = companyCols + `, name_token`

// companyChunk is the number of rows per INSERT: 17 columns × 1000 rows stays below
// SQLite's 32766 bound variables and PostgreSQL's 65535.
const companyChunk = 1000

// UpsertCompanies implements warehouse.Registry: multi-row INSERT ... ON CONFLICT
// statements of up to companyChunk rows and the checkpoint, in one transaction.
func (s *Store) UpsertCompanies(ctx context.Context, cs []warehouse.Company, cp warehouse.ImportCheckpoint) error {
	tx, err := s.db.BeginTx(ctx, s.d.TxOptions)
	if err != nil {
		return fmt.Errorf("upsert companies: %w", err)
	}
	defer tx.Rollback()
	if s.d.Name == "sqlite" {
		// A bulk load into five indexes spills SQLite's default 2 MiB page cache to disk
		// at every batch; 64 MiB keeps the hot index pages in memory (per connection:
		// SQLite's warehouse has one).
		if _, err := tx.ExecContext(ctx, `PRAGMA cache_size = -65536`); err != nil {
			return fmt.Errorf("upsert companies: %w", err)
		}
	}
	var full *sql.Stmt
	args := make([]any, 0, companyChunk*17)
	for len(cs) > 0 {
		chunk := dedupeKeys(cs[:min(companyChunk, len(cs))])
		cs = cs[min(companyChunk, len(cs)):]
		args = args[:0]
		for i := range chunk {
			c := &chunk[i]
			args = append(args, c.Key, c.SIREN, c.LEI, c.VAT, c.Name, c.NameKey, c.Postcode, c.City, c.Country,
				c.NAF, c.SizeBand, c.LegalForm, c.HeadOffice, c.Closed, c.Domain, mappedSIRET(c), firstToken(c.NameKey))
		}
		if len(chunk) == companyChunk {
			if full == nil {
				if full, err = tx.PrepareContext(ctx, s.upsertCompaniesSQL(companyChunk)); err != nil {
					return fmt.Errorf("upsert companies: prepare: %w", err)
				}
				defer full.Close()
			}
			_, err = full.ExecContext(ctx, args...)
		} else {
			_, err = tx.ExecContext(ctx, s.upsertCompaniesSQL(len(chunk)), args...)
		}
		if err != nil {
			return fmt.Errorf("upsert companies: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, s.d.rebind(`INSERT INTO registry_imports
		(file, format, size, mod_time, byte_offset, line, rows, invalid, done, bulk, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (file) DO UPDATE SET format = excluded.format, size = excluded.size, mod_time = excluded.mod_time,
		byte_offset = excluded.byte_offset, line = excluded.line, rows = excluded.rows,
		invalid = excluded.invalid, done = excluded.done, bulk = excluded.bulk, updated_at = excluded.updated_at`),
		cp.File, cp.Format, cp.Size, cp.ModTime, cp.Offset, cp.Line, cp.Rows, cp.Invalid, cp.Done, cp.Bulk, time.Now().UTC()); err != nil {
		return fmt.Errorf("save import checkpoint: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("upsert companies: commit: %w", err)
	}
	return nil
}

// dedupeKeys keeps the last of rows sharing a key (PostgreSQL refuses to update one row
// twice in a statement). It returns cs itself when keys are distinct, the common case.
func dedupeKeys(cs []warehouse.Company) []warehouse.Company {
	seen := make(map[string]int, len(cs))
	dup := false
	for i, c := range cs {
		if _, ok := seen[c.Key]; ok {
			dup = true
		}
		seen[c.Key] = i
	}
	if !dup {
		return cs
	}
	out := make([]warehouse.Company, 0, len(seen))
	for i, c := range cs {
		if seen[c.Key] == i {
			out = append(out, c)
		}
	}
	return out
}

func (s *Store) upsertCompaniesSQL(n int) string {
	var b strings.Builder
	b.WriteString("INSERT INTO companies (" + insertCols + ") VALUES ")
	row := "(" + placeholders(17) + ")"
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(row)
	}
	b.WriteString(` ON CONFLICT (siret) DO UPDATE SET siren = excluded.siren, lei = excluded.lei, vat = excluded.vat,
		name = excluded.name, name_key = excluded.name_key, name_token = excluded.name_token, postcode = excluded.postcode, city = excluded.city,
		country = excluded.country, naf = excluded.naf, size_band = excluded.size_band,
		legal_form = excluded.legal_form, head_office = excluded.head_office, closed = excluded.closed,
		domain = excluded.domain, mapped_siret = excluded.mapped_siret`)
	return s.d.rebind(b.String())
}

// ImportCheckpoint implements warehouse.Registry.
func (s *Store) ImportCheckpoint(ctx context.Context, file string) (warehouse.ImportCheckpoint, bool, error) {
	cp := warehouse.ImportCheckpoint{File: file}
	err := s.db.QueryRowContext(ctx, s.d.rebind(`SELECT format, size, mod_time, byte_offset, line, rows, invalid, done, bulk
		FROM registry_imports WHERE file = ?`), file).
		Scan(&cp.Format, &cp.Size, &cp.ModTime, &cp.Offset, &cp.Line, &cp.Rows, &cp.Invalid, &cp.Done, &cp.Bulk)
	if err == sql.ErrNoRows {
		return cp, false, nil
	}
	if err != nil {
		return cp, false, fmt.Errorf("read import checkpoint: %w", err)
	}
	return cp, true, nil
}

// CountCompanies implements warehouse.Registry.
func (s *Store) CountCompanies(ctx context.Context) (int64, error) {
	var n int64
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM companies`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count companies: %w", err)
	}
	return n, nil
}

// AnyCompany implements warehouse.Registry.
func (s *Store) AnyCompany(ctx context.Context) (bool, error) {
	var some bool
	if err := s.reader().QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM companies)`).Scan(&some); err != nil {
		return false, fmt.Errorf("registry any company: %w", err)
	}
	return some, nil
}

// CompanyBySIRET implements warehouse.Registry: the entry keyed by the SIRET, else the
// first by key of those holding it in mapped_siret (two reads by index when the first
// finds nothing; each is one probe).
func (s *Store) CompanyBySIRET(ctx context.Context, siret string) (warehouse.Company, bool, error) {
	c, ok, err := s.CompanyByKey(ctx, siret)
	if err != nil || ok && c.SIRET == siret {
		return c, ok, err
	}
	cs, err := s.queryCompanies(ctx, `WHERE mapped_siret = ? AND mapped_siret <> '' ORDER BY siret LIMIT 1`, siret)
	if err != nil || len(cs) == 0 {
		return warehouse.Company{}, false, err
	}
	return cs[0], true, nil
}

// CompanyByKey implements warehouse.Registry.
func (s *Store) CompanyByKey(ctx context.Context, key string) (warehouse.Company, bool, error) {
	cs, err := s.queryCompanies(ctx, `WHERE siret = ?`, key)
	if err != nil || len(cs) == 0 {
		return warehouse.Company{}, false, err
	}
	return cs[0], true, nil
}

// CompaniesBySIREN implements warehouse.Registry.
func (s *Store) CompaniesBySIREN(ctx context.Context, siren string) ([]warehouse.Company, error) {
	return s.queryCompanies(ctx, `WHERE siren = ? ORDER BY head_office DESC, siret LIMIT 500`, siren)
}

// CompaniesByLEI implements warehouse.Registry.
func (s *Store) CompaniesByLEI(ctx context.Context, lei string) ([]warehouse.Company, error) {
	return s.queryCompanies(ctx, `WHERE lei = ? AND lei <> '' ORDER BY head_office DESC, siret LIMIT 100`, lei)
}

// CompanyCandidates implements warehouse.Registry: the (name_token, name_key) index, exact
// keys first, and the postcode index.
func (s *Store) CompanyCandidates(ctx context.Context, nameKey, postcode string, limit int) ([]warehouse.Company, error) {
	var out []warehouse.Company
	if nameKey != "" {
		first := firstToken(nameKey)
		exact, err := s.queryCompanies(ctx, `WHERE name_token = ? AND name_key = ? ORDER BY siret LIMIT ?`, first, nameKey, limit)
		if err != nil {
			return nil, err
		}
		prefix, err := s.queryCompanies(ctx, `WHERE name_token = ? AND name_key <> ? ORDER BY name_key, siret LIMIT ?`,
			first, nameKey, limit)
		if err != nil {
			return nil, err
		}
		out = append(exact, prefix...)
	}
	if postcode != "" {
		at, err := s.queryCompanies(ctx, `WHERE postcode = ? ORDER BY siret LIMIT ?`, postcode, limit)
		if err != nil {
			return nil, err
		}
		out = append(out, at...)
	}
	return out, nil
}

func (s *Store) queryCompanies(ctx context.Context, where string, args ...any) ([]warehouse.Company, error) {
	rows, err := s.reader().QueryContext(ctx, s.d.rebind(`SELECT `+companyCols+` FROM companies `+where), args...)
	if err != nil {
		return nil, fmt.Errorf("registry lookup: %w", err)
	}
	defer rows.Close()
	var out []warehouse.Company
	for rows.Next() {
		var c warehouse.Company
		var mapped string
		if err := rows.Scan(&c.Key, &c.SIREN, &c.LEI, &c.VAT, &c.Name, &c.NameKey, &c.Postcode, &c.City, &c.Country,
			&c.NAF, &c.SizeBand, &c.LegalForm, &c.HeadOffice, &c.Closed, &c.Domain, &mapped); err != nil {
			return nil, fmt.Errorf("registry lookup: %w", err)
		}
		switch {
		case mapped != "":
			c.SIRET = mapped
		case len(c.Key) == 14 && c.SIREN != "" && strings.HasPrefix(c.Key, c.SIREN):
			c.SIRET = c.Key
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("registry lookup: %w", err)
	}
	return out, nil
}

// DomainOwners implements warehouse.Registry.
func (s *Store) DomainOwners(ctx context.Context, domain string) (map[string]int, error) {
	rows, err := s.reader().QueryContext(ctx, s.d.rebind(`SELECT owner, seen FROM company_domains WHERE domain = ?`), domain)
	if err != nil {
		return nil, fmt.Errorf("domain owners: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var o string
		var n int
		if err := rows.Scan(&o, &n); err != nil {
			return nil, fmt.Errorf("domain owners: %w", err)
		}
		out[o] = n
	}
	return out, rows.Err()
}

// LearnDomain implements warehouse.Registry.
func (s *Store) LearnDomain(ctx context.Context, domain, owner string) error {
	_, err := s.db.ExecContext(ctx, s.d.rebind(`INSERT INTO company_domains (domain, owner, seen) VALUES (?, ?, 1)
		ON CONFLICT (domain, owner) DO UPDATE SET seen = company_domains.seen + 1`), domain, owner)
	if err != nil {
		return fmt.Errorf("learn domain: %w", err)
	}
	return nil
}

// mappedSIRET is what column mapped_siret holds: c's SIRET when its key is another, ""
// when its key is its SIRET (read back from the key: the column stays empty on the
// millions of rows of a SIRENE import, and rows stored before it need no rewrite).
func mappedSIRET(c *warehouse.Company) string {
	if c.SIRET == c.Key {
		return ""
	}
	return c.SIRET
}

// firstToken returns the first space-separated token of a name key.
func firstToken(key string) string {
	t, _, _ := strings.Cut(key, " ")
	return t
}

// companyIndexes are the secondary indexes of companies, as migrations 1, 2 and 13
// create them, by name.
var companyIndexes = [][2]string{
	{"companies_siren", "CREATE INDEX IF NOT EXISTS companies_siren ON companies(siren)"},
	{"companies_name", "CREATE INDEX IF NOT EXISTS companies_name ON companies(name_token, name_key)"},
	{"companies_postcode", "CREATE INDEX IF NOT EXISTS companies_postcode ON companies(postcode)"},
	{"companies_lei", "CREATE INDEX IF NOT EXISTS companies_lei ON companies(lei) WHERE lei <> ''"},
	{"companies_mapped_siret", "CREATE INDEX IF NOT EXISTS companies_mapped_siret ON companies(mapped_siret) WHERE mapped_siret <> ''"},
}

// DropCompanyIndexes implements warehouse.Registry: a bulk load into an empty table
// without its secondary indexes, rebuilt by EnsureCompanyIndexes, is several times
// faster than maintaining its random-order B-trees row by row.
func (s *Store) DropCompanyIndexes(ctx context.Context) error {
	for _, ix := range companyIndexes {
		if _, err := s.db.ExecContext(ctx, "DROP INDEX IF EXISTS "+ix[0]); err != nil {
			return fmt.Errorf("drop index %s: %w", ix[0], err)
		}
	}
	return nil
}

// EnsureCompanyIndexes implements warehouse.Registry.
func (s *Store) EnsureCompanyIndexes(ctx context.Context) error {
	for _, ix := range companyIndexes {
		if _, err := s.db.ExecContext(ctx, ix[1]); err != nil {
			return fmt.Errorf("create index %s: %w", ix[0], err)
		}
	}
	return nil
}
