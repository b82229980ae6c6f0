package normalize

import (
	"context"
	"encoding/json"
	"reflect"
	"slices"
	"sync"
	"testing"

	"github.com/steward-crm/steward/contact"
	"github.com/steward-crm/steward/pipeline"
	"github.com/steward-crm/steward/rules"
)

// sampleRecord is the record of ARCHITECTURE.md (a synthetic person).
const sampleRecord = `{"source":"webshop","source_id":"C-10023","updated_at":"2026-11-20T10:00:00Z","op":"upsert",
 "kind":"person","civility":"Mme","given_name":"Élodie","family_name":"MARTIN",
 "emails":["E.Martin@Example.FR "],"phones":["01 42 68 53 00","+33 6 12 34 56 78"],
 "address":{"lines":["12 bd Haussmann"],"postcode":"75009","city":"paris","country":"France"},
 "company":{"name":"Acme SAS","siret":"73282932000074","vat":"","website":"acme.fr"},
 "birth_date":"1984-03-07","attributes":{"crm_segment":"B2B"}}`

func allStages(tb testing.TB) pipeline.Chain {
	tb.Helper()
	r := rules.Default()
	var chain pipeline.Chain
	for _, f := range []pipeline.Factory{NewName, NewEmail, NewPhone, NewAddress, NewDate, NewCompany} {
		s, err := f(r)
		if err != nil {
			tb.Fatal(err)
		}
		chain = append(chain, s)
	}
	return chain
}

func decode(tb testing.TB, s string) *contact.Record {
	tb.Helper()
	r, err := contact.Decode([]byte(s))
	if err != nil {
		tb.Fatal(err)
	}
	return r
}

func TestStages(t *testing.T) {
	chain := allStages(t)
	want := []string{StageName, StageEmail, StagePhone, StageAddress, StageDate, StageCompany}
	if got := chain.Names(); !reflect.DeepEqual(got, want) {
		t.Fatalf("names = %v, want %v", got, want)
	}
	if !reflect.DeepEqual(want, rules.Default().Stages.Normalize) {
		t.Errorf("the default rules list %v", rules.Default().Stages.Normalize)
	}
	rec := decode(t, sampleRecord)
	raw := decode(t, sampleRecord)
	if err := chain.Process(context.Background(), rec); err != nil {
		t.Fatal(err)
	}
	norm := rec.Norm
	rec.Norm = nil
	if !reflect.DeepEqual(rec, raw) {
		t.Errorf("raw fields modified:\n%+v\n%+v", rec, raw)
	}
	got, _ := json.Marshal(norm)
	t.Logf("%s", got)
	checks := []struct{ what, got, want string }{
		{"civility", norm.Civility.Value, "Mme"},
		{"given", norm.GivenName.Value, "Élodie"},
		{"family", norm.FamilyName.Value, "Martin"},
		{"family key", norm.FamilyKey, "martin"},
		{"phonetic", norm.FamilyPhonetic, Phonetic("martin")},
		{"email", norm.Emails[0].Value, "E.Martin@example.fr"},
		{"email key", norm.Emails[0].Key, "e.martin@example.fr"},
		{"phone 1", norm.Phones[0].Value, "+33142685300"},
		{"phone 2", norm.Phones[1].Value, "+33612345678"},
		{"phone 2 type", norm.Phones[1].Type, "mobile"},
		{"street", norm.Address.Street.Value, "BOULEVARD HAUSSMANN"},
		{"number", norm.Address.Number, "12"},
		{"city", norm.Address.City.Value, "PARIS"},
		{"country", norm.Address.Country.Value, "FR"},
		{"birth date", norm.BirthDate.Value, "1984-03-07"},
		{"company key", norm.Company.NameKey, "acme"},
		{"siren", norm.Company.SIREN.Value, "732829320"},
		{"vat", string(norm.Company.VAT.Status), "missing"},
		{"domain", norm.Company.Domain, "acme.fr"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.what, c.got, c.want)
		}
	}

	// Running the stages again gives the same result.
	rec.Norm = nil
	chain.Process(context.Background(), rec)
	chain.Process(context.Background(), rec)
	if !reflect.DeepEqual(rec.Norm, norm) {
		t.Errorf("second run differs:\n%+v\n%+v", rec.Norm, norm)
	}
}

func TestStagesUseRecordCountry(t *testing.T) {
	chain := allStages(t)
	rec := decode(t, `{"source":"s","source_id":"1","phones":["030 12345678"],"birth_date":"03/07/1984",
		"address":{"country":"Deutschland"},"company":{"name":"Müller GmbH"}}`)
	if err := chain.Process(context.Background(), rec); err != nil {
		t.Fatal(err)
	}
	if got := rec.Norm.Phones[0].Value; got != "+493012345678" {
		t.Errorf("phone read in DE = %q", got)
	}
	if got := rec.Norm.BirthDate.Value; got != "1984-07-03" {
		t.Errorf("DE date = %q, want day first", got)
	}
	rec = decode(t, `{"source":"s","source_id":"1","phones":["(202) 555-0123"],"birth_date":"03/07/1984",
		"address":{"country":"USA"}}`)
	chain.Process(context.Background(), rec)
	if got := rec.Norm.Phones[0].Value; got != "+12025550123" {
		t.Errorf("US phone = %q", got)
	}
	if got := rec.Norm.BirthDate.Value; got != "1984-03-07" {
		t.Errorf("US date = %q, want month first", got)
	}
	if got := rec.Norm.Company.Name.Status; got != missing {
		t.Errorf("no company: status %q", got)
	}
	// No country at all: the rules' default region.
	rec = decode(t, `{"source":"s","source_id":"1","phones":["01 42 68 53 00"]}`)
	chain.Process(context.Background(), rec)
	if got := rec.Norm.Phones[0].Value; got != "+33142685300" {
		t.Errorf("default region phone = %q", got)
	}
	if rec.Norm.Address.Country.Status != missing {
		t.Errorf("country derived from nothing: %+v", rec.Norm.Address.Country)
	}
}

func TestStagesConcurrent(t *testing.T) {
	chain := allStages(t)
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 50; j++ {
				rec := decode(t, sampleRecord)
				if err := chain.Process(context.Background(), rec); err != nil {
					t.Error(err)
					return
				}
				if rec.Norm.Phones[0].Value != "+33142685300" {
					t.Error("wrong phone under concurrency")
				}
			}
		}()
	}
	wg.Wait()
}

func TestNewErrors(t *testing.T) {
	if _, err := New(nil); err == nil {
		t.Error("New(nil) succeeded")
	}
	r := rules.Default()
	r.Normalize.DefaultRegion = "XX"
	if _, err := NewPhone(r); err == nil {
		t.Error("NewPhone accepted default region XX")
	}
	s, _ := NewName(rules.Default())
	if err := s.Process(context.Background(), nil); !pipeline.IsInvalid(err) {
		t.Errorf("nil record: %v", err)
	}
}

func TestStagesInferPhoneRegion(t *testing.T) {
	chain := allStages(t)
	cases := []struct {
		name, record string
		want         string // E.164, or "" for a number left invalid
		issue        string
	}{
		{"British mobile, British grouping", `{"phones":["07907 705500"]}`, "+447907705500", "phone.region_inferred"},
		{"American grouping", `{"phones":["(972) 780-4327"]}`, "+19727804327", "phone.region_inferred"},
		{"German mobile, German grouping", `{"phones":["0176 1938569"]}`, "+491761938569", "phone.region_inferred"},
		{"e-mail domain decides", `{"emails":["a.b@beispiel.de"],"phones":["07118515291"]}`, "+497118515291", "phone.region_inferred"},
		{"civility decides", `{"civility":"Frau","phones":["07118515291"]}`, "+497118515291", "phone.region_inferred"},
		{"website decides", `{"company":{"name":"X","website":"https://www.example.co.uk/about"},"phones":["02084146721"]}`, "+442084146721", "phone.region_inferred"},
		{"another number's country code decides", `{"phones":["+49 30 12345678","07118515291"]}`, "+497118515291", "phone.region_inferred"},
		{"default region first", `{"phones":["06 12 34 56 78"]}`, "+33612345678", ""},
		{"two regions read it alike", `{"phones":["02084146721"]}`, "", "phone.region_ambiguous"},
		// A US number whose area code is an Italian mobile prefix is valid in both, grouped
		// alike ("312 555 0123"): a US number may be a mobile as well. Written as the US
		// writes its numbers, area code in parentheses, it is American: Italy writes none.
		{"US or Italian mobile", `{"phones":["312 555 0123"]}`, "", "phone.region_ambiguous"},
		{"US number written the US way", `{"phones":["(312) 555-0123"]}`, "+13125550123", "phone.region_inferred"},
		{"US number written the US way, unspaced", `{"phones":["(312)555-0123"]}`, "+13125550123", "phone.region_inferred"},
		{"US or Italian mobile, undotted", `{"phones":["3475550142"]}`, "", "phone.region_ambiguous"},
		{"US or Italian mobile, civility decides", `{"civility":"Mr","phones":["(312) 555-0123"]}`, "+13125550123", "phone.region_inferred"},
		{"US area code that is no Italian number", `{"phones":["(415) 555-0132"]}`, "+14155550132", "phone.region_inferred"},
		{"no region reads it", `{"phones":["12 34"]}`, "", "phone.too_short"},
		{"a record's country is never overridden", `{"phones":["07907 705500"],"address":{"country":"FR"}}`, "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rec := decode(t, `{"source":"s","source_id":"1",`+c.record[1:])
			if err := chain.Process(context.Background(), rec); err != nil {
				t.Fatal(err)
			}
			ph := rec.Norm.Phones[len(rec.Norm.Phones)-1]
			switch {
			case c.want != "" && (ph.Value != c.want || !ph.Usable()):
				t.Errorf("phone = %+v, want %s", ph, c.want)
			case c.want == "" && ph.Usable():
				t.Errorf("phone = %+v, want it left invalid", ph)
			}
			if c.issue != "" && !slices.Contains(ph.Issues, c.issue) {
				t.Errorf("issues %v, want %s", ph.Issues, c.issue)
			}
			if c.issue == "" && slices.Contains(ph.Issues, "phone.region_inferred") {
				t.Errorf("issues %v: nothing was inferred", ph.Issues)
			}
		})
	}

	// An empty phone_regions turns the inference off.
	r := rules.Default()
	r.Normalize.PhoneRegions = []string{}
	s, err := NewPhone(r)
	if err != nil {
		t.Fatal(err)
	}
	rec := decode(t, `{"source":"s","source_id":"1","phones":["07907 705500"]}`)
	if err := s.Process(context.Background(), rec); err != nil {
		t.Fatal(err)
	}
	if ph := rec.Norm.Phones[0]; ph.Usable() {
		t.Errorf("inference off: %+v", ph)
	}
	r.Normalize.PhoneRegions = []string{"XX"}
	if _, err := NewPhone(r); err == nil {
		t.Error("an unknown phone region was accepted")
	}
}

// TestEmailsOneMailboxWithATypo: a record that carries one mailbox twice, once with a
// misspelt domain (both share the comparison key built on the suggestion), keeps the
// address as meant, in the place of the first; distinct mailboxes all stay.
func TestEmailsOneMailboxWithATypo(t *testing.T) {
	chain := allStages(t)
	for _, c := range []struct {
		emails string
		want   []string
	}{
		{`["jane@gmial.com","jane@gmail.com"]`, []string{"jane@gmail.com"}},
		{`["jane@gmail.com","jane@gmial.com"]`, []string{"jane@gmail.com"}},
		{`["jane@gmial.com","bob@example.fr","jane@gmail.com"]`, []string{"jane@gmail.com", "bob@example.fr"}},
		{`["jane@gmial.com","jane@hotmial.fr"]`, []string{"jane@gmial.com", "jane@hotmial.fr"}},
		{`["jane@gmial.com"]`, []string{"jane@gmial.com"}},
	} {
		rec := decode(t, `{"source":"w","source_id":"1","family_name":"Doe","emails":`+c.emails+`}`)
		if err := chain.Process(context.Background(), rec); err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range rec.Norm.Emails {
			got = append(got, e.Value)
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: kept %v, want %v", c.emails, got, c.want)
		}
	}
}
