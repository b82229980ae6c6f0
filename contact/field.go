package contact

// Status labels what normalization made of a field.
type Status string

// Statuses of a normalized field.
const (
	// StatusValid: the input was already clean, or only cosmetically reformatted.
	StatusValid Status = "valid"
	// StatusCorrected: the input was usable after a correction (case, spacing, expansion...).
	StatusCorrected Status = "corrected"
	// StatusInvalid: the input is present but unusable; Value holds the trimmed input.
	StatusInvalid Status = "invalid"
	// StatusMissing: there was no input.
	StatusMissing Status = "missing"
)

// Field is one normalized value with its status and issue codes (e.g. "phone.too_short").
type Field struct {
	Value  string   `json:"value,omitempty"`
	Status Status   `json:"status"`
	Issues []string `json:"issues,omitempty"`
}

// Usable reports whether the value can be compared and shown: valid or corrected.
func (f Field) Usable() bool { return f.Status == StatusValid || f.Status == StatusCorrected }

// Normalized is the normalized form of a Record. Keys (folded, phonetic, comparison) sit
// beside display values so that matching never compares display strings.
type Normalized struct {
	Civility   Field `json:"civility"`
	GivenName  Field `json:"given_name"`
	FamilyName Field `json:"family_name"`
	// GivenKey and FamilyKey are folded (no accents, lower case, letters and spaces only).
	GivenKey  string `json:"given_key,omitempty"`
	FamilyKey string `json:"family_key,omitempty"`
	// FamilyPhonetic is a phonetic code of FamilyKey, for blocking.
	FamilyPhonetic string `json:"family_phonetic,omitempty"`

	Emails    []Email     `json:"emails,omitempty"`
	Phones    []Phone     `json:"phones,omitempty"`
	Address   NormAddress `json:"address"`
	BirthDate Field       `json:"birth_date"`
	Company   NormCompany `json:"company"`

	// Quality is the record quality score, 0–100.
	Quality int `json:"quality"`
	// Enrichment holds attributes derived by the enrich stages (nil before them).
	Enrichment *Enrichment `json:"enrichment,omitempty"`
}

// Email is a normalized e-mail address.
type Email struct {
	Field
	// Key is the comparison key (for gmail-like providers dots and +tags folded; a known
	// misspelt domain replaced by its suggestion, while Domain stays as written).
	Key    string `json:"key,omitempty"`
	Domain string `json:"domain,omitempty"`
	// Class is "corporate", "freemail", "disposable" or "role" when known.
	Class string `json:"class,omitempty"`
}

// Phone is a normalized phone number.
type Phone struct {
	Field
	// Value holds E.164 when usable.
	Type      string `json:"type,omitempty"`
	Region    string `json:"region,omitempty"`
	Extension string `json:"extension,omitempty"`
}

// NormAddress is a normalized postal address.
type NormAddress struct {
	Lines    []string `json:"lines,omitempty"`
	Street   Field    `json:"street"`
	Number   string   `json:"number,omitempty"`
	Postcode Field    `json:"postcode"`
	City     Field    `json:"city"`
	// CityKey is the folded city, for comparison.
	CityKey string `json:"city_key,omitempty"`
	// Region is the state or region code where the postal format needs it (US: "IL").
	Region string `json:"region,omitempty"`
	// Country is ISO 3166-1 alpha-2.
	Country Field `json:"country"`
}

// NormCompany is the normalized company of a contact, with the identifiers attached to it.
type NormCompany struct {
	Name Field `json:"name"`
	// NameKey is the folded name with legal forms stripped.
	NameKey string `json:"name_key,omitempty"`
	SIREN   Field  `json:"siren"`
	SIRET   Field  `json:"siret"`
	VAT     Field  `json:"vat"`
	LEI     Field  `json:"lei"`
	Domain  string `json:"domain,omitempty"`
	// Confidence and Explanation describe an identifier attached from the registry.
	Confidence  float64 `json:"confidence,omitempty"`
	Explanation string  `json:"explanation,omitempty"`

	// The fields below are set by stage company.attach when a registry entry is attached
	// as fact (Confidence ≥ the rules' attach_confidence).

	// AttachedBy says how: "siret", "siren", "lei", "domain" (learned domain), "name", or
	// "domain_name" (a name read in the domain).
	AttachedBy string `json:"attached_by,omitempty"`
	// RegistryKey is the attached registry entry's key (a SIRET, "LEI:"+LEI...).
	RegistryKey string `json:"registry_key,omitempty"`
	// NAF is the activity code (APE), SizeBand the SIRENE staff bracket, LegalForm the
	// legal form ("SAS"): from the registry, else the form found in the name.
	NAF       string `json:"naf,omitempty"`
	SizeBand  string `json:"size_band,omitempty"`
	LegalForm string `json:"legal_form,omitempty"`
	// HeadOffice marks an attached head office (siège); Closed a ceased establishment.
	HeadOffice bool `json:"head_office,omitempty"`
	Closed     bool `json:"closed,omitempty"`
	// Suggested is a low-confidence attachment, not written as fact: a steward should
	// confirm it (the name field carries issue "company.attach_suggested").
	Suggested *CompanySuggestion `json:"suggested,omitempty"`
}

// CompanySuggestion is a registry entry proposed for a contact's company with too little
// confidence to be attached automatically.
type CompanySuggestion struct {
	RegistryKey string  `json:"registry_key"`
	SIREN       string  `json:"siren,omitempty"`
	SIRET       string  `json:"siret,omitempty"`
	Name        string  `json:"name"`
	Confidence  float64 `json:"confidence"`
	Explanation string  `json:"explanation"`
}

// Enrichment holds attributes derived from a normalized record by the enrich stages.
// Empty fields are unknown.
type Enrichment struct {
	// PhoneTimezones are the IANA time zones of the first usable phone ("Europe/Paris").
	PhoneTimezones []string `json:"phone_timezones,omitempty"`
	// PhoneType and PhoneRegion repeat the first usable phone's type and region.
	PhoneType   string `json:"phone_type,omitempty"`
	PhoneRegion string `json:"phone_region,omitempty"`
	// EmailClass is the class of the first usable e-mail (corporate, freemail,
	// disposable, role).
	EmailClass string `json:"email_class,omitempty"`
	// Country (ISO alpha-2), Departement (FR: "75", "2A", "971") and Region (FR région
	// name) from the address.
	Country     string `json:"country,omitempty"`
	Departement string `json:"departement,omitempty"`
	Region      string `json:"region,omitempty"`
	// Lifecycle is prospect, new, active, at_risk, inactive or lost, from the activity
	// attributes (last_order_at, first_order_at, orders_count); "" without them.
	Lifecycle string `json:"lifecycle,omitempty"`
	// RFM is the recency, frequency and monetary score, each 1–5 ("545"); "" without
	// orders. DaysSinceOrder is the recency it was computed from.
	RFM            string `json:"rfm,omitempty"`
	DaysSinceOrder int    `json:"days_since_order,omitempty"`
}

// Missing returns a Field with StatusMissing.
func Missing() Field { return Field{Status: StatusMissing} }
