package contact

import (
	"testing"
)

// TestReview2CSVIdNotTakenFromClientID: a contact export whose columns are
// "client_id,id,..." (the account a contact belongs to, then the contact's own id) read
// "id" as source_id, client_id in attributes. client_id is now an alias of source_id too,
// and the first non-empty column of a single-valued field wins: every contact of one
// client takes the client's id as its key (the second contact is read as a newer
// version of the first, which it replaces), and a file ingested before is keyed anew.
func TestReview2CSVIdNotTakenFromClientID(t *testing.T) {
	header := []string{"client_id", "id", "first_name", "last_name", "email"}
	var m *Mapping
	fields := m.Fields(header)
	for _, row := range [][]string{
		{"ACME-7", "C100", "Ann", "Lee", "ann.lee@example.com"},
		{"ACME-7", "C101", "Bob", "Ray", "bob.ray@example.com"},
	} {
		r, err := m.FromRow(fields, header, row, "crm")
		if err != nil {
			t.Fatal(err)
		}
		if r.SourceID != row[1] {
			t.Errorf("%v: source_id %q, want the id column's %q (fields %v)", row, r.SourceID, row[1], fields)
		}
	}
}
