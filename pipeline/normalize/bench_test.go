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
// phonenumbers' own work (which BenchmarkPhoneParse measures).
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
// (GetNumberType answers validity too, plus GetRegionCodeForNumber).
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
	n := newTest(b)
	addr := contact.Address{Lines: []string{"12 bd Haussmann"}, Postcode: "75009", City: "paris", Country: "France"}
	company := contact.Company{Name: "Acme SAS", SIRET: "73282932000074", Website: "acme.fr"}
	benches := []struct {
		name string
		fn   func()
	}{
		{"phone", func() { n.Phone("01 42 68 53 00", "FR") }},
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
