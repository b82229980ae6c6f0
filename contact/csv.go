package contact

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/steward-crm/steward/fold"
)

// Mapping maps CSV column names to record fields. Field paths: source, source_id,
// updated_at, op, kind, civility, given_name, family_name, full_name, job_title,
// birth_date, email, phone (repeatable: each mapped column adds a value),
// address.line (repeatable), address.postcode, address.city, address.region,
// address.country, company.name, company.siren, company.siret, company.vat, company.lei,
// company.duns, company.website, attributes.NAME, and "-" (ignore the column). Columns
// that are not mapped are kept in attributes under their own name.
type Mapping struct {
	Columns map[string]string `yaml:"columns"`
	// Source is used when no column maps to source (default: the input file's base name).
	Source string `yaml:"source"`
	// DateOrder reads an updated_at column written as a spreadsheet's date ("06/12/2026
	// 14:30", "6.12.2026", "2026/12/06 14:30:05"): "dmy" (day first), "mdy" (month
	// first) or "ymd"; a date written year first ("2026-12-06 14:30", "2026-12-06T14:30")
	// is read year, month, day in each. Empty: RFC 3339 and "YYYY-MM-DD[ HH:MM:SS]" only, as in JSON
	// input; a date that reads both ways ("06/12/2026") is not guessed, since a version
	// taken for newer than it is would replace the newer one. Times without a zone are
	// UTC.
	DateOrder string `yaml:"date_order"`
}

// DateOrders are the values of Mapping.DateOrder.
var DateOrders = []string{"dmy", "mdy", "ymd"}

// dateOrderLayouts are the Go layouts of each DateOrder, separators made slashes.
var dateOrderLayouts = map[string][]string{
	"dmy": {"2/1/2006", "2/1/2006 15:04", "2/1/2006 15:04:05"},
	"mdy": {"1/2/2006", "1/2/2006 15:04", "1/2/2006 15:04:05"},
	"ymd": {"2006/1/2", "2006/1/2 15:04", "2006/1/2 15:04:05"},
}

// parseUpdatedAt reads an updated_at cell: parseTime's forms, then the mapping's date
// order, if any.
func (m *Mapping) parseUpdatedAt(v string) (time.Time, error) {
	t, err := parseTime(v)
	if err == nil || m == nil || m.DateOrder == "" {
		return t, err
	}
	// The time after a space or a 'T' (ISO's "2026-12-06T14:30", without seconds, is
	// not parseTime's).
	date, clock := v, ""
	if i := strings.IndexAny(v, " Tt"); i >= 0 {
		date, clock = v[:i], v[i+1:]
	}
	date = strings.NewReplacer(".", "/", "-", "/").Replace(date)
	order := m.DateOrder
	if y, _, _ := strings.Cut(date, "/"); len(y) == 4 {
		// Year first ("2026-12-06 14:30", a column of ISO dates without seconds):
		// year, month, day in any order, as no day or month has four digits. Under dmy
		// and mdy it was refused.
		order = "ymd"
	}
	if clock = strings.TrimSpace(clock); clock != "" {
		date += " " + clock
	}
	for _, layout := range dateOrderLayouts[order] {
		if t, err := time.Parse(layout, date); err == nil {
			if t.Year() < 1 { // "2006" reads four digits: only year 0 is out of range
				return time.Time{}, errors.New("year out of range")
			}
			return t.UTC(), nil
		}
	}
	return time.Time{}, err
}

var mappingFields = []string{"source", "source_id", "updated_at", "op", "kind", "civility",
	"given_name", "family_name", "full_name", "job_title", "birth_date", "email", "phone",
	"address.line", "address.postcode", "address.city", "address.region", "address.country",
	"company.name", "company.siren", "company.siret", "company.vat", "company.lei",
	"company.duns", "company.website", "-"}

// aliases are the column names recognised without a mapping, folded (fold.Key: lower
// case, accents removed, "Prénom" is "prenom") with every run of other characters an
// underscore ("Code postal", "E-mail address" are code_postal, e_mail_address).
var aliases = map[string]string{
	// Exports of common CRMs, spreadsheets and French tools. A record's own id only: an
	// account's ("client_id", "customer_id"), shared by its contacts, would key them all
	// alike when it comes before "id".
	"record_id": "source_id", "contact_id": "source_id", "identifiant": "source_id",
	"email_address": "email", "e_mail_address": "email", "mail_address": "email", "courriel": "email",
	"adresse_email": "email", "adresse_mail": "email", "adresse_e_mail": "email", "work_email": "email",
	"personal_email": "email", "phone_number": "phone", "telephone_number": "phone", "mobile_phone": "phone",
	"mobile_number": "phone", "cell": "phone", "cell_phone": "phone", "work_phone": "phone", "home_phone": "phone",
	"portable": "phone", "telephone_portable": "phone", "telephone_fixe": "phone", "gsm": "phone",
	"street_address": "address.line", "address_line_1": "address.line", "address_line_2": "address.line",
	"adresse": "address.line", "adresse_1": "address.line", "adresse_2": "address.line", "rue": "address.line",
	"zip_code": "address.postcode", "zipcode": "address.postcode", "postal": "address.postcode",
	"cp": "address.postcode", "town": "address.city", "province": "address.region",
	"country_code": "address.country", "organisation": "company.name", "organization": "company.name",
	"societe": "company.name", "entreprise": "company.name", "raison_sociale": "company.name",
	"vat_number": "company.vat", "tva": "company.vat", "numero_tva": "company.vat", "birthday": "birth_date",
	"date_naissance": "birth_date", "date_de_naissance": "birth_date", "civilite": "civility",
	"nom_de_famille": "family_name", "given": "given_name", "family": "family_name", "job": "job_title",
	"fonction": "job_title", "poste": "job_title",
	// HubSpot's and Salesforce's contact exports.
	"mobile_phone_number": "phone", "state_region": "address.region", "country_region": "address.country",
	"mailing_street": "address.line", "mailing_city": "address.city", "mailing_state_province": "address.region",
	"mailing_zip_postal_code": "address.postcode", "mailing_country": "address.country", "account_name": "company.name",
	// German shops and ERPs. The house number, a column of its own there, is a line:
	// normalization joins it to its street.
	"anrede": "civility", "vorname": "given_name", "nachname": "family_name", "strasse": "address.line",
	"hausnummer": "address.line", "plz": "address.postcode", "ort": "address.city", "land": "address.country",
	"telefon": "phone", "handy": "phone", "mobil": "phone", "geburtsdatum": "birth_date", "firma": "company.name",

	"id": "source_id", "email1": "email", "email2": "email", "e_mail": "email", "mail": "email",
	"emails": "email", "phone1": "phone", "phone2": "phone", "telephone": "phone", "tel": "phone",
	"mobile": "phone", "phones": "phone", "first_name": "given_name", "firstname": "given_name",
	"prenom": "given_name", "last_name": "family_name", "lastname": "family_name", "surname": "family_name",
	"nom": "family_name", "name": "full_name", "title": "civility", "salutation": "civility",
	"address": "address.line", "address1": "address.line", "address2": "address.line",
	"address_line1": "address.line", "address_line2": "address.line", "street": "address.line",
	"postcode": "address.postcode", "zip": "address.postcode", "postal_code": "address.postcode",
	"code_postal": "address.postcode", "city": "address.city", "ville": "address.city",
	"region": "address.region", "state": "address.region", "country": "address.country", "pays": "address.country",
	"company": "company.name", "company_name": "company.name", "siren": "company.siren",
	"company_siren": "company.siren", "siret": "company.siret", "company_siret": "company.siret",
	"vat": "company.vat", "company_vat": "company.vat", "lei": "company.lei", "duns": "company.duns",
	"website": "company.website", "company_website": "company.website", "birthdate": "birth_date",
	"dob": "birth_date", "date_of_birth": "birth_date",
}

// ParseMapping reads a mapping given on the command line: "col=field,col=field".
func ParseMapping(spec string) (*Mapping, error) {
	m := &Mapping{Columns: map[string]string{}}
	for _, part := range strings.Split(spec, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		col, field, ok := strings.Cut(part, "=")
		if !ok {
			return nil, fmt.Errorf("mapping %q: want column=field", part)
		}
		m.Columns[strings.TrimSpace(col)] = strings.TrimSpace(field)
	}
	return m, m.Validate()
}

// LoadMapping reads a YAML mapping file: `columns: {col: field}` and optional `source:`.
func LoadMapping(path string) (*Mapping, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("mapping: %w", err)
	}
	var m Mapping
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true)
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("mapping %s: %v", path, err)
	}
	if err := m.Validate(); err != nil {
		return nil, fmt.Errorf("mapping %s: %w", path, err)
	}
	return &m, nil
}

// Validate rejects unknown field paths and date orders.
func (m *Mapping) Validate() error {
	if m.DateOrder != "" && !slices.Contains(DateOrders, m.DateOrder) {
		return fmt.Errorf("date_order: want %s, got %q", strings.Join(DateOrders, ", "), m.DateOrder)
	}
	for col, f := range m.Columns {
		if !slices.Contains(mappingFields, f) && !strings.HasPrefix(f, "attributes.") {
			return fmt.Errorf("column %q: unknown field %q (known: %s, attributes.NAME)", col, f, strings.Join(mappingFields, ", "))
		}
	}
	return nil
}

// Missing returns the columns the mapping names that header does not hold, sorted (nil
// for a nil mapping).
func (m *Mapping) Missing(header []string) []string {
	if m == nil {
		return nil
	}
	var out []string
	for col, f := range m.Columns {
		// A column mapped to "-" (ignored) may be absent: one mapping for exports that
		// differ in their extra columns.
		if f != "-" && !slices.Contains(header, col) {
			out = append(out, col)
		}
	}
	slices.Sort(out)
	return out
}

// headerKey folds a column or field name as aliases are keyed: fold.Key ("Prénom" is
// "prenom"), each space an underscore ("Code postal" is "code_postal").
func headerKey(h string) string { return strings.ReplaceAll(fold.Key(h), " ", "_") }

// Maps reports whether the mapping names column (nil: none).
func (m *Mapping) Maps(column string) bool {
	if m == nil {
		return false
	}
	_, ok := m.Columns[column]
	return ok
}

// Fields resolves each header column to its field path: the mapping first, then the
// record's own field names and common aliases, else "attributes.<column>".
func (m *Mapping) Fields(header []string) []string {
	out := make([]string, len(header))
	for i, h := range header {
		if m != nil {
			if f, ok := m.Columns[h]; ok {
				out[i] = f
				continue
			}
		}
		k := strings.NewReplacer(" ", "_", "-", "_").Replace(strings.ToLower(strings.TrimSpace(h)))
		a := headerKey(h)
		switch {
		case slices.Contains(mappingFields, k):
			out[i] = k
		case slices.Contains(mappingFields, a) && a != "-":
			out[i] = a
		case aliases[a] != "":
			out[i] = aliases[a]
		default:
			out[i] = "attributes." + h
		}
	}
	return out
}

// multiValued are the fields FromRow appends each mapped column to.
var multiValued = map[string]bool{"email": true, "phone": true, "address.line": true}

// FromRow builds and validates a record from one CSV row, given the fields of Fields.
// Errors are *FieldError naming the column.
func (m *Mapping) FromRow(fields, header, row []string, defaultSource string) (*Record, error) {
	if len(row) != len(fields) {
		return nil, &FieldError{Reason: fmt.Sprintf("row has %d columns, header has %d", len(row), len(fields))}
	}
	r := &Record{}
	addr := &Address{}
	co := &Company{}
	// A single-valued field is taken from its first non-empty column; another column
	// mapped to it with another value (Salutation and Title both to civility, in a CRM
	// export) is kept in attributes under its own header, not dropped.
	first := map[string]string{}
	keep := func(i int, key, v string) {
		if r.Attributes == nil {
			r.Attributes = map[string]any{}
		}
		if prev, ok := r.Attributes[key]; ok && prev != v {
			key = fmt.Sprintf("%s (column %d)", key, i+1) // a header twice
		}
		r.Attributes[key] = v
	}
	for i, f := range fields {
		v := row[i]
		if f == "-" {
			continue // an ignored column is not read: its bytes do not matter
		}
		if err := checkString(header[i], v); err != nil {
			return nil, err
		}
		if strings.TrimSpace(v) == "" {
			continue
		}
		if !utf8.ValidString(v) {
			// Decode refuses it too; json.Marshal would write U+FFFD for each bad byte.
			return nil, Invalid(header[i], "not valid UTF-8%s: is the file in another encoding (Latin-1, Windows-1252)?", utf8Where([]byte(v)))
		}
		if !utf8.ValidString(header[i]) && (strings.HasPrefix(f, "attributes.") || first[f] != "") {
			// The column's name becomes an attribute's name: json.Marshal would write
			// U+FFFD for each bad byte, and two columns would be one attribute.
			return nil, Invalid(fmt.Sprintf("column %d", i+1), "name not valid UTF-8%s: is the file in another encoding (Latin-1, Windows-1252)?", utf8Where([]byte(header[i])))
		}
		// Fields resolves every column to a record field (mappingFields) or to
		// "attributes.NAME"; the record's fields other than the lists are single-valued.
		if !strings.HasPrefix(f, "attributes.") && !multiValued[f] {
			if prev, ok := first[f]; ok {
				if prev != v {
					keep(i, header[i], v)
				}
				continue
			}
			first[f] = v
		}
		switch f {
		case "source":
			r.Source = v
		case "source_id":
			r.SourceID = v
		case "updated_at":
			t, err := m.parseUpdatedAt(strings.TrimSpace(v))
			switch {
			case err != nil && m != nil && m.DateOrder != "":
				return nil, Invalid(header[i], "not an RFC 3339 time nor a %s date: %q", m.DateOrder, clip(v))
			case err != nil && strings.ContainsAny(v, "/."):
				return nil, Invalid(header[i], "not an RFC 3339 time: %q (a spreadsheet's date? -date-order dmy, mdy or ymd reads it)", clip(v))
			case err != nil:
				return nil, Invalid(header[i], "not an RFC 3339 time: %q", clip(v))
			}
			r.UpdatedAt = t
		case "op":
			r.Op = Op(strings.ToLower(v))
		case "kind":
			r.Kind = Kind(strings.ToLower(v))
		case "civility":
			r.Civility = v
		case "given_name":
			r.GivenName = v
		case "family_name":
			r.FamilyName = v
		case "full_name":
			r.FullName = v
		case "job_title":
			r.JobTitle = v
		case "birth_date":
			r.BirthDate = v
		case "email":
			r.Emails = append(r.Emails, v)
		case "phone":
			r.Phones = append(r.Phones, v)
		case "address.line":
			addr.Lines = append(addr.Lines, v)
		case "address.postcode":
			addr.Postcode = v
		case "address.city":
			addr.City = v
		case "address.region":
			addr.Region = v
		case "address.country":
			addr.Country = v
		case "company.name":
			co.Name = v
		case "company.siren":
			co.SIREN = v
		case "company.siret":
			co.SIRET = v
		case "company.vat":
			co.VAT = v
		case "company.lei":
			co.LEI = v
		case "company.duns":
			co.DUNS = v
		case "company.website":
			co.Website = v
		default:
			keep(i, strings.TrimPrefix(f, "attributes."), v)
		}
	}
	if r.Source == "" {
		r.Source = defaultSource
		if m != nil && m.Source != "" {
			r.Source = m.Source
		}
	}
	if addr.Lines != nil || addr.Postcode != "" || addr.City != "" || addr.Country != "" || addr.Region != "" {
		r.Address = addr
	}
	if *co != (Company{}) {
		r.Company = co
	}
	if err := r.Validate(); err != nil {
		return nil, err
	}
	return r, nil
}
