package input

// Review I: each test below fails on the code it was written against.

import (
	"io"
	"strings"
	"testing"
)

// TestCSVOddUpdatedAtIsDeadLettered: a row whose updated_at parses but cannot be
// encoded (9999-12-31 with a negative offset is year 10000 in UTC) made Next return a
// plain error (json.Marshal's), which ends the whole ingest, instead of a dead-lettered item.
func TestCSVOddUpdatedAtIsDeadLettered(t *testing.T) {
	r := NewReader(strings.NewReader("id,given_name,updated_at\n1,Ann,9999-12-31T23:00:00-05:00\n2,Bob,\n"), "x.csv", Options{})
	var got []Item
	for {
		it, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("Next: %v (after %d items)", err, len(got))
		}
		got = append(got, it)
	}
	if len(got) != 2 || got[1].Err != nil || got[1].Key != "x:2" {
		t.Fatalf("items %+v", got)
	}
}

// TestCSVNotUTF8: a Latin-1 CSV was read as if valid: each byte that is not UTF-8
// became U+FFFD in the payload (Item.Key kept the raw bytes), so ids "\xe9" and "\xe8"
// were one source record once decoded, and "\xc9lodie" became "\ufffdlodie", silently.
// Such a row must be dead-lettered, as a JSONL line is.
func TestCSVNotUTF8(t *testing.T) {
	its := items(t, "x.csv", "id,given_name\nC-\xe9,Ann\nC-\xe8,Bob\n")
	for _, it := range its {
		if it.Err == nil && strings.Contains(string(it.Payload), `\ufffd`) {
			t.Errorf("%s: accepted as %s (key %q)", it.Position, it.Payload, it.Key)
		}
	}
}

// TestCSVCarriageReturnLineEndings: a CSV whose lines end in CR alone (Excel for
// Mac's "CSV (Macintosh)") was read as a header and nothing else: every row lost without
// an error or a dead letter.
func TestCSVCarriageReturnLineEndings(t *testing.T) {
	its := items(t, "x.csv", "id,given_name\r1,Ann\r2,Bob\r")
	if len(its) != 2 {
		t.Fatalf("%d items, want 2: %+v", len(its), its)
	}
	if its[0].Err != nil || its[0].Key != "x:1" || its[0].Position != "x.csv:2" || its[1].Key != "x:2" || its[1].Position != "x.csv:3" {
		t.Errorf("items %+v", its)
	}
}

// TestJSONLLineOfMaxBytes: "input lines at most 4 MiB": a line of exactly
// MaxLineBytes is accepted at the end of the file but was refused when a "\n" (or
// "\r\n") follows it: the terminator was counted as part of the line.
func TestJSONLLineOfMaxBytes(t *testing.T) {
	pre := `{"source":"a","source_id":"1","given_name":"`
	line := pre + strings.Repeat("x", MaxLineBytes-len(pre)-2) + `"}`
	for _, end := range []string{"", "\n", "\r\n"} {
		its := items(t, "x.jsonl", line+end)
		if len(its) != 1 || its[0].Err != nil || len(its[0].Payload) != MaxLineBytes {
			t.Errorf("line of %d bytes ending %q: %d items, err %v", len(line), end, len(its), its[0].Err)
		}
	}
	its := items(t, "x.jsonl", line+"x\n")
	if len(its) != 1 || its[0].Err == nil {
		t.Errorf("line of %d bytes accepted", len(line)+1)
	}
}
