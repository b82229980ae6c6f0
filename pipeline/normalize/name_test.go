package normalize

import (
	"slices"
	"testing"

	"github.com/steward-crm/steward/contact"
)

func TestPersonName(t *testing.T) {
	n := newTest(t)
	type part struct {
		value  string
		status contact.Status
		issue  string
	}
	cases := []struct {
		name                          string
		civility, given, family, full string
		civ, g, f                     part
		givenKey, familyKey           string
	}{
		{"clean", "", "Élodie", "Martin", "", part{"", missing, ""}, part{"Élodie", valid, ""}, part{"Martin", valid, ""}, "elodie", "martin"},
		{"all caps", "", "ÉLODIE", "MARTIN", "", part{"", missing, ""}, part{"Élodie", corrected, "name.all_caps"}, part{"Martin", corrected, "name.all_caps"}, "elodie", "martin"},
		{"all lower", "", "élodie", "martin", "", part{"", missing, ""}, part{"Élodie", corrected, "name.all_lower"}, part{"Martin", corrected, "name.all_lower"}, "elodie", "martin"},
		{"whitespace is cosmetic", "", "  Élodie ", "Martin\t", "", part{"", missing, ""}, part{"Élodie", valid, ""}, part{"Martin", valid, ""}, "elodie", "martin"},
		{"NFD becomes NFC", "", "E\u0301lodie", "Martin", "", part{"", missing, ""}, part{"Élodie", valid, ""}, part{"Martin", valid, ""}, "elodie", "martin"},
		{"hyphenated given", "", "JEAN-PIERRE", "DUPONT", "", part{"", missing, ""}, part{"Jean-Pierre", corrected, "name.all_caps"}, part{"Dupont", corrected, "-"}, "jean pierre", "dupont"},
		{"spaced hyphen", "", "Jean - Pierre", "Dupont", "", part{"", missing, ""}, part{"Jean-Pierre", corrected, ""}, part{"Dupont", valid, ""}, "jean pierre", "dupont"},
		{"German double name", "", "hans", "MÜLLER-LÜDENSCHEIDT", "", part{"", missing, ""}, part{"Hans", corrected, "name.all_lower"}, part{"Müller-Lüdenscheidt", corrected, "name.all_caps"}, "hans", "muller ludenscheidt"},
		{"particle inside", "", "Charles", "DE LA FONTAINE", "", part{"", missing, ""}, part{"Charles", valid, ""}, part{"De la Fontaine", corrected, "name.all_caps"}, "charles", "de la fontaine"},
		{"Dutch particles", "", "jan", "van der berg", "", part{"", missing, ""}, part{"Jan", corrected, "-"}, part{"Van der Berg", corrected, "name.all_lower"}, "jan", "van der berg"},
		{"mixed case kept", "", "Ludwig", "van Beethoven", "", part{"", missing, ""}, part{"Ludwig", valid, ""}, part{"van Beethoven", valid, ""}, "ludwig", "van beethoven"},
		{"Mc", "", "Ronald", "MCDONALD", "", part{"", missing, ""}, part{"Ronald", valid, ""}, part{"McDonald", corrected, "name.all_caps"}, "ronald", "mcdonald"},
		{"Mac Gaelic", "", "Ian", "MACLEOD", "", part{"", missing, ""}, part{"Ian", valid, ""}, part{"MacLeod", corrected, "name.all_caps"}, "ian", "macleod"},
		{"Mack is not Mac", "", "Ian", "MACK", "", part{"", missing, ""}, part{"Ian", valid, ""}, part{"Mack", corrected, "name.all_caps"}, "ian", "mack"},
		{"Macy is not Mac", "", "Ann", "macy", "", part{"", missing, ""}, part{"Ann", valid, ""}, part{"Macy", corrected, "name.all_lower"}, "ann", "macy"},
		{"Machado is not Mac", "", "Ana", "MACHADO", "", part{"", missing, ""}, part{"Ana", valid, ""}, part{"Machado", corrected, "name.all_caps"}, "ana", "machado"},
		{"Mackenzie is not Mac", "", "Ann", "MACKENZIE", "", part{"", missing, ""}, part{"Ann", valid, ""}, part{"Mackenzie", corrected, "name.all_caps"}, "ann", "mackenzie"},
		{"O'", "", "Sean", "O'BRIEN", "", part{"", missing, ""}, part{"Sean", valid, ""}, part{"O'Brien", corrected, "name.all_caps"}, "sean", "o brien"},
		{"typographic apostrophe", "", "Sean", "O’Brien", "", part{"", missing, ""}, part{"Sean", valid, ""}, part{"O'Brien", corrected, ""}, "sean", "o brien"},
		{"d' first word", "", "Charles", "D'ARTAGNAN", "", part{"", missing, ""}, part{"Charles", valid, ""}, part{"D'Artagnan", corrected, "name.all_caps"}, "charles", "d artagnan"},
		{"civility", "Mme", "Élodie", "Martin", "", part{"Mme", valid, ""}, part{"Élodie", valid, ""}, part{"Martin", valid, ""}, "elodie", "martin"},
		{"civility spelt out", "madame", "Élodie", "Martin", "", part{"Mme", corrected, ""}, part{"Élodie", valid, ""}, part{"Martin", valid, ""}, "elodie", "martin"},
		{"civility Herr", "Herr", "Hans", "Müller", "", part{"M.", corrected, ""}, part{"Hans", valid, ""}, part{"Müller", valid, ""}, "hans", "muller"},
		{"civility Mx", "Mx.", "Sam", "Taylor", "", part{"Mx", corrected, ""}, part{"Sam", valid, ""}, part{"Taylor", valid, ""}, "sam", "taylor"},
		{"unknown civility", "Sir Lord", "Hans", "Müller", "", part{"Sir Lord", invalidSt, "civility.unknown"}, part{"Hans", valid, ""}, part{"Müller", valid, ""}, "hans", "muller"},
		{"civility in given", "", "Dr. John", "Smith", "", part{"Dr", corrected, "civility.from_name"}, part{"John", corrected, ""}, part{"Smith", valid, ""}, "john", "smith"},
		{"civility in full", "", "", "", "Dr. John Smith", part{"Dr", corrected, "civility.from_name"}, part{"John", corrected, "name.split_from_full"}, part{"Smith", corrected, "name.split_from_full"}, "john", "smith"},
		{"two titles", "", "", "", "Prof. Dr. Hans Müller", part{"Prof.", corrected, "civility.from_name"}, part{"Hans", corrected, "-"}, part{"Müller", corrected, "-"}, "hans", "muller"},
		{"conflicting civility", "Mme", "", "", "Mr John Smith", part{"Mme", valid, "civility.conflict"}, part{"John", corrected, "-"}, part{"Smith", corrected, "-"}, "john", "smith"},
		{"M without dot is an initial", "", "", "", "M Dupont", part{"", missing, ""}, part{"M", corrected, "name.initial_only"}, part{"Dupont", corrected, "-"}, "m", "dupont"},
		{"French order, family in capitals", "", "", "", "MARTIN Élodie", part{"", missing, ""}, part{"Élodie", corrected, "name.split_from_full"}, part{"Martin", corrected, "name.all_caps"}, "elodie", "martin"},
		{"family in capitals last", "", "", "", "Élodie MARTIN", part{"", missing, ""}, part{"Élodie", corrected, "-"}, part{"Martin", corrected, "name.all_caps"}, "elodie", "martin"},
		{"compound family in capitals", "", "", "", "DE LA FONTAINE Jean", part{"", missing, ""}, part{"Jean", corrected, "-"}, part{"De la Fontaine", corrected, "-"}, "jean", "de la fontaine"},
		{"comma", "", "", "", "Martin, Élodie", part{"", missing, ""}, part{"Élodie", corrected, "-"}, part{"Martin", corrected, "name.split_from_full"}, "elodie", "martin"},
		{"western order", "", "", "", "Élodie Martin", part{"", missing, ""}, part{"Élodie", corrected, "-"}, part{"Martin", corrected, "-"}, "elodie", "martin"},
		{"two given names", "", "", "", "Jean Paul Sartre", part{"", missing, ""}, part{"Jean Paul", corrected, "-"}, part{"Sartre", corrected, "-"}, "jean paul", "sartre"},
		{"particles go with the family", "", "", "", "Ludwig van Beethoven", part{"", missing, ""}, part{"Ludwig", corrected, "-"}, part{"van Beethoven", corrected, "-"}, "ludwig", "van beethoven"},
		{"trailing initial goes with the given name", "", "", "", "Élodie Weiningkamp C", part{"", missing, ""}, part{"Élodie C", corrected, "-"}, part{"Weiningkamp", corrected, "-"}, "elodie", "weiningkamp"},
		{"trailing initials with dots", "", "", "", "John Smith F. K.", part{"", missing, ""}, part{"John F. K.", corrected, "-"}, part{"Smith", corrected, "-"}, "john", "smith"},
		{"middle initial not in the key", "", "Jean P.", "Martin", "", part{"", missing, ""}, part{"Jean P.", valid, ""}, part{"Martin", valid, ""}, "jean", "martin"},
		{"initial between given and family", "", "", "", "John F. Kennedy", part{"", missing, ""}, part{"John F.", corrected, "-"}, part{"Kennedy", corrected, "-"}, "john", "kennedy"},
		{"initials only keep their key", "", "J. P.", "Martin", "", part{"", missing, ""}, part{"J. P.", valid, "-"}, part{"Martin", valid, ""}, "j p", "martin"},
		{"all caps full name", "", "", "", "ÉLODIE MARTIN", part{"", missing, ""}, part{"Élodie", corrected, "name.all_caps"}, part{"Martin", corrected, "name.all_caps"}, "elodie", "martin"},
		{"one word", "", "", "", "Martin", part{"", missing, ""}, part{"", missing, ""}, part{"Martin", corrected, "name.split_from_full"}, "", "martin"},
		{"family from full", "", "Élodie", "", "Élodie Martin", part{"", missing, ""}, part{"Élodie", valid, ""}, part{"Martin", corrected, "name.from_full"}, "elodie", "martin"},
		{"given from full", "", "", "Martin", "Élodie Martin", part{"", missing, ""}, part{"Élodie", corrected, "name.from_full"}, part{"Martin", valid, ""}, "elodie", "martin"},
		{"full unrelated", "", "", "Martin", "Jean Dupont", part{"", missing, ""}, part{"", missing, ""}, part{"Martin", valid, ""}, "", "martin"},
		{"initial", "", "J.", "Martin", "", part{"", missing, ""}, part{"J.", valid, "name.initial_only"}, part{"Martin", valid, ""}, "j", "martin"},
		{"digits", "", "J0hn", "Smith", "", part{"", missing, ""}, part{"J0hn", invalidSt, "name.has_digits"}, part{"Smith", valid, ""}, "", "smith"},
		{"e-mail in a name", "", "jane@example.com", "Smith", "", part{"", missing, ""}, part{"jane@example.com", invalidSt, "name.invalid_char"}, part{"Smith", valid, ""}, "", "smith"},
		{"placeholder", "", "n/a", "Smith", "", part{"", missing, ""}, part{"n/a", invalidSt, "name.placeholder"}, part{"Smith", valid, ""}, "", "smith"},
		{"parenthetical", "", "Anna", "Müller (née Schmidt)", "", part{"", missing, ""}, part{"Anna", valid, ""}, part{"Müller", corrected, "name.parenthetical_removed"}, "anna", "muller"},
		{"title behind a parenthetical", "", "Dr(retd) John", "Smith", "", part{"Dr", corrected, "civility.from_name"}, part{"John", corrected, "name.parenthetical_removed"}, part{"Smith", valid, ""}, "john", "smith"},
		{"a letter in symbols is no title", "", "", "%m# Dupont", "", part{"", missing, ""}, part{"", missing, ""}, part{"%m# Dupont", invalidSt, "name.invalid_char"}, "", ""},
		{"swapped?", "", "MARTIN", "Élodie", "", part{"", missing, ""}, part{"Martin", corrected, "name.possibly_swapped"}, part{"Élodie", valid, ""}, "martin", "elodie"},
		{"nothing", "", "", "", "", part{"", missing, ""}, part{"", missing, ""}, part{"", missing, ""}, "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := n.PersonName(c.civility, c.given, c.family, c.full)
			checkField(t, "civility", got.Civility, c.civ.value, c.civ.status, c.civ.issue)
			checkField(t, "given", got.Given, c.g.value, c.g.status, c.g.issue)
			checkField(t, "family", got.Family, c.f.value, c.f.status, c.f.issue)
			if got.GivenKey != c.givenKey || got.FamilyKey != c.familyKey {
				t.Errorf("keys = %q/%q, want %q/%q", got.GivenKey, got.FamilyKey, c.givenKey, c.familyKey)
			}
			if want := Phonetic(c.familyKey); got.FamilyPhonetic != want {
				t.Errorf("phonetic = %q, want %q", got.FamilyPhonetic, want)
			}
		})
	}
}

func TestPhonetic(t *testing.T) {
	same := [][]string{
		{"Schmidt", "Schmitt", "Schmid", "Smith"},
		{"Müller", "Mueller", "Muller", "MÜLLER"},
		{"Meyer", "Meier", "Maier", "Mayer"},
		{"Lefebvre", "Lefèvre", "Lefeuvre"},
		{"Renault", "Renaud", "Reno"},
		{"Dupont", "Dupond"},
		{"Catherine", "Katherine"},
		{"Philippe", "Filip"},
		{"Fischer", "Fisher"},
		{"Schwartz", "Schwarz"},
		{"Wagner", "Vagner"},
		{"Christian", "Kristian"},
		{"McDonald", "MacDonald"},
		{"Kaiser", "Keiser", "Kayser"},
	}
	for _, group := range same {
		want := Phonetic(group[0])
		for _, s := range group[1:] {
			if got := Phonetic(s); got != want {
				t.Errorf("Phonetic(%q) = %q, Phonetic(%q) = %q: want equal", s, got, group[0], want)
			}
		}
	}
	differ := [][2]string{{"Martin", "Bernard"}, {"Dubois", "Durand"}, {"Smith", "Jones"}, {"Müller", "Meyer"}}
	for _, d := range differ {
		if Phonetic(d[0]) == Phonetic(d[1]) {
			t.Errorf("Phonetic(%q) == Phonetic(%q) = %q", d[0], d[1], Phonetic(d[0]))
		}
	}
	for _, s := range []string{"", "-", "123", "李", "é"} {
		got := Phonetic(s)
		if len(got) != 0 && len(got) != 4 {
			t.Errorf("Phonetic(%q) = %q: want empty or 4 bytes", s, got)
		}
	}
	if got := Phonetic("Martin"); got != "M635" {
		t.Errorf("Phonetic(Martin) = %q, want M635 (codes are stored: changing them needs a new PhoneticVersion)", got)
	}
}

func TestCanonical(t *testing.T) {
	n := newTest(t)
	cases := map[string][]string{"bob": {"robert"}, "jp": {"jean pierre"}, "robert": nil, "": nil}
	for k, want := range cases {
		if got := n.Canonical(k); !slices.Equal(got, want) {
			t.Errorf("Canonical(%q) = %q, want %q", k, got, want)
		}
	}
	if got := n.Canonical("alex"); !slices.Contains(got, "alexander") || !slices.Contains(got, "alexandre") {
		t.Errorf("Canonical(alex) = %q, want alexander and alexandre", got)
	}
}
