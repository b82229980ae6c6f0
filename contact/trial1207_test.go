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

// TestModifiedDateHeaders: the column that says when a record changed orders its
// versions; French, English and German exports name it otherwise than updated_at
// ("Date de modification", "Last Modified Date", "Geändert am"), and "Identifiant" is
// a French export's record id: every row was refused (source_id required).
func TestModifiedDateHeaders(t *testing.T) {
	var m *Mapping
	header := []string{"Identifiant", "Date de modification", "Modifié le", "Last Modified Date", "Date Modified", "Geändert am", "Änderungsdatum"}
	got := m.Fields(header)
	want := []string{"source_id", "updated_at", "updated_at", "updated_at", "updated_at", "updated_at", "updated_at"}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("%q → %q, want %q", header[i], got[i], want[i])
		}
	}
}
