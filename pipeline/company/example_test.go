package company_test

import (
	"fmt"

	"github.com/steward-crm/steward/pipeline/company"
)

func ExampleSIRET() {
	f := company.SIRET("732 829 320 00074")
	fmt.Println(f.Value, f.Status)
	f = company.SIRET("73282932000079")
	fmt.Println(f.Status, f.Issues)
	// Output:
	// 73282932000074 corrected
	// invalid [siret.bad_checksum]
}

func ExampleImplied() {
	siren, vat, ok := company.Implied("73282932000074")
	fmt.Println(siren, vat, ok)
	// Output: 732829320 FR44732829320 true
}

func ExampleVAT() {
	for _, raw := range []string{"FR40303265045", "de 136.695.976", "FR K 7399859412", "DE136695978", "US123456789"} {
		f := company.VAT(raw)
		fmt.Println(f.Value, f.Status, f.Issues)
	}
	// Output:
	// FR40303265045 valid []
	// DE136695976 corrected []
	// FRK7399859412 corrected [vat.unverifiable_key]
	// DE136695978 invalid [vat.bad_checksum]
	// US123456789 invalid [vat.unknown_country]
}

func ExampleVATFor() {
	f := company.VATFor("40 303 265 045", "FR")
	fmt.Println(f.Value, f.Status, f.Issues)
	f = company.VATFor("FR40303265045", "DE") // an explicit prefix wins
	fmt.Println(f.Value, f.Status, f.Issues)
	// Output:
	// FR40303265045 corrected [vat.country_added]
	// FR40303265045 valid []
}

func ExampleHandelsregister() {
	f, court := company.Handelsregister("Amtsgericht München HRB 123456")
	fmt.Println(f.Value, f.Status, court)
	// Output: HRB 123456 valid München
}

func ExampleCompaniesHouse() {
	fmt.Println(company.CompaniesHouse("445790").Value, company.CompaniesHouse("sc 12345").Value)
	// Output: 00445790 SC012345
}
