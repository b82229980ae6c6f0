package company

import "context"

// Entry is one registry entry: a French establishment from SIRENE (Key = SIRET), a legal
// entity from GLEIF (Key = "LEI:" + LEI) or a row of any mapped CSV (Key from the
// mapping). Empty strings mean unknown. Its fields mirror warehouse.Company one for one,
// so that the two convert with a plain type conversion.
type Entry struct {
	// Key identifies the entry in the registry.
	Key                    string
	SIREN, SIRET, LEI, VAT string
	// Name is the registry's name; NameKey the folded name with legal forms stripped.
	Name, NameKey           string
	Postcode, City, Country string
	// NAF is the French activity code (APE, "62.01Z"); SizeBand the SIRENE staff bracket
	// code ("12" = 20 to 49 employees); LegalForm a short label ("SAS") when known.
	NAF, SizeBand, LegalForm string
	// HeadOffice marks the siège; Closed a ceased establishment (SIRENE état "F",
	// GLEIF status INACTIVE).
	HeadOffice, Closed bool
	// Domain is the company's web/e-mail domain when the registry knows it.
	Domain string
}

// Directory is what attaching a company needs from a registry. Implementations must be
// safe for concurrent use; lookups of unknown ids return ok=false or an empty slice, not
// an error (errors are infrastructure problems).
type Directory interface {
	// BySIRET returns the establishment with that SIRET, whatever its key (a mapped
	// CSV's key column): the entry keyed by the SIRET when there is one.
	BySIRET(ctx context.Context, siret string) (e Entry, ok bool, err error)
	// BySIREN returns the establishments of a SIREN (at most a few hundred, head office
	// first).
	BySIREN(ctx context.Context, siren string) ([]Entry, error)
	// ByKey returns the entry with that registry key (Entry.Key).
	ByKey(ctx context.Context, key string) (e Entry, ok bool, err error)
	// ByLEI returns the entries carrying that LEI.
	ByLEI(ctx context.Context, lei string) ([]Entry, error)
	// DomainOwners returns, for a web/e-mail domain, the SIRENs (or registry keys for
	// entries without a SIREN) seen with it and how many times.
	DomainOwners(ctx context.Context, domain string) (map[string]int, error)
	// LearnDomain records that a record attached by identifier to owner (a SIREN or
	// registry key) used domain. Idempotence is not required: counts are evidence.
	LearnDomain(ctx context.Context, domain, owner string) error
	// Candidates returns entries whose NameKey equals nameKey or starts with its first
	// token, and entries at postcode when it is not empty, at most limit of each kind.
	Candidates(ctx context.Context, nameKey, postcode string, limit int) ([]Entry, error)
}
