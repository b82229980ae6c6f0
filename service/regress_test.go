package service

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"

	"github.com/steward-crm/steward/contact"
)

// TestExportCSVSemicolonLocale: c653df2 neutralizes a cell that starts with a formula
// character, but a spreadsheet in a locale whose list separator is ';' (French, German
// Excel: the users of SIREN data) splits a comma-separated file on ';' too, and
// encoding/csv does not quote a field holding ';': "Directeur;=HYPERLINK(...)" opens as
// two cells, the second a formula.
func TestExportCSVSemicolonLocale(t *testing.T) {
	m := &contact.Master{ID: 1, Version: 1, Golden: contact.Golden{GivenName: "Anne", FamilyName: "Dupont",
		JobTitle: `Directeur;=cmd|' /C calc'!A0`}}
	var b bytes.Buffer
	cw := csv.NewWriter(&b)
	if err := cw.Write(exportRow(m)); err != nil {
		t.Fatal(err)
	}
	cw.Flush()
	r := csv.NewReader(bytes.NewReader(b.Bytes()))
	r.Comma, r.FieldsPerRecord, r.LazyQuotes = ';', -1, true // as a ';' locale reads the file
	cells, err := r.Read()
	if err != nil {
		t.Fatal(err)
	}
	for _, cell := range cells {
		if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
			t.Errorf("cell %q of %q opens as a formula when ';' separates cells", cell, b.String())
		}
	}
}
