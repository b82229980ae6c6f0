package contact

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// TestMappingDateOrder: an updated_at column written as a spreadsheet's date is read
// in the mapping's date order, and refused without one with a hint naming the option.
func TestMappingDateOrder(t *testing.T) {
	header := []string{"source", "source_id", "updated_at", "given_name"}
	row := func(m *Mapping, v string) (*Record, error) {
		return m.FromRow(m.Fields(header), header, []string{"crm", "1", v, "Anne"}, "")
	}
	utc := func(y int, mo time.Month, d, h, mi, s int) time.Time {
		return time.Date(y, mo, d, h, mi, s, 0, time.UTC)
	}
	cases := []struct {
		order, v string
		want     time.Time
	}{
		{"dmy", "06/12/2026 14:30", utc(2026, 12, 6, 14, 30, 0)},
		{"dmy", "6.12.2026", utc(2026, 12, 6, 0, 0, 0)},
		{"dmy", "31-01-2026 09:05:07", utc(2026, 1, 31, 9, 5, 7)},
		{"mdy", "06/12/2026 14:30", utc(2026, 6, 12, 14, 30, 0)},
		{"mdy", "1/31/2026", utc(2026, 1, 31, 0, 0, 0)},
		{"ymd", "2026/12/06 14:30:05", utc(2026, 12, 6, 14, 30, 5)},
		// RFC 3339 is read whatever the order.
		{"dmy", "2026-12-06T14:30:00+01:00", utc(2026, 12, 6, 13, 30, 0)},
	}
	for _, c := range cases {
		r, err := row(&Mapping{DateOrder: c.order}, c.v)
		if err != nil || !r.UpdatedAt.Equal(c.want) {
			t.Errorf("%s %q: %v, %v; want %v", c.order, c.v, r, err, c.want)
		}
	}
	// Impossible in the order given: refused, naming the column and the order.
	for _, c := range []struct{ order, v string }{{"dmy", "12/31/2026"}, {"mdy", "31/12/2026"}, {"dmy", "06/12/26"}, {"dmy", "06/12/2026 25:00"}} {
		_, err := row(&Mapping{DateOrder: c.order}, c.v)
		var fe *FieldError
		if !errors.As(err, &fe) || fe.Field != "updated_at" || !strings.Contains(err.Error(), c.order+" date") {
			t.Errorf("%s %q: %v, want a field error of updated_at naming %s", c.order, c.v, err, c.order)
		}
	}
	// Without an order, the spreadsheet's date is not guessed; the error says how.
	for _, m := range []*Mapping{nil, {}} {
		_, err := row(m, "06/12/2026 14:30")
		if err == nil || !strings.Contains(err.Error(), "-date-order") {
			t.Errorf("no order: %v, want an error naming -date-order", err)
		}
	}
	if err := (&Mapping{DateOrder: "dym"}).Validate(); err == nil {
		t.Error("date order dym accepted")
	}
}
