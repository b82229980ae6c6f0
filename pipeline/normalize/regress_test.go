package normalize

import (
	"testing"

	"github.com/steward-crm/steward/contact"
)

// TestNameRemainderHyphenatedPartSpacedFull: given "Jean-Pierre" and full "Jean Pierre
// Martin" gave family "Martin" before c731604; folding the part word by word made
// "jean pierre" one word that no word of the full name equals.
func TestNameRemainderHyphenatedPartSpacedFull(t *testing.T) {
	n := newTest(t)
	r := n.PersonName("", "Jean-Pierre", "", "Jean Pierre Martin")
	checkField(t, "family", r.Family, "Martin", corrected, "name.from_full")
	r = n.PersonName("", "", "Saint-Exupéry", "Antoine Saint Exupéry")
	checkField(t, "given", r.Given, "Antoine", corrected, "name.from_full")
}

// TestStreetDottedDirectional: "350 W. Main St" is the dotted spelling of "350 W Main
// St" (suffixWord reads "W." as "W"), but opensStreet looks the directional up with its
// dot: the number is still read as "350W".
func TestStreetDottedDirectional(t *testing.T) {
	n := newTest(t)
	got := n.Address(contact.Address{Lines: []string{"350 W. Main St"}, Postcode: "62701", City: "Springfield", Country: "US"})
	if got.Number != "350" {
		t.Errorf("number %q street %q, want 350", got.Number, got.Street.Value)
	}
}

// TestEmailCommaInLocalPart: "jean,dupont@example.fr" (a comma typed for a dot) was
// one invalid address; since 381ffcb any comma splits the field, and the part after it
// becomes a valid address of someone else, "dupont@example.fr", which then blocks and
// matches (email_exact) like a real one. A mailto: link's query ("?subject=a,b") likewise
// gains an invalid address "b".
func TestEmailCommaInLocalPart(t *testing.T) {
	n := newTest(t)
	for _, e := range n.Emails("jean,dupont@example.fr") {
		if e.Usable() {
			t.Errorf("jean,dupont@example.fr gave the usable address %q", e.Value)
		}
	}
	if got := n.Emails("mailto:a@x.fr?subject=a,b"); len(got) != 1 || got[0].Value != "a@x.fr" {
		t.Errorf("mailto link: %+v", got)
	}
	// What 381ffcb fixed stays fixed.
	if got := n.Emails("a@x.fr, n/a"); len(got) != 2 || !got[0].Usable() || got[0].Value != "a@x.fr" {
		t.Errorf("a@x.fr, n/a: %+v", got)
	}
}
