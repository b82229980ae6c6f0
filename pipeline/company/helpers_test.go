package company

import (
	"reflect"
	"strings"
	"testing"

	"github.com/steward-crm/steward/contact"
)

// fieldCase is one table-test case: a raw input and the field expected from it.
type fieldCase struct {
	name string
	raw  string
	want contact.Field
}

// valid, corrected, bad and missing build expected fields.
func valid(v string, issues ...string) contact.Field {
	return contact.Field{Value: v, Status: contact.StatusValid, Issues: nilIfEmpty(issues)}
}

func corrected(v string, issues ...string) contact.Field {
	return contact.Field{Value: v, Status: contact.StatusCorrected, Issues: nilIfEmpty(issues)}
}

func bad(raw, issue string) contact.Field {
	return contact.Field{Value: strings.TrimSpace(raw), Status: contact.StatusInvalid, Issues: []string{issue}}
}

var missing = contact.Field{Status: contact.StatusMissing}

func nilIfEmpty(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}

// runFieldCases runs fn on every case and compares the whole field.
func runFieldCases(t *testing.T, fn func(string) contact.Field, cases []fieldCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := fn(c.raw); !reflect.DeepEqual(got, c.want) {
				t.Errorf("(%q) = %+v, want %+v", c.raw, got, c.want)
			}
		})
	}
}

// mustUsable fails unless every input is usable and canonical as given.
func mustUsable(t *testing.T, fn func(string) contact.Field, inputs []string) {
	t.Helper()
	for _, s := range inputs {
		if got := fn(s); got.Status != contact.StatusValid || got.Value != s {
			t.Errorf("(%q) = %+v, want valid and unchanged", s, got)
		}
	}
}
