package contact

import "testing"

// TestTrialCSVExportHeaders: the standard headers of a HubSpot and a Salesforce contact
// export, and a German shop's, left the mobile phone, the whole mailing address, the
// country and every German column in attributes: the records came through without them
// (a Dutch mobile read in the default region, as French).
func TestTrialCSVExportHeaders(t *testing.T) {
	var m *Mapping
	for h, want := range map[string]string{
		// HubSpot
		"Mobile Phone Number": "phone", "State/Region": "address.region", "Country/Region": "address.country",
		// Salesforce
		"Mailing Street": "address.line", "Mailing City": "address.city", "Mailing State/Province": "address.region",
		"Mailing Zip/Postal Code": "address.postcode", "Mailing Country": "address.country", "Account Name": "company.name",
		// A German shop
		"Anrede": "civility", "Vorname": "given_name", "Nachname": "family_name", "Straße": "address.line",
		"Hausnummer": "address.line", "PLZ": "address.postcode", "Ort": "address.city", "Land": "address.country",
		"Telefon": "phone", "Handy": "phone", "Mobil": "phone", "Geburtsdatum": "birth_date", "Firma": "company.name",
	} {
		if got := m.Fields([]string{h})[0]; got != want {
			t.Errorf("column %q reads as %q, want %q", h, got, want)
		}
	}
}

// TestIdentifiantHeader: "Identifiant" is a French export's record id: every row was
// refused (source_id required). The columns that say when a record changed ("Date de
// modification", "Last Modified Date") are not read as updated_at without a mapping:
// their dates are written in the export's locale (06/12/2026), which -date-order must
// name, and read so by default every row of an export that ingested before would be a
// dead letter.
func TestIdentifiantHeader(t *testing.T) {
	var m *Mapping
	header := []string{"Identifiant", "Date de modification", "Last Modified Date"}
	got := m.Fields(header)
	want := []string{"source_id", "attributes.Date de modification", "attributes.Last Modified Date"}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("%q → %q, want %q", header[i], got[i], want[i])
		}
	}
}
