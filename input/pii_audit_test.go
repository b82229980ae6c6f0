package input

import (
	"strings"
	"testing"

	"github.com/steward-crm/steward/contact"
)

// TestPIIHeaderlessCSVNotQuoted: a CSV file without a header line has its first record
// read as the header; the notice of the columns kept in attributes, and the error of a
// mapping's columns not in the header, quoted that record's values (a name, an e-mail
// address, a phone number) on stderr. When no column of the header names a field they
// say so without quoting it.
func TestPIIHeaderlessCSVNotQuoted(t *testing.T) {
	const data = "Rupert,Gallowglass,rupert.gallowglass@example.org,+44 7700 900123\nAnn,Oak,ann@example.org,+44 7700 900124\n"
	secrets := []string{"Rupert", "Gallowglass", "rupert.gallowglass", "7700 900123"}
	var notices []string
	r := NewReader(strings.NewReader(data), "nohdr.csv", Options{Notice: func(s string) { notices = append(notices, s) }})
	if _, err := r.Next(); err != nil {
		t.Fatal(err)
	}
	all := strings.Join(notices, "\n")
	for _, s := range secrets {
		if strings.Contains(all, s) {
			t.Errorf("a notice quotes the first record's %q:\n%s", s, all)
		}
	}
	if !strings.Contains(all, "nohdr.csv") || !strings.Contains(all, "header line") {
		t.Errorf("the notices do not say the file may lack a header line:\n%s", all)
	}
	m := &contact.Mapping{Columns: map[string]string{"Mail": "email"}}
	r = NewReader(strings.NewReader(data), "nohdr.csv", Options{Mapping: m})
	_, err := r.Next()
	if err == nil {
		t.Fatal("a mapping's column not in the header was accepted")
	}
	for _, s := range secrets {
		if strings.Contains(err.Error(), s) {
			t.Errorf("the error quotes the first record's %q: %v", s, err)
		}
	}
	if !strings.Contains(err.Error(), `"Mail"`) || !strings.Contains(err.Error(), "header line") {
		t.Errorf("the error does not name the mapping's column and the header line: %v", err)
	}
	// A real header whose columns are unknown is still quoted: the operator maps them.
	notices = nil
	r = NewReader(strings.NewReader("id,Segment\n1,b2b\n"), "hub.csv", Options{Notice: func(s string) { notices = append(notices, s) }})
	if _, err := r.Next(); err != nil || len(notices) == 0 || !strings.Contains(notices[0], `"Segment"`) {
		t.Errorf("notices %q, %v", notices, err)
	}
}
