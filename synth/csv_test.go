package synth

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"testing"

	"github.com/steward-crm/steward/contact"
)

func mustJSON(t testing.TB, r *contact.Record) []byte {
	t.Helper()
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestWriteCSV(t *testing.T) {
	g, _ := New(Config{N: 700, Seed: 2})
	var b bytes.Buffer
	n, err := WriteCSV(&b, g)
	if err != nil || n != 700 {
		t.Fatalf("WriteCSV: %d, %v", n, err)
	}
	table, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(table) != 701 {
		t.Fatalf("%d rows", len(table))
	}
	for i, h := range CSVHeader {
		if table[0][i] != h {
			t.Fatalf("header %v", table[0])
		}
	}
	for _, row := range table[1:] {
		if row[0] == "" || row[1] == "" || row[len(row)-1] == "" {
			t.Fatalf("row without source, id or entity: %v", row)
		}
	}
}

func TestWriteJSONL(t *testing.T) {
	g, _ := New(Config{N: 700, Seed: 2})
	var b bytes.Buffer
	n, err := WriteJSONL(&b, g)
	if err != nil || n != 700 {
		t.Fatalf("WriteJSONL: %d, %v", n, err)
	}
	sc := bufio.NewScanner(&b)
	lines := 0
	for sc.Scan() {
		rec, err := contact.Decode(sc.Bytes())
		if err != nil {
			t.Fatalf("line %d: %v", lines+1, err)
		}
		if rec.Attributes["entity_id"] == nil {
			t.Fatalf("line %d without entity_id", lines+1)
		}
		lines++
	}
	if lines != 700 {
		t.Fatalf("%d lines", lines)
	}
}
