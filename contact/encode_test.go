package contact_test

import (
	"bytes"
	"context"
	stdjson "encoding/json"
	"math"
	"testing"
	"time"

	"github.com/steward-crm/steward/contact"
	"github.com/steward-crm/steward/pipeline/stages"
	"github.com/steward-crm/steward/rules"
	"github.com/steward-crm/steward/synth"
)

// TestEncodeIsEncodingJSON: Encode writes encoding/json's bytes for generated records,
// normalized and raw, with and without updated_at, and for the values where two JSON
// encoders most often part: HTML characters, U+2028, control characters, floats of every
// magnitude in attributes, nested and empty attributes, a zero time in an attribute.
func TestEncodeIsEncodingJSON(t *testing.T) {
	nc, ic, err := stages.Chains(rules.Default())
	if err != nil {
		t.Fatal(err)
	}
	g, err := synth.New(synth.Config{N: 2000, Seed: 8, Corruption: 1, DupRate: 0.35, MaxPerEntity: 5})
	if err != nil {
		t.Fatal(err)
	}
	gen, err := g.Rest()
	if err != nil {
		t.Fatal(err)
	}
	var recs []*contact.Record
	for _, r := range gen {
		if len(recs)%2 == 0 {
			raw := *r
			recs = append(recs, &raw)
			_ = nc.Process(context.Background(), r)
			_ = ic.Process(context.Background(), r)
		}
		recs = append(recs, r)
	}
	odd := []map[string]any{
		{"html": "<b>Dupont & fils</b>", "sep": "a\u2028b\u2029c", "ctl": "tab\there\x01\x1f", "quote": `"x",\`},
		{"floats": []any{0.1, 1e21, 1e-7, 123456789.0, -0.0, math.MaxFloat64, 5e-324, 3.0}},
		{"nested": map[string]any{"b": nil, "a": []any{}, "c": map[string]any{}}, "bool": true},
		{"updated_at": "0001-01-01T00:00:00Z", "é": "ü"},
	}
	for i, r := range recs {
		switch i % 4 {
		case 0:
			r.UpdatedAt = time.Time{}
		case 1:
			r.UpdatedAt = time.Date(2025, 3, 1, 12, 30, 15, 123456789, time.FixedZone("", 3600))
		}
		if i%3 == 0 {
			r.Attributes = odd[(i/3)%len(odd)]
			r.SourceID = `id,"updated_at":"0001-01-01T00:00:00Z"<&>`
		}
		want, err := stdjson.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		got, err := contact.Encode(r)
		if err != nil {
			t.Fatalf("record %d: %v", i, err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("record %d: Encode differs from encoding/json:\n%s\n%s", i, got, want)
		}
		// EncodeString: the same text, its own bytes (a second encoding does not
		// change the first string).
		s1, err := contact.EncodeString(r)
		if err != nil {
			t.Fatalf("record %d: %v", i, err)
		}
		s2, _ := contact.EncodeString(r)
		if s1 != string(want) || s2 != s1 {
			t.Fatalf("record %d: EncodeString differs from encoding/json:\n%s\n%s", i, s1, want)
		}
	}
}

func BenchmarkEncode(b *testing.B) {
	r, err := contact.Decode([]byte(`{"source":"crm","source_id":"CRM-000011","op":"upsert","kind":"person","civility":"Mr","given_name":"George","family_name":"Woodstone","emails":["george.woodstone@lighthouseservices.co.uk"],"phones":["+44 161 774 0080","07700 900123"],"address":{"lines":["4 Victoria Street"],"postcode":"M13 8TB","city":"Manchester","country":"GB"},"company":{"name":"Lighthouse Services Ltd","vat":"GB470414371"},"attributes":{"entity_id":"E000016","orders_count":3}}`))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := contact.Encode(r); err != nil {
			b.Fatal(err)
		}
	}
}
