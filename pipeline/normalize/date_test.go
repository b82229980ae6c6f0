package normalize

import (
	"testing"

	"github.com/steward-crm/steward/contact"
)

func TestDate(t *testing.T) {
	n := newTest(t) // today is 2026-11-20
	cases := []struct {
		name, raw, country, value string
		status                    contact.Status
		issue                     string
	}{
		{"ISO", "1984-03-07", "", "1984-03-07", valid, ""},
		{"ISO with spaces", " 1984-03-07 ", "", "1984-03-07", valid, ""},
		{"ISO slashes", "1984/03/07", "", "1984-03-07", corrected, ""},
		{"ISO with time", "1984-03-07T00:00:00Z", "", "1984-03-07", corrected, "date.time_dropped"},
		{"ISO with a space and time", "1984-03-07 10:30:00", "", "1984-03-07", corrected, "date.time_dropped"},
		{"day first, unambiguous", "25/03/1984", "FR", "1984-03-25", corrected, ""},
		{"day first, ambiguous", "07/03/1984", "FR", "1984-03-07", corrected, "date.ambiguous_day_month"},
		{"day first by default", "07/03/1984", "", "1984-03-07", corrected, "date.ambiguous_day_month"},
		{"GB day first", "07/03/1984", "UK", "1984-03-07", corrected, "date.ambiguous_day_month"},
		{"US month first", "03/07/1984", "US", "1984-03-07", corrected, "date.ambiguous_day_month"},
		{"US month first, country name", "03/25/1984", "United States", "1984-03-25", corrected, ""},
		{"US order given to FR", "03/25/1984", "FR", "1984-03-25", corrected, "date.day_month_swapped"},
		{"FR order given to US", "25/03/1984", "US", "1984-03-25", corrected, "date.day_month_swapped"},
		{"same day and month", "03/03/1984", "FR", "1984-03-03", corrected, ""},
		{"dashes", "07-03-1984", "", "1984-03-07", corrected, "-"},
		{"German dots", "07.03.1984", "DE", "1984-03-07", corrected, "-"},
		{"single digits", "7.3.1984", "DE", "1984-03-07", corrected, "-"},
		{"two-digit year", "07.03.84", "DE", "1984-03-07", corrected, "date.two_digit_year"},
		{"two-digit year, this century", "07.03.05", "DE", "2005-03-07", corrected, "date.two_digit_year"},
		{"compact", "19840307", "", "1984-03-07", corrected, ""},
		{"compact day first", "07031984", "", "1984-03-07", corrected, "-"},
		{"English", "7 March 1984", "", "1984-03-07", corrected, ""},
		{"English, month first", "March 7, 1984", "", "1984-03-07", corrected, ""},
		{"English ordinal", "7th March 1984", "", "1984-03-07", corrected, ""},
		{"French", "7 mars 1984", "", "1984-03-07", corrected, ""},
		{"French 1er", "1er mars 1984", "", "1984-03-01", corrected, ""},
		{"French accents", "7 décembre 1984", "", "1984-12-07", corrected, ""},
		{"French abbreviation", "7 févr. 1984", "", "1984-02-07", corrected, ""},
		{"German", "7. März 1984", "", "1984-03-07", corrected, ""},
		{"Spanish", "7 de marzo de 1984", "", "1984-03-07", corrected, ""},
		{"abbreviated month, dashes", "07-Mar-1984", "", "1984-03-07", corrected, ""},
		{"spreadsheet serial", "30748", "", "1984-03-07", corrected, "date.excel_serial"},
		{"with a time, day first", "07/03/1984 00:00", "FR", "1984-03-07", corrected, "date.time_dropped"},
		{"31 February", "31/02/1984", "FR", "31/02/1984", invalidSt, "date.impossible"},
		{"29 February, leap year", "29/02/1984", "FR", "1984-02-29", corrected, ""},
		{"29 February, not leap", "29/02/1985", "FR", "29/02/1985", invalidSt, "date.impossible"},
		{"month 13 both ways", "13/13/1984", "FR", "13/13/1984", invalidSt, "date.impossible"},
		{"day 0", "1984-03-00", "", "1984-03-00", invalidSt, "date.impossible"},
		{"too old", "1850-01-01", "", "1850-01-01", invalidSt, "date.too_old"},
		{"future", "2030-01-01", "", "2030-01-01", invalidSt, "date.in_future"},
		{"tomorrow", "2026-11-21", "", "2026-11-21", invalidSt, "date.in_future"},
		{"sentinel 1900", "01/01/1900", "", "01/01/1900", invalidSt, "date.placeholder"},
		{"zeros", "0000-00-00", "", "0000-00-00", invalidSt, "date.placeholder"},
		{"year only", "1984", "", "1984", invalidSt, "date.incomplete"},
		{"month and year", "03/1984", "", "03/1984", invalidSt, "date.incomplete"},
		{"month name and year", "March 1984", "", "March 1984", invalidSt, "date.incomplete"},
		{"words", "born in spring", "", "born in spring", invalidSt, "date.unrecognized_format"},
		{"too many numbers", "1984-03-07-01", "", "1984-03-07-01", invalidSt, "date.unrecognized_format"},
		{"placeholder", "n/a", "", "n/a", invalidSt, "date.placeholder"},
		{"empty", "", "", "", missing, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			checkField(t, "DateIn("+c.raw+", "+c.country+")", n.DateIn(c.raw, c.country), c.value, c.status, c.issue)
		})
	}
	if got := n.Date("07/03/1984"); got.Value != "1984-03-07" {
		t.Errorf("Date is not day first: %+v", got)
	}
}
