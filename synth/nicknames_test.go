package synth

import (
	"testing"

	"github.com/steward-crm/steward/contact"
	"github.com/steward-crm/steward/fold"
	"github.com/steward-crm/steward/pipeline/match"
	"github.com/steward-crm/steward/rules"
)

// TestNicknamesKnownToTheMatcher: every short form the generator writes for a given name
// is one the default rules' nickname level knows, so that a record written so is
// scored as a nickname of the other, not as another name (the generator's list is of
// forms people really use; the matcher's list holds more).
func TestNicknamesKnownToTheMatcher(t *testing.T) {
	e, err := match.New(rules.Default())
	if err != nil {
		t.Fatal(err)
	}
	person := func(given string) *contact.Normalized {
		valid := func(v string) contact.Field { return contact.Field{Value: v, Status: contact.StatusValid} }
		return &contact.Normalized{GivenName: valid(given), FamilyName: valid("Lefèvre"), GivenKey: fold.Key(given), FamilyKey: "lefevre"}
	}
	for formal, nicks := range nicknames {
		for _, nick := range nicks {
			s := e.Score(person(formal), person(nick))
			for _, f := range s.Fields {
				if f.Comparison == "given_name" && f.Level != "nickname" {
					t.Errorf("%s / %s: given_name level %q, want nickname", formal, nick, f.Level)
				}
			}
		}
	}
}
