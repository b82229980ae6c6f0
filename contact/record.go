package contact

import "time"

// Op says what an upstream system did to a source record.
type Op string

// Ops a record can carry. The empty Op means OpUpsert.
const (
	OpUpsert Op = "upsert"
	OpDelete Op = "delete"
)

// Kind says what a record describes.
type Kind string

// Kinds of record. The empty Kind means KindPerson.
const (
	KindPerson  Kind = "person"
	KindCompany Kind = "company"
)

// Record is one source record: one version of one contact as one upstream system sent it.
// Source and SourceID identify it; the JSON field names are the wire format of
// ARCHITECTURE.md. Unknown JSON fields are kept in Attributes.
//
// The raw fields are never modified by the pipeline: normalizers write into Norm.
type Record struct {
	Source     string         `json:"source"`
	SourceID   string         `json:"source_id"`
	UpdatedAt  time.Time      `json:"updated_at,omitzero"`
	Op         Op             `json:"op,omitempty"`
	Kind       Kind           `json:"kind,omitempty"`
	Civility   string         `json:"civility,omitempty"`
	GivenName  string         `json:"given_name,omitempty"`
	FamilyName string         `json:"family_name,omitempty"`
	FullName   string         `json:"full_name,omitempty"`
	JobTitle   string         `json:"job_title,omitempty"`
	Emails     []string       `json:"emails,omitempty"`
	Phones     []string       `json:"phones,omitempty"`
	Address    *Address       `json:"address,omitempty"`
	Company    *Company       `json:"company,omitempty"`
	BirthDate  string         `json:"birth_date,omitempty"`
	Attributes map[string]any `json:"attributes,omitempty"`

	// Norm is the normalized form, filled by the normalize stages; nil before.
	Norm *Normalized `json:"normalized,omitempty"`
}

// Address is a postal address as sent upstream.
type Address struct {
	Lines    []string `json:"lines,omitempty"`
	Postcode string   `json:"postcode,omitempty"`
	City     string   `json:"city,omitempty"`
	Region   string   `json:"region,omitempty"`
	Country  string   `json:"country,omitempty"`
}

// Company is the company a contact belongs to, as sent upstream.
type Company struct {
	Name    string `json:"name,omitempty"`
	SIREN   string `json:"siren,omitempty"`
	SIRET   string `json:"siret,omitempty"`
	VAT     string `json:"vat,omitempty"`
	LEI     string `json:"lei,omitempty"`
	DUNS    string `json:"duns,omitempty"`
	Website string `json:"website,omitempty"`
}

// Key is the record's identity across versions: "source:source_id". It is the Kafka
// message key, so that all versions of one source record stay in order.
func (r *Record) Key() string { return r.Source + ":" + r.SourceID }

// EffectiveOp returns r.Op with the empty value read as OpUpsert.
func (r *Record) EffectiveOp() Op {
	if r.Op == "" {
		return OpUpsert
	}
	return r.Op
}

// EffectiveKind returns r.Kind with the empty value read as KindPerson.
func (r *Record) EffectiveKind() Kind {
	if r.Kind == "" {
		return KindPerson
	}
	return r.Kind
}
