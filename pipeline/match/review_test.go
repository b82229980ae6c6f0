package match

import (
	"slices"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/steward-crm/steward/contact"
	"github.com/steward-crm/steward/rules"
)

// TestTokenSubsetSymmetric: a family name with a repeated word ("García García")
// against another double name sharing it weighs the same whichever record comes first.
func TestTokenSubsetSymmetric(t *testing.T) {
	if ab, ba := tokenSubset("garcia garcia", "lopez garcia"), tokenSubset("lopez garcia", "garcia garcia"); ab != ba {
		t.Errorf("tokenSubset(garcia garcia, lopez garcia) = %v, reversed %v", ab, ba)
	}
	e := engine(t)
	a := person("maria", "garcia garcia", "", "", "28001", "madrid", "")
	b := person("maria", "lopez garcia", "", "", "28001", "madrid", "")
	if ab, ba := e.Score(a, b), e.Score(b, a); ab.Weight != ba.Weight {
		t.Errorf("Score(a, b) = %.2f (%s), Score(b, a) = %.2f (%s)", ab.Weight, ab.Summary(), ba.Weight, ba.Summary())
	}
	fa, fb := e.Features(a), e.Features(b)
	if ab, ba := e.Weight(fa, fb), e.Weight(fb, fa); ab != ba {
		t.Errorf("Weight(a, b) = %.2f, Weight(b, a) = %.2f", ab, ba)
	}
}

// TestInitialNonLatin: a one-letter given name in Cyrillic is an initial of a
// given name starting with that letter, as "j" is of "jean".
func TestInitialNonLatin(t *testing.T) {
	if !initial("д", "дмитрий") || !initial("дмитрий", "д") {
		t.Errorf("initial(д, дмитрий) = %v, initial(дмитрий, д) = %v, want true", initial("д", "дмитрий"), initial("дмитрий", "д"))
	}
	if initial("д", "елена") {
		t.Error("initial(д, елена) = true")
	}
	e := engine(t)
	s := e.Score(person("д", "иванов", "", "", "", "", ""), person("дмитрий", "иванов", "", "", "", "", ""))
	for _, f := range s.Fields {
		if f.Comparison == "given_name" && f.Level != "initial" {
			t.Errorf("given_name д / дмитрий: level %q, want initial", f.Level)
		}
	}
}

// TestBlockKeysValidUTF8: blocking keys of a non-Latin name are valid UTF-8 (the
// warehouse stores them in a PostgreSQL text column, which refuses invalid bytes), and
// the given name's initial is its first letter, not its first byte.
func TestBlockKeysValidUTF8(t *testing.T) {
	e := engine(t)
	keys := e.BlockKeys(person("дмитрий", "иванов", "", "", "", "", ""))
	for _, k := range keys {
		if !utf8.ValidString(k) {
			t.Errorf("block key %q is not valid UTF-8", k)
		}
	}
	if !slices.Contains(keys, "family_initial:иванов|д") {
		t.Errorf("keys %q lack family_initial:иванов|д", keys)
	}
	// Two different initials (Д, Е: the same first byte) must not share the key.
	other := e.BlockKeys(person("елена", "иванов", "", "", "", "", ""))
	for _, k := range keys {
		if slices.Contains(other, k) && k != "" && k[:len("family_initial")] == "family_initial" {
			t.Errorf("дмитрий and елена share %q", k)
		}
	}
}

// TestSurviveOldTimestamp: most_recent survivorship picks the record updated in
// 2026 over one whose updated_at is 1601-01-01 (the Windows FILETIME epoch, a common
// "no date" in CRM exports, accepted by the decoder as RFC 3339).
func TestSurviveOldTimestamp(t *testing.T) {
	s := rules.Default().Survivorship // emails: most_recent
	mk := func(src, id, email string, at time.Time) *contact.Record {
		return &contact.Record{Source: src, SourceID: id, UpdatedAt: at, Norm: person("elodie", "martin", email, "", "75009", "paris", "")}
	}
	g := Survive([]*contact.Record{
		mk("crm", "1", "new@x.fr", time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)),
		mk("crm", "2", "old@x.fr", time.Date(1601, 1, 1, 0, 0, 0, 0, time.UTC)),
	}, s)
	if g.Emails[0] != "new@x.fr" || g.Provenance["emails"] != "crm:1" {
		t.Errorf("most recent e-mail %q from %q, want new@x.fr from crm:1", g.Emails[0], g.Provenance["emails"])
	}
}

// TestSurviveInvalidSIREN: a company that is only an invalid SIREN (bad check
// digit, no name) is not a candidate of survivorship: the valid company of another
// source survives, as for every other field only usable values compete.
func TestSurviveInvalidSIREN(t *testing.T) {
	s := rules.Default().Survivorship // company: source_priority, erp first
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	erp := &contact.Record{Source: "erp", SourceID: "1", UpdatedAt: at, Norm: person("elodie", "martin", "", "", "75009", "paris", "")}
	erp.Norm.Company.SIREN = contact.Field{Value: "732829321", Status: contact.StatusInvalid, Issues: []string{"siren.bad_checksum"}}
	crm := &contact.Record{Source: "crm", SourceID: "2", UpdatedAt: at, Norm: person("elodie", "martin", "", "", "75009", "paris", "")}
	crm.Norm.Company.SIREN, crm.Norm.Company.Name, crm.Norm.Company.NameKey = valid("732829320"), valid("Acme"), "acme"
	g := Survive([]*contact.Record{erp, crm}, s)
	if g.Company.SIREN.Value != "732829320" || g.Provenance["company"] != "crm:2" {
		t.Errorf("golden company %+v from %q, want crm's valid SIREN 732829320", g.Company.SIREN, g.Provenance["company"])
	}
}

// TestElseExplainsItsField: when the address comparison falls to its else level
// (on the postcode), the explanation shows the postcodes compared, not the fixed
// phones of the first level.
func TestElseExplainsItsField(t *testing.T) {
	e := engine(t)
	a := person("elodie", "martin", "", "", "75009", "paris", "")
	b := person("elodie", "martin", "", "", "69001", "lyon", "")
	a.Phones = []contact.Phone{{Field: valid("+33142685300"), Type: "fixed_line"}}
	b.Phones = []contact.Phone{{Field: valid("+33478000000"), Type: "fixed_line"}}
	for _, f := range e.Score(a, b).Fields {
		if f.Comparison == "address" && (f.Level != "else" || f.A != "75009" || f.B != "69001") {
			t.Errorf("address explained as %q: %q / %q, want else: 75009 / 69001", f.Level, f.A, f.B)
		}
	}
}

// TestPhoneticNonLatin: two different family names without a Latin letter
// (Cyrillic, Chinese) have no phonetic code; the phonetic level must not hold for them
// (it gave "иванов"/"петров" +7.5 bits instead of the else level's -6).
func TestPhoneticNonLatin(t *testing.T) {
	for _, p := range [][2]string{{"иванов", "петров"}, {"王", "李"}} {
		if samePhonetic(p[0], p[1]) {
			t.Errorf("samePhonetic(%q, %q) = true", p[0], p[1])
		}
	}
	e := engine(t)
	s := e.Score(person("anna", "иванов", "", "", "", "", ""), person("anna", "петров", "", "", "", "", ""))
	for _, f := range s.Fields {
		if f.Comparison == "family_name" && f.Level != "else" {
			t.Errorf("family_name иванов / петров: level %q (%+.1f bits), want else", f.Level, f.Weight)
		}
	}
}

// TestFeaturesDecodedAgreeWithoutGivenComparison: with rules that compare the
// family name but not the given name, a pair scores the same on features extracted from
// the records as on features decoded from storage (which hold every field).
func TestFeaturesDecodedAgreeWithoutGivenComparison(t *testing.T) {
	r := rules.Default()
	r.Match.Comparisons = slices.DeleteFunc(slices.Clone(r.Match.Comparisons), func(c rules.Comparison) bool { return c.Field == "given_name" })
	e, err := New(r)
	if err != nil {
		t.Fatal(err)
	}
	a := person("martin", "dupont", "", "", "75009", "paris", "")
	b := person("xavier", "martin", "", "", "75009", "paris", "")
	dec := func(n *contact.Normalized) *Features {
		f, ok := DecodeFeatures(EncodeFeatures(n))
		if !ok {
			t.Fatal("features do not decode")
		}
		return f
	}
	ext, stored := e.Weight(e.Features(a), e.Features(b)), e.Weight(dec(a), dec(b))
	if ext != stored {
		t.Errorf("weight on extracted features %.2f, on decoded ones %.2f", ext, stored)
	}
}

// TestSurviveEmailNotATypo: the newer record's e-mail has a known domain typo
// ("gmial.com", flagged and kept as written): the golden record's e-mail is the older
// record's clean one (it was the typo: most_recent), the typo second in the list; with
// no clean e-mail in the master the typo survives.
func TestSurviveEmailNotATypo(t *testing.T) {
	s := rules.Default().Survivorship // emails: most_recent
	mk := func(id, email string, typo bool, at time.Time) *contact.Record {
		r := &contact.Record{Source: "crm", SourceID: id, UpdatedAt: at, Norm: person("jeanne", "dupre", email, "", "75009", "paris", "")}
		if typo {
			r.Norm.Emails[0].Issues = []string{"email.typo_domain_suggested:gmail.com"}
		}
		return r
	}
	older, newer := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	g := Survive([]*contact.Record{mk("1", "jeanne.dupre@gmail.com", false, older), mk("2", "jeanne.dupre@gmial.com", true, newer)}, s)
	if len(g.Emails) != 2 || g.Emails[0] != "jeanne.dupre@gmail.com" || g.Emails[1] != "jeanne.dupre@gmial.com" || g.Provenance["emails"] != "crm:1" {
		t.Errorf("golden e-mails %q from %q, want the clean one first, from crm:1", g.Emails, g.Provenance["emails"])
	}
	g = Survive([]*contact.Record{mk("2", "jeanne.dupre@gmial.com", true, newer)}, s)
	if len(g.Emails) != 1 || g.Emails[0] != "jeanne.dupre@gmial.com" {
		t.Errorf("only a typo: golden e-mails %q, want it", g.Emails)
	}
}
