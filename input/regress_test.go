package input

import (
	"fmt"
	"strings"
	"testing"

	"github.com/steward-crm/steward/contact"
)

// TestCSVHeaderNotUTF8: 7d57bbf dead-letters a CSV value that is not UTF-8 ("it became
// U+FFFD"), but a column name that is not UTF-8 (the header of the same Latin-1 export)
// still becomes an attribute name that json.Marshal turns into U+FFFD, silently:
// "région" and "rçgion" are then one attribute.
func TestCSVHeaderNotUTF8(t *testing.T) {
	its := items(t, "x.csv", "id,given_name,r\xe9gion,r\xe7gion\n1,Ann,Nord,Sud\n")
	for _, it := range its {
		if it.Err != nil {
			continue // refused: fine
		}
		if strings.Contains(string(it.Payload), "\ufffd") {
			t.Errorf("%s: accepted as %s", it.Position, it.Payload)
		}
		if r, err := contact.Decode(it.Payload); err == nil && len(r.Attributes) != 2 {
			t.Errorf("%s: two columns, attributes %v", it.Position, r.Attributes)
		}
	}
}

// TestJSONLCROnlyLines: JSONL whose lines end in CR alone (an old Mac editor's export)
// was one line, the whole file refused as one record; each line is a record, at its
// line's position. CRLF and LF lines read as before.
func TestJSONLCROnlyLines(t *testing.T) {
	recs := []string{`{"source":"a","source_id":"1"}`, `{"source":"a","source_id":"2"}`, `{"source":"a","source_id":"3"}`}
	for _, eol := range []string{"\r", "\r\n", "\n"} {
		its := items(t, "x.jsonl", strings.Join(recs, eol)+eol)
		if len(its) != len(recs) {
			t.Fatalf("%q: %d items, want %d: %+v", eol, len(its), len(recs), its)
		}
		for i, it := range its {
			if it.Err != nil || string(it.Payload) != recs[i] || it.Position != fmt.Sprintf("x.jsonl:%d", i+1) {
				t.Errorf("%q: item %d = %q at %s (%v)", eol, i, it.Payload, it.Position, it.Err)
			}
		}
	}
}
