package contact_test

import (
	"strings"
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

// TestFromRowIgnoredColumnAnyLength: nor can its length or a NUL in it (the value checks
// ran before the "-" skip: a 5 000-byte note dead-lettered its row).
func TestFromRowIgnoredColumnAnyLength(t *testing.T) {
	m := &contact.Mapping{Columns: map[string]string{"notes": "-"}}
	header := []string{"id", "given_name", "notes"}
	fields := m.Fields(header)
	for _, v := range []string{strings.Repeat("x", 5000), "a\x00b"} {
		if _, err := m.FromRow(fields, header, []string{"1", "Ann", v}, "crm"); err != nil {
			t.Errorf("row refused for an ignored column of %d bytes: %v", len(v), err)
		}
	}
	// A column that is read still is checked.
	m = &contact.Mapping{Columns: map[string]string{"notes": "attributes.notes"}}
	fields = m.Fields(header)
	if _, err := m.FromRow(fields, header, []string{"1", "Ann", strings.Repeat("x", 5000)}, "crm"); err == nil || !strings.Contains(err.Error(), "notes") {
		t.Errorf("a read column of 5 000 bytes: err = %v", err)
	}
}
