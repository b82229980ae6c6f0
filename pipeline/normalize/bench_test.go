package normalize

import (
	"context"
	"testing"

	"github.com/nyaruka/phonenumbers"
	"github.com/steward-crm/steward/contact"
)

// BenchmarkRecord runs the sample record (two phones) through the six stages.
func BenchmarkRecord(b *testing.B) {
	benchRecord(b, decode(b, sampleRecord))
}

// BenchmarkRecordNoPhone is BenchmarkRecord without phones: the cost of everything but
// the phones (which BenchmarkField/phone and BenchmarkPhoneDistinct measure).
func BenchmarkRecordNoPhone(b *testing.B) {
	rec := decode(b, sampleRecord)
	rec.Phones = nil
	benchRecord(b, rec)
}

func benchRecord(b *testing.B, rec *contact.Record) {
	chain := allStages(b)
	ctx := context.Background()
	b.ReportAllocs()
	defer reportCPU(b)()
	for b.Loop() {
		rec.Norm = nil
		if err := chain.Process(ctx, rec); err != nil {
			b.Fatal(err)
		}
	}
}

// reportCPU reports the process CPU time per operation ("cpu-ns/op") when the returned
// function runs at the end of the benchmark. Run with -cpu 1 so that it is the
// benchmark's own work (plus the garbage collector's).
func reportCPU(b *testing.B) func() {
	start := cpuTime()
	return func() {
		if b.N > 0 {
			b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
		}
	}
}

// BenchmarkPhoneParse is phonenumbers' cost for one number: Parse + Format(E164), then
// with IsValidNumber + GetNumberType as TECH-NOTES measures it, then what phoneOne calls
// when the fast path leaves a number to phonenumbers (GetNumberType answers validity
// too, plus GetRegionCodeForNumber).
func BenchmarkPhoneParse(b *testing.B) {
	const raw = "01 42 68 53 00"
	b.Run("parse+format", func(b *testing.B) {
		b.ReportAllocs()
		defer reportCPU(b)()
		for b.Loop() {
			n, _ := phonenumbers.Parse(raw, "FR")
			phonenumbers.Format(n, phonenumbers.E164)
		}
	})
	b.Run("parse+format+valid+type", func(b *testing.B) {
		b.ReportAllocs()
		defer reportCPU(b)()
		for b.Loop() {
			n, _ := phonenumbers.Parse(raw, "FR")
			phonenumbers.Format(n, phonenumbers.E164)
			phonenumbers.IsValidNumber(n)
			phonenumbers.GetNumberType(n)
		}
	})
	b.Run("as phoneOne calls it", func(b *testing.B) {
		b.ReportAllocs()
		defer reportCPU(b)()
		for b.Loop() {
			n, _ := phonenumbers.Parse(raw, "FR")
			phonenumbers.Format(n, phonenumbers.E164)
			phonenumbers.GetNationalSignificantNumber(n)
			phonenumbers.GetNumberType(n)
			phonenumbers.GetRegionCodeForNumber(n)
		}
	})
}

// BenchmarkField measures each field normalizer on a typical value.
func BenchmarkField(b *testing.B) {
	n, slow := newTest(b), newTest(b)
	slow.noFastPhone = true // phone-phonenumbers: the same number without the fast path
	addr := contact.Address{Lines: []string{"12 bd Haussmann"}, Postcode: "75009", City: "paris", Country: "France"}
	company := contact.Company{Name: "Acme SAS", SIRET: "73282932000074", Website: "acme.fr"}
	benches := []struct {
		name string
		fn   func()
	}{
		{"phone", func() { n.Phone("01 42 68 53 00", "FR") }},
		{"phone-phonenumbers", func() { slow.Phone("01 42 68 53 00", "FR") }},
		{"email", func() { n.Email("E.Martin@Example.FR ") }},
		{"name", func() { n.PersonName("Mme", "Élodie", "MARTIN", "") }},
		{"address", func() { n.Address(addr) }},
		{"date", func() { n.DateIn("07/03/1984", "FR") }},
		{"company", func() { n.Company(company, "FR", nil) }},
		{"phonetic", func() { Phonetic("Müller-Lüdenscheidt") }},
	}
	for _, bb := range benches {
		b.Run(bb.name, func(b *testing.B) {
			b.ReportAllocs()
			defer reportCPU(b)()
			for b.Loop() {
				bb.fn()
			}
		})
	}
}

// BenchmarkPhoneDistinct normalizes distinct numbers (the differential test's 10 000, in
// varied formats, 8 regions, a sixth of them invalid), one per operation, with the fast
// path and with phonenumbers only: no cache can hide the cost. fastPhone-only is the
// parse alone, on the strings phoneOne hands it.
func BenchmarkPhoneDistinct(b *testing.B) {
	seen := map[phoneCase]bool{}
	var cases []phoneCase
	for _, c := range generatePhones(1300) {
		if !seen[c] {
			seen[c] = true
			cases = append(cases, c)
		}
	}
	for _, fast := range []bool{true, false} {
		name := "fast"
		if !fast {
			name = "phonenumbers"
		}
		b.Run(name, func(b *testing.B) {
			n := newTest(b)
			n.noFastPhone = !fast
			for _, c := range cases {
				n.Phone(c.Raw, c.Region) // compile every region first
			}
			b.ReportAllocs()
			defer reportCPU(b)()
			i := 0
			for b.Loop() {
				c := cases[i%len(cases)]
				n.Phone(c.Raw, c.Region)
				i++
			}
		})
	}
	b.Run("fastPhone-only", func(b *testing.B) {
		n := newTest(b)
		ins := make([]phoneCase, len(cases))
		for i, c := range cases {
			ins[i] = phoneCase{Raw: phoneInput(splitPhones(c.Raw)[0]), Region: n.phoneRegion(c.Region)}
			fastPhone(ins[i].Raw, ins[i].Region)
		}
		b.ReportAllocs()
		defer reportCPU(b)()
		i := 0
		for b.Loop() {
			c := ins[i%len(ins)]
			fastPhone(c.Raw, c.Region)
			i++
		}
	})
}
