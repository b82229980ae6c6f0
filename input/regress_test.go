package input

import (
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
