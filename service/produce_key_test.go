package service

import (
	"testing"

	"github.com/steward-crm/steward/contact"
)

// TestPeekKeyIsTheRecordsKey: the Kafka key produce gives a record is the record's own
// key, numbers as written: a numeric source_id was read as a float
// ("erp:1.2345678901e+10"), so that the versions of one record sent once as a number and
// once as a string went to two partitions, out of order.
func TestPeekKeyIsTheRecordsKey(t *testing.T) {
	for _, payload := range []string{
		`{"source":"erp","source_id":12345678901,"given_name":"Ann"}`,
		`{"source":"erp","source_id":"12345678901","given_name":"Ann"}`,
		`{"source":"erp","source_id":9007199254740993,"given_name":"Ann"}`,
		`{"source":"erp","source_id":"C-1","given_name":"Ann"}`,
	} {
		r, err := contact.Decode([]byte(payload))
		if err != nil {
			t.Fatalf("%s: %v", payload, err)
		}
		if got := peekKey([]byte(payload)); got != r.Key() {
			t.Errorf("%s: produce's key %q, the record's %q", payload, got, r.Key())
		}
	}
	if got := peekKey([]byte(`{"source_id":1}`)); got != "" {
		t.Errorf("no source: %q", got)
	}
}
