package contact_test

// Review I: each test below fails on the code it was written against.

import (
	stdjson "encoding/json"
	"strings"
	"testing"

	segjson "github.com/segmentio/encoding/json"
	"github.com/steward-crm/steward/contact"
	"github.com/steward-crm/steward/resolve"
)

// TestTrailingBracketRejected: a document followed by a stray '}' or ']' is not
// JSON; Decode's fallback (dec.More() is false before '}' and ']') accepted it.
func TestTrailingBracketRejected(t *testing.T) {
	for _, doc := range []string{
		`{"source":"web","source_id":"1","given_name":"Ann"}}`,
		`{"source":"web","source_id":"1","given_name":"Ann"}]`,
	} {
		if r, err := contact.Decode([]byte(doc)); err == nil {
			t.Errorf("%s: accepted as %+v", doc, r)
		}
	}
}

// TestUpdatedAtOutOfEncodableRange: a time whose UTC year leaves 0..9999 (the
// common "never" sentinel 9999-12-31 with a negative offset) was accepted, then encoded
// as "10000-01-01T..." (segmentio; encoding/json refuses it), which neither json.Unmarshal
// (how the warehouse reads a stored record back) nor Decode reads.
func TestUpdatedAtOutOfEncodableRange(t *testing.T) {
	for _, ts := range []string{"9999-12-31T23:00:00-05:00", "0000-01-01T00:00:00+01:00"} {
		r, err := contact.Decode([]byte(`{"source":"web","source_id":"1","given_name":"Ann","updated_at":"` + ts + `"}`))
		if err != nil {
			continue // refused at the door: fine
		}
		b, err := contact.Encode(r)
		if err != nil {
			t.Errorf("%s: accepted, but Encode fails: %v", ts, err)
			continue
		}
		var back contact.Record
		if err := segjson.Unmarshal(b, &back); err != nil {
			t.Errorf("%s: accepted, stored as %s, which the warehouse cannot read back: %v", ts, b, err)
		}
		if _, err := contact.Decode(b); err != nil {
			t.Errorf("%s: Decode(Encode(r)) fails: %v", ts, err)
		}
	}
}

// TestLoneSurrogatesDoNotCollide: two different source_ids holding half a UTF-16
// surrogate pair (a JavaScript exporter cutting an emoji) were both decoded to U+FFFD:
// one Key, so the second record overwrote the first as its new version.
func TestLoneSurrogatesDoNotCollide(t *testing.T) {
	a, errA := contact.Decode([]byte(`{"source":"web","source_id":"id-\ud83d","given_name":"Ann"}`))
	b, errB := contact.Decode([]byte(`{"source":"web","source_id":"id-\ud83c","given_name":"Bob"}`))
	if errA == nil && errB == nil && a.Key() == b.Key() {
		t.Fatalf("two source ids, one key %q", a.Key())
	}
}

// TestBlankSingularEmailRoundTrip: "email":" " was kept (the array form drops a
// blank item), so the record passed the content check; its own encoding
// ({"emails":[" "]}) is then refused by Decode: "nothing to resolve".
func TestBlankSingularEmailRoundTrip(t *testing.T) {
	for _, doc := range []string{
		`{"source":"web","source_id":"1","email":" "}`,
		`{"source":"web","source_id":"1","emails":" "}`,
		`{"source":"web","source_id":"1","phone":"  "}`,
	} {
		r, err := contact.Decode([]byte(doc))
		if err != nil {
			continue
		}
		b, err := contact.Encode(r)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := contact.Decode(b); err != nil {
			t.Errorf("%s accepted, its encoding %s refused: %v", doc, b, err)
		}
	}
}

// TestAttributeNamesAreBounded: "every string is at most 4096 bytes" and holds no
// NUL: attribute names (and unknown top-level field names, which become attribute names)
// were not checked, only their values.
func TestAttributeNamesAreBounded(t *testing.T) {
	big := strings.Repeat("k", 1<<20)
	for name, doc := range map[string]string{
		"1 MB attribute name":       `{"source":"web","source_id":"1","given_name":"Ann","attributes":{"` + big + `":"x"}}`,
		"1 MB unknown field name":   `{"source":"web","source_id":"1","given_name":"Ann","` + big + `":"x"}`,
		"1 MB nested name":          `{"source":"web","source_id":"1","given_name":"Ann","notes":{"` + big + `":1}}`,
		"NUL in an attribute name":  `{"source":"web","source_id":"1","given_name":"Ann","attributes":{"a\u0000b":"x"}}`,
		"NUL in unknown field name": `{"source":"web","source_id":"1","given_name":"Ann","a\u0000b":"x"}`,
	} {
		_, err := contact.Decode([]byte(doc))
		if err == nil {
			t.Errorf("%s: accepted", name)
		} else if len(err.Error()) > 300 {
			t.Errorf("%s: error is %d bytes", name, len(err.Error()))
		}
	}
}

// TestEmptyObjectsHashAsMissing: an empty string field hashes as a missing one,
// but an address or company holding only empty strings ("vat":"" as in the README's
// example) did not: the same content from two exports (or JSONL and CSV, which leaves
// an empty address out) hashed differently and was reported updated.
func TestEmptyObjectsHashAsMissing(t *testing.T) {
	hash := func(doc string) string {
		r, err := contact.Decode([]byte(doc))
		if err != nil {
			t.Fatal(err)
		}
		h, err := resolve.Hash(r)
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	missing := hash(`{"source":"web","source_id":"1","given_name":"Ann","civility":""}`)
	for _, doc := range []string{
		`{"source":"web","source_id":"1","given_name":"Ann","address":{"city":"","lines":[]}}`,
		`{"source":"web","source_id":"1","given_name":"Ann","company":{"vat":""}}`,
		`{"source":"web","source_id":"1","given_name":"Ann","address":null,"company":{}}`,
	} {
		if h := hash(doc); h != missing {
			t.Errorf("%s hashes %s, the record without them %s", doc, h, missing)
		}
	}
}

// TestLowercaseRFC3339: RFC 3339 (section 5.6) allows "t" and "z" in lower case;
// such an updated_at was refused.
func TestLowercaseRFC3339(t *testing.T) {
	r, err := contact.Decode([]byte(`{"source":"web","source_id":"1","given_name":"Ann","updated_at":"2026-11-20t10:00:00z"}`))
	if err != nil {
		t.Fatal(err)
	}
	if got := r.UpdatedAt.Format("2006-01-02T15:04:05Z07:00"); got != "2026-11-20T10:00:00Z" {
		t.Errorf("updated_at = %s", got)
	}
}

// TestFromRowRefusesInvalidUTF8: a CSV value that is not UTF-8 (a Latin-1 export)
// was accepted and turned into U+FFFD by json.Marshal: names silently mangled, and two
// ids "\xe9" and "\xe8" (é, è) both became one key once decoded. Decode refuses
// invalid UTF-8; FromRow must too.
func TestFromRowRefusesInvalidUTF8(t *testing.T) {
	var m *contact.Mapping
	header := []string{"id", "given_name"}
	fields := m.Fields(header)
	keys := map[string]bool{}
	for _, row := range [][]string{{"C-\xe9", "Ann"}, {"C-\xe8", "Bob"}, {"3", "\xc9lodie"}} {
		r, err := m.FromRow(fields, header, row, "crm")
		if err != nil {
			continue
		}
		b, _ := stdjson.Marshal(r)
		d, err := contact.Decode(b)
		if err != nil {
			t.Fatal(err)
		}
		if d.Key() != r.Key() || d.GivenName != r.GivenName {
			t.Errorf("row %q accepted, but read back as %q %q", row, d.Key(), d.GivenName)
		}
		if keys[d.Key()] {
			t.Errorf("key %q given twice", d.Key())
		}
		keys[d.Key()] = true
	}
}
