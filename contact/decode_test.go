package contact

import (
	"errors"
	"strings"
	"testing"
)

func TestDecodeValid(t *testing.T) {
	in := `{"source":"webshop","source_id":"C-10023","updated_at":"2026-11-20T10:00:00Z","op":"upsert",
 "kind":"person","civility":"Mme","given_name":"Élodie","family_name":"MARTIN",
 "emails":["E.Martin@Example.FR "],"phones":["01 42 68 53 00","+33 6 12 34 56 78"],
 "address":{"lines":["12 bd Haussmann"],"postcode":"75009","city":"paris","country":"France"},
 "company":{"name":"Acme SAS","siret":"73282932000074","vat":"","website":"acme.fr"},
 "birth_date":"1984-03-07","attributes":{"crm_segment":"B2B"},"loyalty_tier":"gold"}`
	r, err := Decode([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if r.Key() != "webshop:C-10023" || r.GivenName != "Élodie" || len(r.Phones) != 2 {
		t.Errorf("decoded %+v", r)
	}
	if r.Address == nil || r.Address.Postcode != "75009" || r.Company == nil || r.Company.SIRET != "73282932000074" {
		t.Errorf("nested objects: %+v %+v", r.Address, r.Company)
	}
	if r.Attributes["crm_segment"] != "B2B" || r.Attributes["loyalty_tier"] != "gold" {
		t.Errorf("attributes (known and unknown fields) = %v", r.Attributes)
	}
	if r.UpdatedAt.IsZero() {
		t.Error("updated_at not parsed")
	}
}

func TestDecodeLenient(t *testing.T) {
	r, err := Decode([]byte(`{"source":"erp","source_id":12345,"email":"a@b.fr","phone":"0612345678","address":{"postcode":75009}}`))
	if err != nil {
		t.Fatal(err)
	}
	if r.SourceID != "12345" || r.Emails[0] != "a@b.fr" || r.Phones[0] != "0612345678" || r.Address.Postcode != "75009" {
		t.Errorf("numbers as strings and singular fields: %+v", r)
	}
}

// TestDecodeRejects: each broken input yields ErrInvalid with a reason naming the field.
func TestDecodeRejects(t *testing.T) {
	big := strings.Repeat("x", 1<<20)
	cases := []struct {
		name, in, field, reason string
	}{
		{"invalid JSON", `{"source":"web","source_id":"1",`, "", "not a JSON object"},
		{"not an object", `["a"]`, "", "not a JSON object"},
		{"null", `null`, "", "not a JSON object"},
		{"trailing data", `{"source":"w","source_id":"1","email":"a@b.c"} {}`, "", "trailing data"},
		{"invalid UTF-8", "{\"source\":\"w\",\"source_id\":\"1\",\"given_name\":\"\xff\xfe\"}", "", "not valid UTF-8 (byte offset 44)"},
		{"missing source_id", `{"source":"web","email":"a@b.c"}`, "source_id", "required"},
		{"empty source", `{"source":" ","source_id":"1","email":"a@b.c"}`, "source", "required"},
		{"long source_id", `{"source":"web","source_id":"` + strings.Repeat("9", 4000) + `"}`, "source_id", "4000 bytes, more than the limit of 1024"},
		{"long source", `{"source":"` + strings.Repeat("w", 1025) + `","source_id":"1"}`, "source", "1025 bytes"},
		{"1 MB field", `{"source":"web","source_id":"1","family_name":"` + big + `"}`, "family_name", "1048576 bytes"},
		{"1 MB nested field", `{"source":"web","source_id":"1","email":"a@b.c","address":{"city":"` + big + `"}}`, "address.city", "more than the limit"},
		{"1 MB attribute", `{"source":"web","source_id":"1","email":"a@b.c","notes":{"x":"` + big + `"}}`, "notes.x", "more than the limit"},
		{"wrong type string", `{"source":"web","source_id":"1","given_name":{"a":1}}`, "given_name", "want a string, got object"},
		{"wrong type array", `{"source":"web","source_id":"1","emails":{"a":1}}`, "emails", "want an array of strings, got object"},
		{"wrong type item", `{"source":"web","source_id":"1","phones":["0612345678",42.5,true]}`, "phones[2]", "want a string, got boolean"},
		{"wrong type object", `{"source":"web","source_id":"1","email":"a@b.c","address":"12 rue"}`, "address", "want an object, got string"},
		{"wrong type nested item", `{"source":"web","source_id":"1","email":"a@b.c","address":{"lines":["1 rue x",7,false]}}`, "address.lines[2]", "want a string, got boolean"},
		{"wrong type nested string", `{"source":"web","source_id":"1","email":"a@b.c","company":{"name":["x"]}}`, "company.name", "want a string, got array"},
		{"unknown nested field", `{"source":"web","source_id":"1","email":"a@b.c","address":{"street":"x"}}`, "address.street", "unknown field"},
		{"bad op", `{"source":"web","source_id":"1","op":"merge","email":"a@b.c"}`, "op", "want upsert or delete"},
		{"bad kind", `{"source":"web","source_id":"1","kind":"robot","email":"a@b.c"}`, "kind", "want person or company"},
		{"bad time", `{"source":"web","source_id":"1","updated_at":"yesterday","email":"a@b.c"}`, "updated_at", "not an RFC 3339 time"},
		{"no content", `{"source":"web","source_id":"1","job_title":"CEO"}`, "", "nothing to resolve"},
		// README says records are decoded strictly: the last of two was kept.
		{"field twice", `{"source":"web","source_id":"1","given_name":"Ann","family_name":"Lee","given_name":"Anne"}`, "given_name", "given twice"},
		// The CSV aliases, written as JSON fields, are attributes: the error says where
		// they went (it named nothing).
		{"no content but field names spelt otherwise", `{"source":"web","source_id":"1","Email":"ann@example.org","Given Name":"Ann"}`, "", `("Email", "Given Name": kept in attributes; a JSON record names them email, given_name)`},
		{"no content but aliases", `{"source":"web","source_id":"1","first_name":"Ann","Last Name":"Lee"}`, "", `("Last Name", "first_name": kept in attributes; a JSON record names them family_name, given_name)`},
		{"colon in source", `{"source":"web:shop","source_id":"1","email":"a@b.c"}`, "source", "must not contain"},
		{"NUL", `{"source":"web","source_id":"1","given_name":"a\u0000b"}`, "given_name", "NUL"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Decode([]byte(c.in))
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("err = %v, want ErrInvalid", err)
			}
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Field != c.field {
				t.Errorf("field = %q, want %q (err %v)", fe.Field, c.field, err)
			}
			if !strings.Contains(err.Error(), c.reason) {
				t.Errorf("error %q does not contain %q", err, c.reason)
			}
			if len(err.Error()) > 300 {
				t.Errorf("error is %d bytes: a long value leaked into it", len(err.Error()))
			}
		})
	}
}

func TestDeleteNeedsNoContent(t *testing.T) {
	r, err := Decode([]byte(`{"source":"web","source_id":"1","op":"DELETE"}`))
	if err != nil || r.EffectiveOp() != OpDelete {
		t.Fatalf("delete: %v %+v", err, r)
	}
}

func TestMappingFromRow(t *testing.T) {
	m, err := ParseMapping("Prénom=given_name,Nom=family_name,Tel=phone,Portable=phone,Ref=source_id,Segment=attributes.segment")
	if err != nil {
		t.Fatal(err)
	}
	header := []string{"Ref", "Prénom", "Nom", "Tel", "Portable", "zip", "Segment", "Notes"}
	fields := m.Fields(header)
	r, err := m.FromRow(fields, header, []string{"42", "Élodie", "Martin", "0142685300", "0612345678", "75009", "B2B", "vip"}, "crm")
	if err != nil {
		t.Fatal(err)
	}
	if r.Key() != "crm:42" || len(r.Phones) != 2 || r.Address.Postcode != "75009" || r.Attributes["segment"] != "B2B" || r.Attributes["Notes"] != "vip" {
		t.Errorf("row mapped to %+v", r)
	}
	if _, err := ParseMapping("a=given"); err == nil || !strings.Contains(err.Error(), `unknown field "given"`) {
		t.Errorf("bad mapping: %v", err)
	}
	_, err = m.FromRow(fields, header, []string{"", "Élodie", "", "", "", "", "", ""}, "crm")
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Field != "source_id" {
		t.Errorf("missing id: %v", err)
	}
}

// TestDecodeDeleteOfALongID: a delete is not held to MaxKeyBytes (a warehouse may hold
// longer ids from before the limit; they stay withdrawable).
func TestDecodeDeleteOfALongID(t *testing.T) {
	id := strings.Repeat("7", MaxKeyBytes+500)
	r, err := Decode([]byte(`{"source":"web","source_id":"` + id + `","op":"delete"}`))
	if err != nil || r.SourceID != id || r.EffectiveOp() != OpDelete {
		t.Fatalf("delete of a %d-byte id: %v", len(id), err)
	}
	if _, err := Decode([]byte(`{"source":"web","source_id":"` + id + `"}`)); err == nil {
		t.Error("upsert of the same id: no error")
	}
}

// TestRejectionReasonDeterministic: a record rejected for several nested attribute
// values names the same field on every run (the first in key order); the map's order
// chose it before (found by a review).
func TestRejectionReasonDeterministic(t *testing.T) {
	doc := []byte(`{"source":"a","source_id":"1","given_name":"x","attributes":{"note":{"a":"\u0000","b":"\u0000","c":"\u0000"}}}`)
	seen := map[string]bool{}
	for range 100 {
		_, err := Decode(doc)
		if err == nil {
			t.Fatal("a NUL in an attribute was accepted")
		}
		seen[err.Error()] = true
	}
	if len(seen) != 1 {
		t.Fatalf("%d different reasons: %v", len(seen), seen)
	}
	for reason := range seen {
		if !strings.Contains(reason, "attributes.note.a") {
			t.Errorf("reason %q, want attributes.note.a named", reason)
		}
	}
}

// TestNumbersKeptAsWritten: numbers in fields steward does not know and in attributes are
// kept as written, and encoded back the same: as float64s, 9007199254740993 became
// ...992, 12345678901234567891 became 12345678901234567000 and 1.50 became 1.5 (found by
// a review).
func TestNumbersKeptAsWritten(t *testing.T) {
	doc := []byte(`{"source":"crm","source_id":"1","given_name":"Ann","crm_id":9007199254740993,"attributes":{"n":12345678901234567891,"price":1.50,"nested":{"x":[1e400,-0.0]}}}`)
	r, err := Decode(doc)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Encode(r)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`9007199254740993`, `12345678901234567891`, `1.50`, `1e400`, `-0.0`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("%s lost %s", b, want)
		}
	}
}
