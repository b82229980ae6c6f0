package match

import (
	"slices"
	"testing"

	"github.com/steward-crm/steward/contact"
	"github.com/steward-crm/steward/rules"
)

// TestFeaturesRoundTrip checks that decoded features score exactly like extracted ones.
func TestFeaturesRoundTrip(t *testing.T) {
	e, err := New(rules.Default())
	if err != nil {
		t.Fatal(err)
	}
	recs := []*contact.Normalized{
		{GivenKey: "jean", FamilyKey: "martin", Emails: []contact.Email{{Field: contact.Field{Value: "j.martin@x.fr", Status: contact.StatusValid}, Key: "jmartin@x.fr"}, {Field: contact.Field{Value: "jm@y.fr", Status: contact.StatusValid}, Key: "jm@y.fr"}},
			Phones: []contact.Phone{{Field: contact.Field{Value: "+33612345678", Status: contact.StatusValid}, Type: "mobile"}}},
		{GivenKey: "jean", FamilyKey: "martins", Phones: []contact.Phone{{Field: contact.Field{Value: "+33612345678", Status: contact.StatusValid}, Type: "mobile"}}},
		{FamilyKey: "durand"},
		{},
	}
	for i, a := range recs {
		enc := EncodeFeatures(a)
		dec, ok := DecodeFeatures(enc)
		if !ok {
			t.Fatalf("record %d: %q does not decode", i, enc)
		}
		want := e.Features(a)
		for id := range numFields {
			if e.used[id] && !slices.Equal(dec.field(id), want.field(id)) {
				t.Errorf("record %d field %s: decoded %q, extracted %q", i, compareFields[id], dec.field(id), want.field(id))
			}
		}
		for j, b := range recs {
			if got, want := e.Weight(dec, e.Features(b)), e.Weight(want, e.Features(b)); got != want {
				t.Errorf("records %d/%d: weight %v from decoded features, %v extracted", i, j, got, want)
			}
		}
	}
	// One scratch Features decoded into again and again holds each record's values alone.
	scratch := &Features{}
	for _, i := range []int{0, 3, 1, 0, 2, 2, 0} {
		if !DecodeFeaturesInto(EncodeFeatures(recs[i]), scratch) {
			t.Fatalf("record %d does not decode into scratch", i)
		}
		fresh, _ := DecodeFeatures(EncodeFeatures(recs[i]))
		for id := range numFields {
			if !slices.Equal(scratch.field(id), fresh.field(id)) {
				t.Errorf("record %d field %s: %q decoded into scratch, %q fresh", i, compareFields[id], scratch.field(id), fresh.field(id))
			}
		}
	}
	for _, bad := range []string{"", "f0.1|x", FeaturesVersion + "a\x1eb", "jean"} {
		if _, ok := DecodeFeatures(bad); ok {
			t.Errorf("%q decoded", bad)
		}
	}
	if enc := EncodeFeatures(&contact.Normalized{GivenKey: "a\x1eb"}); enc != "" {
		t.Errorf("a value holding a separator was encoded: %q", enc)
	}
}
