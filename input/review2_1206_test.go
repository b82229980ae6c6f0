package input

import (
	"testing"
)

// TestReview2JSONLRawCRAsWhitespace: JSON allows a raw CR as whitespace between tokens
// (RFC 8259: ws = %x20 / %x09 / %x0A / %x0D). A JSONL file with LF line endings whose
// first record holds one (a hand-edited line, a tool that wraps with CR) was read line
// by line; the CR-only sniffing now takes that CR for the file's line ending and cuts
// every record at CRs: the first is split in two, the rest run together.
func TestReview2JSONLRawCRAsWhitespace(t *testing.T) {
	data := "{\"source\":\"a\",\r\"source_id\":\"1\",\"given_name\":\"Ann\"}\n" +
		"{\"source\":\"a\",\"source_id\":\"2\",\"given_name\":\"Bob\"}\n" +
		"{\"source\":\"a\",\"source_id\":\"3\",\"given_name\":\"Cid\"}\n"
	its := items(t, "x.jsonl", data)
	if len(its) != 3 {
		t.Fatalf("%d items, want 3 (one per LF line): %q", len(its), payloads(its))
	}
}

func payloads(its []Item) []string {
	var out []string
	for _, it := range its {
		out = append(out, string(it.Payload))
	}
	return out
}
