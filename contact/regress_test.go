package contact_test

import (
	"testing"

	"github.com/steward-crm/steward/contact"
)

// TestFromRowIgnoredColumnNotUTF8: a column the mapping ignores ("-") is not read, so
// its bytes cannot make the row invalid; 7d57bbf checks UTF-8 before the "-" skip and
// dead-letters every row whose ignored column holds a Latin-1 byte.
func TestFromRowIgnoredColumnNotUTF8(t *testing.T) {
	m := &contact.Mapping{Columns: map[string]string{"notes": "-"}}
	header := []string{"id", "given_name", "notes"}
	fields := m.Fields(header)
	r, err := m.FromRow(fields, header, []string{"1", "Ann", "caf\xe9"}, "crm")
	if err != nil {
		t.Fatalf("row refused for an ignored column: %v", err)
	}
	if r.GivenName != "Ann" {
		t.Errorf("given_name = %q", r.GivenName)
	}
}
