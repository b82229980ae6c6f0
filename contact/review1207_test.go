package contact

import (
	"testing"
	"time"
)

// TestDateOrderYearFirst: with a date order, a date written year first (ISO's
// "2026-12-06 14:30" without seconds, "2026/12/06", "2026-12-06T14:30") reads as year,
// month, day whatever the order: no day or month is four digits. Under dmy and mdy it
// was dead-lettered ("not an RFC 3339 time nor a dmy date"), under ymd read.
func TestDateOrderYearFirst(t *testing.T) {
	header := []string{"source", "source_id", "updated_at", "given_name"}
	want := time.Date(2026, 12, 6, 14, 30, 0, 0, time.UTC)
	for _, order := range DateOrders {
		for _, v := range []string{"2026-12-06 14:30", "2026/12/06 14:30", "2026-12-06T14:30", "2026.12.06 14:30:00", "06/12/2026T14:30"} {
			if v == "06/12/2026T14:30" && order != "dmy" {
				continue
			}
			m := &Mapping{DateOrder: order}
			r, err := m.FromRow(m.Fields(header), header, []string{"crm", "1", v, "Anne"}, "")
			if err != nil || !r.UpdatedAt.Equal(want) {
				t.Errorf("%s %q: %v, %v; want %v", order, v, r, err, want)
			}
		}
	}
}
