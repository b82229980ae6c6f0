package input

import (
	"io"
	"strings"
	"testing"

	"github.com/steward-crm/steward/contact"
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

// TestCSVCROnlyLongHeader: a file whose lines end in CR alone and whose header is longer
// than 4 KiB (150 custom columns) is read as records; the sniffing saw no line ending in
// its first 4 KiB and the file was read as one header: zero records, exit 0.
func TestCSVCROnlyLongHeader(t *testing.T) {
	cols := []string{"id", "given_name"}
	for i := range 150 {
		cols = append(cols, "custom_field_"+strings.Repeat("x", 20)+string(rune('a'+i%26)))
	}
	lines := []string{strings.Join(cols, ",")}
	for _, n := range []string{"Ann", "Bob", "Cy"} {
		lines = append(lines, "1,"+n+strings.Repeat(",", 150))
	}
	data := strings.Join(lines, "\r") + "\r"
	if len(lines[0]) <= 4096 {
		t.Fatalf("header of %d bytes: want one longer than 4 KiB", len(lines[0]))
	}
	its := items(t, "mac.csv", data)
	if len(its) != 3 || its[0].Err != nil || !strings.Contains(string(its[2].Payload), `"given_name":"Cy"`) {
		t.Fatalf("got %d items: %+v", len(its), its)
	}
}

// TestCSVTabsSniffed: tab-separated text is read as such without a .tsv name (stdin,
// -format csv): every row was refused ("field source_id: required").
func TestCSVTabsSniffed(t *testing.T) {
	r := NewReader(strings.NewReader("source\tsource_id\tgiven_name\ns\t1\tAnn\ns\t2\tBob, Jr\n"), "stdin", Options{Format: CSV})
	var its []Item
	for {
		it, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		its = append(its, it)
	}
	if len(its) != 2 || its[0].Err != nil || its[1].Err != nil || its[0].Key != "s:1" || !strings.Contains(string(its[1].Payload), `"given_name":"Bob, Jr"`) {
		t.Fatalf("items %+v", its)
	}
}

// TestCSVMappingNamesAbsentColumn: a mapping that names a column the header does not
// hold (a misspelling: "Tel" for "Tél") is an error naming it and the header's columns;
// the column's data went to attributes, never matched, without a word.
func TestCSVMappingNamesAbsentColumn(t *testing.T) {
	m := &contact.Mapping{Columns: map[string]string{"Ref": "source_id", "Nom": "family_name", "Tel": "phone"}}
	r := NewReader(strings.NewReader("Ref,Nom,Tél\nA1,Dupont,0612345678\n"), "m.csv", Options{Mapping: m})
	_, err := r.Next()
	if err == nil || !strings.Contains(err.Error(), `"Tel"`) || !strings.Contains(err.Error(), `"Tél"`) || !strings.Contains(err.Error(), "m.csv") {
		t.Fatalf("err = %v", err)
	}
	m.Columns["Tél"] = "phone"
	delete(m.Columns, "Tel")
	r = NewReader(strings.NewReader("Ref,Nom,Tél\nA1,Dupont,0612345678\n"), "m.csv", Options{Mapping: m})
	if it, err := r.Next(); err != nil || it.Err != nil || !strings.Contains(string(it.Payload), "0612345678") {
		t.Fatalf("mapping fixed: %+v, %v", it, err)
	}
}

// TestUTF16Refused: a UTF-16 file (Excel's "Unicode text") is an error that says so, for
// CSV and JSONL alike; read as bytes, every row was dead-lettered for its NULs and a
// phantom record came of the trailing bytes.
func TestUTF16Refused(t *testing.T) {
	utf16le := func(s string) string {
		b := []byte{0xff, 0xfe}
		for _, c := range s {
			b = append(b, byte(c), 0)
		}
		return string(b)
	}
	for _, name := range []string{"u.csv", "u.jsonl"} {
		data := utf16le("source,source_id,given_name\r\ns,1,Ann\r\n")
		if name == "u.jsonl" {
			data = utf16le(`{"source":"s","source_id":"1","given_name":"Ann"}` + "\r\n")
		}
		r := NewReader(strings.NewReader(data), name, Options{})
		if _, err := r.Next(); err == nil || !strings.Contains(err.Error(), "UTF-16") || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: err = %v", name, err)
		}
	}
}

// TestCSVUnterminatedQuoteBounded: a quote left open in a large file stops the read with
// an error naming the line after which the record starts, once the record passes
// MaxLineBytes; it took the rest of the file into memory (~12 times a 84 MB file) as one
// dead letter. The rows before it are read.
func TestCSVUnterminatedQuoteBounded(t *testing.T) {
	var b strings.Builder
	b.WriteString("source_id,given_name,email\n1,Ann,ann@x.fr\n2,Bob,\"bob@x.fr\n")
	for i := 0; b.Len() < MaxLineBytes+200<<10; i++ {
		b.WriteString("3,Cy,cy@x.fr\n")
	}
	r := NewReader(strings.NewReader(b.String()), "big.csv", Options{})
	it, err := r.Next()
	if err != nil || it.Err != nil {
		t.Fatalf("first row: %+v, %v", it, err)
	}
	_, err = r.Next()
	if err == nil || !strings.Contains(err.Error(), "big.csv") || !strings.Contains(err.Error(), "after line 2") || !strings.Contains(err.Error(), "unterminated quote") {
		t.Fatalf("err = %v", err)
	}
	if r.raw.Cap() > 2*MaxLineBytes {
		t.Errorf("the reader holds %d bytes", r.raw.Cap())
	}
}

// TestCSVHeadersFoldedAndNoticed: a French export's accented headers ("Prénom",
// "Téléphone", "Civilité", "Courriel") and a CRM's ("Email Address", "Phone Number",
// "Zip Code") are read as their fields (they were kept in attributes: accents were not
// folded, and those spellings not known), and the columns still kept in attributes are
// noticed once, by name, those the mapping sends there on purpose aside. A column mapped
// to "-" may be absent (it was an error).
func TestCSVHeadersFoldedAndNoticed(t *testing.T) {
	var notices []string
	m := &contact.Mapping{Columns: map[string]string{"Interne": "-", "Note": "attributes.note"}}
	opts := Options{Mapping: m, Notice: func(s string) { notices = append(notices, s) }}
	data := "id;Civilité;Prénom;Nom;Courriel;Téléphone;Code postal;Ville;Segment;Note\r\n" +
		"1;Mme;Élodie;Martin;e.martin@example.fr;01 42 68 53 00;75009;Paris;B2B;vip\r\n" +
		"2;M.;Paul;Durand;;;;;;\r\n"
	r := NewReader(strings.NewReader(data), "fr.csv", opts)
	var got []*contact.Record
	for {
		it, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil || it.Err != nil {
			t.Fatalf("%+v, %v", it, err)
		}
		rec, err := contact.Decode(it.Payload)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, rec)
	}
	if len(got) != 2 {
		t.Fatalf("%d records", len(got))
	}
	a := got[0]
	if a.Civility != "Mme" || a.GivenName != "Élodie" || len(a.Emails) != 1 || len(a.Phones) != 1 || a.Address == nil || a.Address.Postcode != "75009" {
		t.Errorf("record %+v", a)
	}
	// The columns kept in attributes, and the source taken from the file's name.
	if len(notices) != 2 || !strings.Contains(notices[0], `"Segment"`) || strings.Contains(notices[0], "Note") || !strings.Contains(notices[0], "fr.csv") ||
		!strings.Contains(notices[1], `source is "fr"`) {
		t.Errorf("notices %q, want Segment's only and the source's", notices)
	}
	notices = nil
	r = NewReader(strings.NewReader("Record ID,First Name,Last Name,Email Address,Phone Number,Street Address,Zip Code,Town,Lifecycle\nh1,Ann,Lee,ann@example.org,+1 212 555 0123,1 Main St,10001,New York,lead\n"), "hub.csv", Options{Notice: func(s string) { notices = append(notices, s) }})
	it, err := r.Next()
	if err != nil || it.Err != nil {
		t.Fatalf("%+v, %v", it, err)
	}
	rec, err := contact.Decode(it.Payload)
	if err != nil {
		t.Fatal(err)
	}
	if rec.GivenName != "Ann" || len(rec.Emails) != 1 || len(rec.Phones) != 1 || rec.Address == nil || rec.Address.Postcode != "10001" || rec.Address.City != "New York" || len(rec.Address.Lines) != 1 {
		t.Errorf("record %+v", rec)
	}
	if len(notices) != 2 || !strings.Contains(notices[0], `"Lifecycle"`) {
		t.Errorf("notices %q, want Lifecycle's and the source's", notices)
	}
	// With -source (or a source column) no notice of it.
	notices = nil
	r = NewReader(strings.NewReader("id,First Name\nh1,Ann\n"), "hub.csv", Options{Mapping: &contact.Mapping{Source: "hubspot"}, Notice: func(s string) { notices = append(notices, s) }})
	if it, err := r.Next(); err != nil || it.Key != "hubspot:h1" || len(notices) != 0 {
		t.Errorf("%+v, %v, notices %q", it, err, notices)
	}
}
