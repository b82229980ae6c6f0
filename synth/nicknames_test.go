package synth

import (
	"slices"
	"testing"

	"github.com/steward-crm/steward/contact"
	"github.com/steward-crm/steward/fold"
	"github.com/steward-crm/steward/pipeline/match"
	"github.com/steward-crm/steward/rules"
)

// TestNicknamesKnownToTheMatcher: every short form the generator writes for a given name
// is one the default rules' nickname level knows, so that a record written so is
// scored as a nickname of the other, not as another name (the generator's list is of
// forms people really use; the matcher's list holds more), but for the short forms that
// are common names of their own, which the matcher's table leaves out on purpose.
func TestNicknamesKnownToTheMatcher(t *testing.T) {
	e, err := match.New(rules.Default())
	if err != nil {
		t.Fatal(err)
	}
	person := func(given string) *contact.Normalized {
		valid := func(v string) contact.Field { return contact.Field{Value: v, Status: contact.StatusValid} }
		return &contact.Normalized{GivenName: valid(given), FamilyName: valid("Lefèvre"), GivenKey: fold.Key(given), FamilyKey: "lefevre"}
	}
	// Short forms that are common given names of their own the matcher leaves out of its
	// table (a "Lisa" is as often not an Élisabeth).
	own := map[string]bool{"Lisa": true}
	for formal, nicks := range nicknames {
		for _, nick := range nicks {
			s := e.Score(person(formal), person(nick))
			i := slices.IndexFunc(s.Fields, func(f match.FieldScore) bool { return f.Comparison == "given_name" })
			if i < 0 {
				t.Fatal("no given_name comparison in the default rules")
			}
			if l := s.Fields[i].Level; (l == "nickname") == own[nick] {
				t.Errorf("%s / %s: given_name level %q (name of its own: %v)", formal, nick, l, own[nick])
			}
		}
	}
}
