package input

import (
	"io"
	"strings"
	"testing"
)

// items reads all of data as the file name, failing the test on a panic or an error.
func items(t *testing.T, name, data string) (out []Item) {
	t.Helper()
	defer func() {
		if p := recover(); p != nil {
			t.Fatalf("panic: %v", p)
		}
	}()
	r := NewReader(strings.NewReader(data), name, Options{})
	for {
		it, err := r.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("Next: %v", err)
		}
		out = append(out, it)
	}
}

// The tests below come from a review of hostile input; each failed before its fix.

// TestCSVParseErrorInFirstField: a row whose first field cannot be parsed (a bare quote)
// is an item with its error, its bytes and the line it starts on; reading it panicked
// (no field position is recorded for such a row), which stopped an ingest.
func TestCSVParseErrorInFirstField(t *testing.T) {
	its := items(t, "x.csv", "id,given_name\nx\"y,Ann\n2,Bob\n")
	if len(its) != 2 || its[0].Err == nil || string(its[0].Payload) != `x"y,Ann` || its[0].Position != "x.csv:2" || its[1].Err != nil {
		t.Fatalf("items %+v", its)
	}
}

// TestCSVBOMQuotedHeader: a file starting with a byte order mark and a quoted header
// (Excel's "CSV UTF-8") is read; it was refused whole (a bare quote after the mark).
func TestCSVBOMQuotedHeader(t *testing.T) {
	its := items(t, "x.csv", "\ufeff\"id\",\"given_name\"\r\n\"1\",\"Bob\"\r\n")
	if len(its) != 1 || its[0].Err != nil || !strings.Contains(string(its[0].Payload), `"given_name":"Bob"`) {
		t.Fatalf("items %+v", its)
	}
}

// TestCSVUnterminatedQuoteKeepsTheBytes: an unterminated quote makes the rest of the
// file one field: the dead letter holds all the bytes it took, from the line the row
// starts on (it held "1,Ann" at the last line, and the rows after were lost).
func TestCSVUnterminatedQuoteKeepsTheBytes(t *testing.T) {
	its := items(t, "x.csv", "id,given_name,email\n1,Ann,\"ann@x.fr\n2,Bob,bob@x.fr\n3,Cy,cy@x.fr\n")
	if len(its) != 1 || its[0].Err == nil || !strings.Contains(string(its[0].Payload), "3,Cy,cy@x.fr") || its[0].Position != "x.csv:2" {
		t.Fatalf("got %d items; first %q at %s", len(its), its[0].Payload, its[0].Position)
	}
}

// TestJSONLBOM: a byte order mark at the start of a JSONL file is not part of the first
// record (which was dead-lettered: "invalid character 'ï'").
func TestJSONLBOM(t *testing.T) {
	its := items(t, "x.jsonl", "\ufeff{\"source\":\"crm\",\"source_id\":\"1\",\"given_name\":\"Ann\"}\n")
	if len(its) != 1 || its[0].Payload[0] != '{' {
		t.Fatalf("items %+v", its)
	}
}

// TestCSVColumnsMappedTwiceKeepTheirValues: two columns mapped to one single-valued field
// (a CRM export's Salutation and Title, both aliases of civility) and a header written
// twice: the first column's value is the field's, the others are kept in attributes
// under their own header (they were dropped silently).
func TestCSVColumnsMappedTwiceKeepTheirValues(t *testing.T) {
	its := items(t, "sf.csv", "Id,Salutation,First Name,Title,Notes,Notes\n1,Mr.,John,CEO,vip,call back\n")
	if len(its) != 1 || its[0].Err != nil {
		t.Fatalf("items %+v", its)
	}
	p := string(its[0].Payload)
	for _, want := range []string{`"civility":"Mr."`, `"Title":"CEO"`, `"Notes":"vip"`, `"Notes (column 6)":"call back"`} {
		if !strings.Contains(p, want) {
			t.Errorf("%s: %s missing", p, want)
		}
	}
}
