package contact

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	segjson "github.com/segmentio/encoding/json"
)

// ErrInvalid marks a data problem in a record: the record is dead-lettered and the message
// acked, never retried. pipeline.ErrInvalidRecord is the same value.
var ErrInvalid = errors.New("invalid record")

// MaxValueBytes is the largest string value a record may carry in any field. Longer values
// are rejected, not truncated: they are almost always a broken upstream export.
const MaxValueBytes = 4096

// MaxKeyBytes is the largest source or source_id of a record to write: they key the
// warehouse's indexes (a PostgreSQL B-tree entry holds at most 2 704 bytes, both
// together). A delete is not held to it: a warehouse may hold longer ids from before the
// limit, and they must stay withdrawable.
const MaxKeyBytes = 1024

// FieldError is a data problem in one field of one record. It wraps ErrInvalid.
type FieldError struct {
	// Field is the JSON path of the field ("address.postcode", "emails[1]"); empty for the
	// record as a whole.
	Field  string
	Reason string
}

func (e *FieldError) Error() string {
	if e.Field == "" {
		return "invalid record: " + e.Reason
	}
	return fmt.Sprintf("invalid record: field %s: %s", e.Field, e.Reason)
}

// Unwrap makes errors.Is(err, ErrInvalid) true.
func (e *FieldError) Unwrap() error { return ErrInvalid }

// Invalid returns a *FieldError for field.
func Invalid(field, format string, args ...any) error {
	return &FieldError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

// Decode parses one JSON record strictly: every known field must have the documented type,
// strings must be valid UTF-8 and at most MaxValueBytes long, source and source_id are
// required. Unknown top-level fields are kept in Attributes. Errors are *FieldError.
func Decode(data []byte) (*Record, error) {
	if !utf8.Valid(data) {
		return nil, &FieldError{Reason: "not valid UTF-8" + utf8Where(data)}
	}
	if i := loneSurrogate(data); i >= 0 {
		// encoding/json would read it as U+FFFD: two ids differing there would be one key.
		return nil, &FieldError{Reason: fmt.Sprintf("a \\u escape is half a UTF-16 surrogate pair (byte offset %d)", i)}
	}
	if segjson.Valid(data) { // encoding/json.Valid's verdict (FuzzValidAgrees), in a third of the time
		var buf [16]member
		if ms, ok := appendAllMembers(buf[:0], data); ok {
			r := &Record{}
			var errs []error
			for i, m := range ms {
				// A field given twice: encoding/json keeps the last, and which one the
				// source meant is anyone's guess.
				if slices.ContainsFunc(ms[:i], func(o member) bool { return o.key == m.key }) {
					errs = append(errs, Invalid(m.key, "given twice in the object"))
					continue
				}
				if err := r.decodeField(m.key, m.val); err != nil {
					errs = append(errs, err)
				}
			}
			if len(errs) > 0 {
				return nil, firstByField(errs)
			}
			if err := r.Validate(); err != nil {
				return nil, err
			}
			return r, nil
		}
	}
	// Not a JSON object: encoding/json says why.
	var raw map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&raw); err != nil {
		return nil, &FieldError{Reason: "not a JSON object: " + err.Error()}
	}
	if raw == nil {
		return nil, &FieldError{Reason: "not a JSON object: null"}
	}
	// Not dec.More(), which is false before a stray '}' or ']'.
	if len(bytes.TrimLeft(data[dec.InputOffset():], " \t\r\n")) > 0 {
		return nil, &FieldError{Reason: "trailing data after the JSON object"}
	}
	r := &Record{}
	var errs []error
	for k, v := range raw {
		if err := r.decodeField(k, v); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return nil, firstByField(errs)
	}
	if err := r.Validate(); err != nil {
		return nil, err
	}
	return r, nil
}

// firstByField returns the error of the alphabetically first field so that the reason is
// deterministic whatever the map order.
func firstByField(errs []error) error {
	best := errs[0]
	for _, e := range errs[1:] {
		var a, b *FieldError
		if errors.As(e, &a) && errors.As(best, &b) && a.Field < b.Field {
			best = e
		}
	}
	return best
}

func (r *Record) decodeField(k string, v json.RawMessage) error {
	switch k {
	case "source":
		return decodeString(k, v, &r.Source)
	case "source_id":
		return decodeString(k, v, &r.SourceID)
	case "updated_at":
		var s string
		if err := decodeString(k, v, &s); err != nil || s == "" {
			return err
		}
		t, err := parseTime(s)
		if err != nil {
			return Invalid(k, "not an RFC 3339 time: %q", clip(s))
		}
		r.UpdatedAt = t
		return nil
	case "op":
		var s string
		err := decodeString(k, v, &s)
		r.Op = Op(strings.ToLower(s))
		return err
	case "kind":
		var s string
		err := decodeString(k, v, &s)
		r.Kind = Kind(strings.ToLower(s))
		return err
	case "civility":
		return decodeString(k, v, &r.Civility)
	case "given_name":
		return decodeString(k, v, &r.GivenName)
	case "family_name":
		return decodeString(k, v, &r.FamilyName)
	case "full_name":
		return decodeString(k, v, &r.FullName)
	case "job_title":
		return decodeString(k, v, &r.JobTitle)
	case "birth_date":
		return decodeString(k, v, &r.BirthDate)
	case "emails":
		return decodeStrings(k, v, &r.Emails)
	case "phones":
		return decodeStrings(k, v, &r.Phones)
	case "email", "phone":
		// Singular forms are accepted: many exports have one of each.
		var s string
		if err := decodeString(k, v, &s); err != nil || strings.TrimSpace(s) == "" {
			return err // a blank value is dropped, as in an array
		}
		if k == "email" {
			r.Emails = append(r.Emails, s)
		} else {
			r.Phones = append(r.Phones, s)
		}
		return nil
	case "address":
		if isNull(v) {
			return nil
		}
		a := &Address{}
		if err := decodeObject(k, v, func(f string) any {
			switch f {
			case "lines":
				return &a.Lines
			case "postcode":
				return &a.Postcode
			case "city":
				return &a.City
			case "region":
				return &a.Region
			case "country":
				return &a.Country
			}
			return nil
		}); err != nil {
			return err
		}
		if a.Lines != nil || a.Postcode != "" || a.City != "" || a.Region != "" || a.Country != "" {
			r.Address = a // an address of empty strings is no address, as an empty string is no value
		}
		return nil
	case "company":
		if isNull(v) {
			return nil
		}
		c := &Company{}
		if err := decodeObject(k, v, func(f string) any {
			switch f {
			case "name":
				return &c.Name
			case "siren":
				return &c.SIREN
			case "siret":
				return &c.SIRET
			case "vat":
				return &c.VAT
			case "lei":
				return &c.LEI
			case "duns":
				return &c.DUNS
			case "website":
				return &c.Website
			}
			return nil
		}); err != nil {
			return err
		}
		if *c != (Company{}) {
			r.Company = c
		}
		return nil
	case "attributes":
		if isNull(v) {
			return nil
		}
		var buf [8]member
		ms, ok := appendMembers(buf[:0], v)
		if !ok {
			return Invalid(k, "want an object, got %s", jsonKind(v))
		}
		m := make(map[string]any, len(ms))
		for _, am := range ms {
			x, err := decodeAny(am.val)
			if err != nil {
				return Invalid(k+"."+am.key, "%v", err)
			}
			m[am.key] = x
		}
		if err := checkAny(k, m); err != nil {
			return err
		}
		if r.Attributes == nil {
			r.Attributes = m
		} else {
			for ak, av := range m {
				r.Attributes[ak] = av
			}
		}
		return nil
	case "normalized":
		// Output of a previous run (steward normalize): ignored on input.
		return nil
	default:
		if err := checkName(k, k); err != nil {
			return err
		}
		x, err := unmarshalAny(v)
		if err != nil {
			return Invalid(k, "%v", err)
		}
		if err := checkAny(k, x); err != nil {
			return err
		}
		if r.Attributes == nil {
			r.Attributes = map[string]any{}
		}
		if _, ok := r.Attributes[k]; !ok {
			r.Attributes[k] = x
		}
		return nil
	}
}

// Validate checks what every record must satisfy whatever its source: identity present,
// known op and kind, bounded values. Decode calls it; so must other constructors (CSV).
func (r *Record) Validate() error {
	switch {
	case strings.TrimSpace(r.Source) == "":
		return Invalid("source", "required")
	case strings.TrimSpace(r.SourceID) == "":
		return Invalid("source_id", "required")
	case strings.ContainsAny(r.Source, ":\n\r\t"):
		return Invalid("source", "must not contain ':' or control characters: %q", clip(r.Source))
	case len(r.Source) > MaxKeyBytes && r.Op != OpDelete:
		return Invalid("source", "is %d bytes, more than the limit of %d for an identifier", len(r.Source), MaxKeyBytes)
	case len(r.SourceID) > MaxKeyBytes && r.Op != OpDelete:
		return Invalid("source_id", "is %d bytes, more than the limit of %d for an identifier", len(r.SourceID), MaxKeyBytes)
	}
	switch r.Op {
	case "", OpUpsert, OpDelete:
	default:
		return Invalid("op", "want upsert or delete, got %q", clip(string(r.Op)))
	}
	switch r.Kind {
	case "", KindPerson, KindCompany:
	default:
		return Invalid("kind", "want person or company, got %q", clip(string(r.Kind)))
	}
	if r.EffectiveOp() == OpUpsert && !r.hasContent() {
		return Invalid("", "no name, e-mail, phone or company: nothing to resolve%s", r.aliasHint())
	}
	return nil
}

// aliasHint names the attributes of r that a CSV header of that name would have filled
// a field with ("first_name" is given_name): in JSON they are fields steward does not
// know, kept in attributes, and the record refused for what it lacks said nothing of
// where they went.
func (r *Record) aliasHint() string {
	var names, fields []string
	for _, k := range slices.Sorted(maps.Keys(r.Attributes)) {
		a := headerKey(k)
		f := aliases[a]
		if f == "" && a != "-" && slices.Contains(mappingFields, a) {
			f = a // a field's name spelt otherwise ("Email", "Given Name")
		}
		if f != "" {
			names, fields = append(names, strconv.Quote(k)), append(fields, f)
		}
	}
	if len(names) == 0 {
		return ""
	}
	return fmt.Sprintf(" (%s: kept in attributes; a JSON record names them %s)", strings.Join(names, ", "), strings.Join(fields, ", "))
}

func (r *Record) hasContent() bool {
	if r.GivenName != "" || r.FamilyName != "" || r.FullName != "" || len(r.Emails) > 0 || len(r.Phones) > 0 {
		return true
	}
	return r.Company != nil && (r.Company.Name != "" || r.Company.SIREN != "" || r.Company.SIRET != "")
}

func decodeString(field string, v json.RawMessage, dst *string) error {
	if isNull(v) {
		return nil
	}
	s, ok := plainString(v)
	if !ok {
		if s, ok = unmarshalString(v); !ok && jsonKind(v) == "number" {
			// Upstream exports often write ids and postcodes as numbers: accept the literal.
			s = string(bytes.TrimSpace(v))
		} else if !ok {
			return Invalid(field, "want a string, got %s", jsonKind(v))
		}
	}
	if err := checkString(field, s); err != nil {
		return err
	}
	*dst = s
	return nil
}

// unmarshalAny decodes one JSON value into an any as json.Unmarshal does, except that
// numbers are json.Number: kept as written (9007199254740993 does not become ...992 as a
// float64 would, nor 1.50 become 1.5), and encoded back the same.
func unmarshalAny(v json.RawMessage) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(v))
	dec.UseNumber()
	var x any
	if err := dec.Decode(&x); err != nil {
		return nil, err
	}
	return x, nil
}

// decodeAny decodes one JSON value as unmarshalAny does (json.Number numbers,
// map[string]any objects...), reading plain strings, numbers and literals directly.
func decodeAny(v json.RawMessage) (any, error) {
	if s, ok := plainString(v); ok {
		return s, nil
	}
	switch string(v) {
	case "true":
		return true, nil
	case "false":
		return false, nil
	case "null":
		return nil, nil
	}
	if len(v) > 0 && (v[0] == '-' || v[0] >= '0' && v[0] <= '9') {
		if _, err := strconv.ParseFloat(string(v), 64); err == nil || errors.Is(err, strconv.ErrRange) {
			return json.Number(v), nil
		}
	}
	return unmarshalAny(v)
}

// knownKey returns the key of a record or nested object member as a string without
// allocating for the keys steward knows (the compiler compiles a switch on string(b)
// without converting).
func knownKey(b []byte) string {
	switch string(b) {
	case "source":
		return "source"
	case "source_id":
		return "source_id"
	case "updated_at":
		return "updated_at"
	case "op":
		return "op"
	case "kind":
		return "kind"
	case "civility":
		return "civility"
	case "given_name":
		return "given_name"
	case "family_name":
		return "family_name"
	case "full_name":
		return "full_name"
	case "job_title":
		return "job_title"
	case "birth_date":
		return "birth_date"
	case "emails":
		return "emails"
	case "phones":
		return "phones"
	case "address":
		return "address"
	case "company":
		return "company"
	case "attributes":
		return "attributes"
	case "lines":
		return "lines"
	case "postcode":
		return "postcode"
	case "city":
		return "city"
	case "country":
		return "country"
	case "name":
		return "name"
	case "siren":
		return "siren"
	case "siret":
		return "siret"
	case "vat":
		return "vat"
	case "website":
		return "website"
	}
	return string(b)
}

// plainString returns the value of a JSON string literal without escapes (the common
// case) without going through encoding/json; ok is false for anything else. v comes from
// a parsed document, so it holds no raw quote or control character.
func plainString(v json.RawMessage) (string, bool) {
	if len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' || bytes.IndexByte(v, '\\') >= 0 {
		return "", false
	}
	return string(v[1 : len(v)-1]), true
}

func decodeStrings(field string, v json.RawMessage, dst *[]string) error {
	if isNull(v) {
		return nil
	}
	if jsonKind(v) == "string" {
		var s string
		if err := decodeString(field, v, &s); err != nil {
			return err
		}
		if strings.TrimSpace(s) != "" { // as an array's blank items
			*dst = append(*dst, s)
		}
		return nil
	}
	var buf [4]json.RawMessage
	items, ok := appendElements(buf[:0], v)
	if !ok {
		return Invalid(field, "want an array of strings, got %s", jsonKind(v))
	}
	for i, it := range items {
		var s string
		if err := decodeString("", it, &s); err != nil {
			return inField(err, fmt.Sprintf("%s[%d]", field, i)) // the path is built only on error
		}
		if strings.TrimSpace(s) != "" {
			*dst = append(*dst, s)
		}
	}
	return nil
}

// decodeObject decodes the object v member by member into the destination field(f)
// gives (*string or *[]string; nil for an unknown member, which is an error).
func decodeObject(field string, v json.RawMessage, fields func(f string) any) error {
	var buf [8]member
	ms, ok := appendMembers(buf[:0], v)
	if !ok {
		return Invalid(field, "want an object, got %s", jsonKind(v))
	}
	for _, m := range ms {
		k, fv := m.key, m.val
		switch dst := fields(k).(type) {
		case *string:
			if err := decodeString("", fv, dst); err != nil {
				return inField(err, field+"."+k)
			}
		case *[]string:
			if err := decodeStrings(k, fv, dst); err != nil {
				return inField(err, field+"."+err.(*FieldError).Field)
			}
		default:
			return Invalid(field+"."+k, "unknown field")
		}
	}
	return nil
}

// inField names the field of a *FieldError decoded without its path.
func inField(err error, path string) error {
	if fe, ok := err.(*FieldError); ok {
		fe.Field = path
	}
	return err
}

func checkString(field, s string) error {
	if len(s) > MaxValueBytes {
		return Invalid(field, "value is %d bytes, more than the limit of %d", len(s), MaxValueBytes)
	}
	if strings.IndexByte(s, 0) >= 0 {
		return Invalid(field, "contains a NUL character")
	}
	return nil
}

func checkAny(field string, x any) error {
	switch v := x.(type) {
	case string:
		return checkString(field, v)
	case map[string]any:
		// In key order: the error names the same field on every run.
		for _, k := range slices.Sorted(maps.Keys(v)) {
			if err := checkName(field+"."+k, k); err != nil {
				return err
			}
			if err := checkAny(field+"."+k, v[k]); err != nil {
				return err
			}
		}
	case []any:
		for i, e := range v {
			if err := checkAny(fmt.Sprintf("%s[%d]", field, i), e); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkName checks the name of an object member at path (an attribute's name is a string
// too: bounded, without NUL); the error names the path clipped.
func checkName(path, name string) error {
	switch {
	case len(name) > MaxValueBytes:
		return Invalid(clip(path), "name is %d bytes, more than the limit of %d", len(name), MaxValueBytes)
	case strings.IndexByte(name, 0) >= 0:
		return Invalid(clip(path), "name contains a NUL character")
	}
	return nil
}

// loneSurrogate returns the offset of the first \u escape in data that is half a UTF-16
// surrogate pair, or -1. In valid JSON a backslash only occurs in strings, so data is
// read escape by escape.
func loneSurrogate(data []byte) int {
	hex := func(i int) rune {
		if i+6 > len(data) || data[i] != '\\' || data[i+1] != 'u' {
			return -1
		}
		n, err := strconv.ParseUint(string(data[i+2:i+6]), 16, 16)
		if err != nil {
			return -1
		}
		return rune(n)
	}
	for i := bytes.IndexByte(data, '\\'); i >= 0 && i+1 < len(data); {
		step := 2
		if c := hex(i); c >= 0xd800 && c <= 0xdfff {
			if d := hex(i + 6); c >= 0xdc00 || d < 0xdc00 || d > 0xdfff {
				return i
			}
			step = 12
		}
		j := bytes.IndexByte(data[i+step:], '\\')
		if j < 0 {
			break
		}
		i += step + j
	}
	return -1
}

func isNull(v json.RawMessage) bool { return string(bytes.TrimSpace(v)) == "null" }

func jsonKind(v json.RawMessage) string {
	b := bytes.TrimSpace(v)
	if len(b) == 0 {
		return "nothing"
	}
	switch b[0] {
	case '"':
		return "string"
	case '{':
		return "object"
	case '[':
		return "array"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	default:
		return "number"
	}
}

func parseTime(s string) (time.Time, error) {
	s = strings.ToUpper(s) // RFC 3339 allows "t" and "z"
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			if y := t.UTC().Year(); y < 0 || y > 9999 {
				// JSON's time encoding (RFC 3339) cannot write it: the record could be
				// stored but never read back.
				return time.Time{}, errors.New("year out of range")
			}
			return t.UTC(), nil
		}
	}
	return time.Time{}, errors.New("bad time")
}

func utf8Where(b []byte) string {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			return fmt.Sprintf(" (byte offset %d)", i)
		}
		i += n
	}
	return ""
}

// clip shortens a value quoted in an error so that a 1 MB field never fills a log line.
func clip(s string) string {
	const max = 40
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
