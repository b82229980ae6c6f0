package match

import (
	"fmt"
	"slices"
	"testing"

	"github.com/steward-crm/steward/rules"
)

// TestFeaturesHoldEveryValue: the compact layout gives back each field's values, for a
// record whose values fit inside Features and for one with more (many e-mails), and
// decoding the stored form gives the same.
func TestFeaturesHoldEveryValue(t *testing.T) {
	e, err := New(rules.Default())
	if err != nil {
		t.Fatal(err)
	}
	small := person("jean", "martin", "jean.martin@example.fr", "+33612345678", "75011", "paris", "1984-03-07")
	many := person("jean", "martin", "", "+33612345678", "75011", "paris", "1984-03-07")
	for i := range 3 * inlineValues {
		k := fmt.Sprintf("jean%d@example.fr", i)
		many.Emails = append(many.Emails, small.Emails[0])
		many.Emails[i].Key, many.Emails[i].Value = k, k
	}
	for name, n := range map[string]*Features{"small": e.Features(small), "many": e.Features(many)} {
		src := small
		if name == "many" {
			src = many
		}
		dec, ok := DecodeFeatures(EncodeFeatures(src))
		if !ok {
			t.Fatalf("%s: does not decode", name)
		}
		for id, field := range compareFields {
			want := values(src, field)
			if !e.used[id] {
				want = nil
			}
			if got := n.field(id); !slices.Equal(got, want) {
				t.Errorf("%s: field %s = %q, want %q", name, field, got, want)
			}
			if got := dec.field(id); !slices.Equal(got, values(src, field)) {
				t.Errorf("%s: decoded field %s = %q, want %q", name, field, got, values(src, field))
			}
		}
	}
}
