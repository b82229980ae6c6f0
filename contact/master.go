package contact

import "time"

// Master is a golden record: the best view of one real person (or company), built by
// survivorship from the source records linked to it. ID never changes while its records
// stay together; when two masters merge the older ID survives.
type Master struct {
	ID         int64     `json:"id"`
	Version    int       `json:"version"`
	Status     string    `json:"status"` // "active", "retired" (no live source record), "merged"
	MergedInto int64     `json:"merged_into,omitempty"`
	Golden     Golden    `json:"golden"`
	Quality    int       `json:"quality"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// Master statuses.
const (
	MasterActive  = "active"
	MasterRetired = "retired"
	MasterMerged  = "merged"
)

// Golden holds the surviving values of a master and where each came from.
type Golden struct {
	Kind       Kind        `json:"kind,omitempty"`
	Civility   string      `json:"civility,omitempty"`
	GivenName  string      `json:"given_name,omitempty"`
	FamilyName string      `json:"family_name,omitempty"`
	JobTitle   string      `json:"job_title,omitempty"`
	Emails     []string    `json:"emails,omitempty"`
	Phones     []string    `json:"phones,omitempty"`
	Address    NormAddress `json:"address"`
	BirthDate  string      `json:"birth_date,omitempty"`
	Company    NormCompany `json:"company"`
	// Provenance maps a golden field name to the source record key ("source:source_id")
	// its value came from.
	Provenance map[string]string `json:"provenance,omitempty"`
	// Sources lists the keys of the live source records behind the master.
	Sources []string `json:"sources,omitempty"`
}
