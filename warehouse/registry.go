package warehouse

import "context"

// Company is one registry entry in table companies: a French establishment (Key =
// SIRET), a GLEIF legal entity (Key = "LEI:" + LEI) or a mapped CSV row (Key = its key
// column's, else the SIRET, else "LEI:" + LEI; its SIRET is kept whatever its key).
// Empty strings are unknown. Its fields mirror pipeline/company.Entry one for one (the
// two convert with a type conversion; warehouse does not import pipeline).
type Company struct {
	Key                      string
	SIREN, SIRET, LEI, VAT   string
	Name, NameKey            string
	Postcode, City, Country  string
	NAF, SizeBand, LegalForm string
	HeadOffice, Closed       bool
	Domain                   string
}

// ImportCheckpoint is the progress of one registry file import, saved in the same
// transaction as each batch of companies so that an interrupted import resumes after
// the last committed batch.
type ImportCheckpoint struct {
	// File identifies the file (its absolute path); Size is its size and ModTime its
	// modification time (Unix nanoseconds; 0 in checkpoints saved before 2026-12-06)
	// when the import started: a file of another size or time starts over (one edited in
	// place to the same size was taken for the one imported, its changes lost).
	File, Format string
	Size         int64
	ModTime      int64
	// Offset is the byte offset after the last committed row; Line the file's line that
	// row ends on (quoted fields holding newlines, and blank lines, count).
	Offset, Line int64
	// Rows are the companies written, Invalid the rows rejected, so far.
	Rows, Invalid int64
	Done          bool
	// Bulk marks an import that started on an empty registry: it runs without the
	// secondary indexes, resumption included.
	Bulk bool
}

// Registry is the company registry: batched imports and the lookups that attaching a
// company to a contact needs. Implementations are safe for concurrent use. Lookups of
// unknown ids return ok=false or empty results, not errors.
type Registry interface {
	// UpsertCompanies inserts or replaces companies by Key and saves cp, in one
	// transaction.
	UpsertCompanies(ctx context.Context, cs []Company, cp ImportCheckpoint) error
	// ImportCheckpoint returns the saved checkpoint of a file.
	ImportCheckpoint(ctx context.Context, file string) (ImportCheckpoint, bool, error)
	// DropCompanyIndexes drops the secondary indexes for a bulk load into an empty
	// registry; EnsureCompanyIndexes (idempotent) creates them again. Lookups work
	// without them, slowly.
	DropCompanyIndexes(ctx context.Context) error
	EnsureCompanyIndexes(ctx context.Context) error
	// CountCompanies returns the number of registry entries.
	CountCompanies(ctx context.Context) (int64, error)
	// AnyCompany reports whether the registry holds an entry (it stops at the first row,
	// where a count reads them all).
	AnyCompany(ctx context.Context) (bool, error)

	// CompanyBySIRET returns the establishment of a SIRET: the entry keyed by it, else
	// (none) the first by key of the entries holding it beside a key of their own (a
	// mapped CSV's key column).
	CompanyBySIRET(ctx context.Context, siret string) (Company, bool, error)
	// CompanyByKey returns the entry of a registry key (Company.Key).
	CompanyByKey(ctx context.Context, key string) (Company, bool, error)
	// CompaniesBySIREN returns a SIREN's establishments, head office first.
	CompaniesBySIREN(ctx context.Context, siren string) ([]Company, error)
	CompaniesByLEI(ctx context.Context, lei string) ([]Company, error)
	// CompanyCandidates returns entries whose NameKey equals nameKey or starts with its
	// first token, and entries at postcode (when not empty), at most limit of each.
	CompanyCandidates(ctx context.Context, nameKey, postcode string, limit int) ([]Company, error)
	// DomainOwners returns the owners (SIRENs, or keys) seen with a domain and how often.
	DomainOwners(ctx context.Context, domain string) (map[string]int, error)
	// LearnDomain counts one more sighting of domain with owner.
	LearnDomain(ctx context.Context, domain, owner string) error
}
