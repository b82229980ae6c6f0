package contact

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"testing"
	"unicode/utf8"

	segjson "github.com/segmentio/encoding/json"
)

// checkScan compares members and elements with encoding/json on one valid document and
// on every object and array nested in it.
func checkScan(t *testing.T, doc []byte) {
	t.Helper()
	var x any
	if !utf8.Valid(doc) || json.Unmarshal(doc, &x) != nil {
		return // Decode scans only valid UTF-8 and valid JSON
	}
	var walk func(v []byte)
	walk = func(v []byte) {
		if ms, ok := members(v); ok {
			var want map[string]json.RawMessage
			if err := json.Unmarshal(v, &want); err != nil {
				t.Fatalf("members accepted a non-object %q", v)
			}
			if len(ms) != len(want) {
				t.Fatalf("members(%q): %d members, encoding/json %d", v, len(ms), len(want))
			}
			for _, m := range ms {
				if w, ok := want[m.key]; !ok || !bytes.Equal(bytes.TrimSpace(w), m.val) {
					t.Fatalf("members(%q): %q = %q, encoding/json %q", v, m.key, m.val, w)
				}
				walk(m.val)
			}
			return
		}
		if es, ok := elements(v); ok {
			var want []json.RawMessage
			if err := json.Unmarshal(v, &want); err != nil {
				t.Fatalf("elements accepted a non-array %q", v)
			}
			if len(es) != len(want) {
				t.Fatalf("elements(%q): %d, encoding/json %d", v, len(es), len(want))
			}
			for i := range es {
				if !bytes.Equal(bytes.TrimSpace(want[i]), es[i]) {
					t.Fatalf("elements(%q)[%d] = %q, encoding/json %q", v, i, es[i], want[i])
				}
				walk(es[i])
			}
			return
		}
		if s, ok := plainString(v); ok {
			var want string
			if err := json.Unmarshal(v, &want); err != nil || want != s {
				t.Fatalf("plainString(%q) = %q, encoding/json %q (%v)", v, s, want, err)
			}
		}
	}
	walk(bytes.TrimSpace(doc))
}

var scanCases = []string{
	`{}`, `[]`, ` { "a" : 1 , "b":[1, 2 ,{"c":"d"}] } `, `{"a":"x\"}y","b":"\\","c":"\u00e9"}`,
	`{"k\"ey":true,"e\u0301":null,"n":-1.5e3}`, `{"dup":1,"dup":2}`, `[[],[[]],{},"]",",","}"]`,
	`{"a":{"b":{"c":["{","[",{"d":"}"}]}}}`, `"plain"`, `"esc\n"`, `123`, `null`,
}

func TestScanMatchesEncodingJSON(t *testing.T) {
	for _, c := range scanCases {
		checkScan(t, []byte(c))
	}
	f, err := os.Open("../testdata/contacts.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	n := 0
	for sc.Scan() {
		checkScan(t, sc.Bytes())
		n++
	}
	if n < 300 {
		t.Fatalf("read %d testdata lines", n)
	}
}

func FuzzScan(f *testing.F) {
	for _, c := range scanCases {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, doc []byte) { checkScan(t, doc) })
}

// validCases are documents where JSON validators tend to part: trailing data, bad
// escapes and numbers, control characters, deep nesting, lone surrogates, a BOM.
var validCases = []string{
	`{"a":1} x`, `{"a":1}{}`, `{"a":"\x"}`, `{"a":01}`, `{"a":1.}`, `{"a":-}`, `{"a":1e}`,
	`{"a":"tab	"}`, `{"a":"\ud800"}`, "\ufeff{}", `{"a":[1,]}`, `{"a":1,}`, `{,}`, `{"a" 1}`,
	`[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]`, `{"a":tru}`, `{"a":nul}`, `  {"a":null}  `, ``, ` `,
	`{"a":"\u00"}`, `{"a":1e+5,"b":-0.0E-1}`, `"x"`, `{"a":"` + "\x7f" + `"}`,
}

// FuzzValidAgrees: Decode asks segmentio/encoding/json whether a document is valid JSON
// before its scanner, which trusts that, splits it: the verdict must be encoding/json's.
func FuzzValidAgrees(f *testing.F) {
	for _, c := range append(validCases, scanCases...) {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		if got, want := segjson.Valid(doc), json.Valid(doc); got != want {
			t.Fatalf("Valid(%q): segmentio %v, encoding/json %v", doc, got, want)
		}
	})
}
