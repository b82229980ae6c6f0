package normalize

import (
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/steward-crm/steward/contact"
	"github.com/steward-crm/steward/fold"
)

// Date normalizes a birth date with no country hint (day before month); see DateIn.
func (n *Normalizer) Date(raw string) contact.Field { return n.DateIn(raw, "") }

// DateIn normalizes a birth date to "YYYY-MM-DD". It reads YYYY-MM-DD (a time part is
// dropped: "date.time_dropped"), DD/MM/YYYY, DD-MM-YYYY, DD.MM.YYYY, YYYYMMDD, month names
// in English, French, German, Spanish and Italian ("7 March 1984", "March 7, 1984",
// "7 mars 1984", "1er mars 1984", "7. März 1984") and 5-digit spreadsheet serials
// ("date.excel_serial"). The day comes first unless country (alpha-2 or name) is US,
// where it is MM/DD/YYYY (a dotted date is day first there too); a date whose first number cannot be the expected one is read
// the other way round ("date.day_month_swapped"), one that reads both ways is kept in the
// expected order and noted ("date.ambiguous_day_month"). Two-digit years are placed in
// the last hundred years ("date.two_digit_year").
//
// Impossible dates are invalid: "date.impossible" (31/02), "date.too_old" (before 1900),
// "date.in_future", "date.placeholder" (1900-01-01, 0000-00-00), "date.incomplete"
// (a year or month alone), "date.unrecognized_format".
func (n *Normalizer) DateIn(raw, country string) contact.Field {
	s := clean(raw)
	if s == "" {
		return contact.Missing()
	}
	if n.isPlaceholder(s) {
		return invalid(raw, "date.placeholder")
	}
	var issues []string
	if len(s) > 10 && s[4] == '-' && s[7] == '-' && (s[10] == 'T' || s[10] == ' ') {
		// A time ("T10:30:00Z", " 10:30"), dropped; anything else after the date is no
		// date ("1984-03-07 garbage" was read as a date whose time was dropped).
		if t := s[11:]; len(t) < 5 || !isDigitByte(t[0]) || !isDigitByte(t[1]) || t[2] != ':' {
			return invalid(raw, "date.unrecognized_format")
		}
		s = s[:10]
		issues = append(issues, "date.time_dropped")
	}
	now := n.now()
	y, m, d, more, code := n.readDate(s, n.countryCode(country) == "US", now.Year())
	if code != "" {
		return invalid(raw, code)
	}
	issues = append(issues, more...)
	if y == 0 && m == 0 && d == 0 {
		return invalid(raw, "date.placeholder")
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.After(now) && slices.Contains(issues, "date.two_digit_year") {
		// "12/12/26" read on 2026-11-20: the last hundred years end today.
		y -= 100
		t = time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	}
	switch {
	case m < 1 || m > 12 || d < 1 || t.Day() != d:
		return invalid(raw, "date.impossible")
	case y == 1900 && m == 1 && d == 1:
		return invalid(raw, "date.placeholder")
	case y < 1900:
		return invalid(raw, "date.too_old")
	case t.After(now):
		return invalid(raw, "date.in_future")
	}
	return fieldOf(raw, isoDate(y, m, d), issues)
}

// readDate reads year, month and day from s; code is an issue code when s is not a date.
func (n *Normalizer) readDate(s string, us bool, thisYear int) (y, m, d int, issues []string, code string) {
	var nums []string
	month := 0
	for _, t := range dateTokens(s) {
		if t[0] >= '0' && t[0] <= '9' {
			nums = append(nums, t)
			continue
		}
		k := fold.Key(t)
		if mo, ok := n.t.Months[strings.ReplaceAll(k, " ", "")]; ok && month == 0 {
			month = mo
			continue
		}
		switch k {
		case "er", "st", "nd", "rd", "th", "de", "of", "the", "del", "den":
			continue
		}
		return 0, 0, 0, nil, "date.unrecognized_format"
	}
	atoi := func(t string) int { v, _ := strconv.Atoi(t); return v }
	year := func(t string) int {
		v := atoi(t)
		if len(t) <= 2 {
			issues = append(issues, "date.two_digit_year")
			if v += 2000; v > thisYear {
				v -= 100
			}
		}
		return v
	}
	if month != 0 {
		if len(nums) != 2 {
			return 0, 0, 0, nil, "date.incomplete"
		}
		dd, yy := nums[0], nums[1]
		if len(dd) == 4 {
			dd, yy = yy, dd
		}
		if len(dd) > 2 || len(yy) > 4 || len(yy) == 3 {
			return 0, 0, 0, nil, "date.unrecognized_format"
		}
		return year(yy), month, atoi(dd), issues, ""
	}
	if len(nums) > 3 && strings.Contains(s, ":") {
		nums = nums[:3] // "07/03/1984 00:00"
		issues = append(issues, "date.time_dropped")
	}
	switch {
	case len(nums) == 1 && len(nums[0]) == 8:
		t := nums[0]
		// YYYYMMDD when it reads as a month and day, else DDMMYYYY ("20011990").
		if y, m, d := atoi(t[:4]), atoi(t[4:6]), atoi(t[6:]); y >= 1800 && y <= 2199 && m >= 1 && m <= 12 && d >= 1 && d <= 31 {
			return y, m, d, nil, ""
		}
		nums = []string{t[:2], t[2:4], t[4:]}
	case len(nums) == 1 && len(nums[0]) == 5:
		v := atoi(nums[0])
		t := time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC).AddDate(0, 0, v)
		return t.Year(), int(t.Month()), t.Day(), []string{"date.excel_serial"}, ""
	case len(nums) == 1 && len(nums[0]) == 4, len(nums) == 2:
		return 0, 0, 0, nil, "date.incomplete"
	}
	if len(nums) != 3 || len(nums[0]) > 4 || len(nums[1]) > 2 || len(nums[2]) > 4 {
		return 0, 0, 0, nil, "date.unrecognized_format"
	}
	if len(nums[0]) == 4 {
		return atoi(nums[0]), atoi(nums[1]), atoi(nums[2]), issues, ""
	}
	if len(nums[2]) == 3 {
		return 0, 0, 0, nil, "date.unrecognized_format"
	}
	a, b := atoi(nums[0]), atoi(nums[1])
	day, mon := a, b
	// Dots are the day-first countries' separator ("07.03.1984", German and Swiss): an
	// American writes slashes, so a dotted date on a US record was a European's, read
	// month first.
	if us && !strings.Contains(s, ".") {
		day, mon = b, a
	}
	switch {
	case mon > 12 && day <= 12:
		day, mon = mon, day
		issues = append(issues, "date.day_month_swapped")
	case a <= 12 && b <= 12 && a != b:
		issues = append(issues, "date.ambiguous_day_month")
	}
	return year(nums[2]), mon, day, issues, ""
}

// dateTokens cuts s into runs of digits and runs of letters.
func dateTokens(s string) []string {
	toks := make([]string, 0, 4)
	start, kind := -1, 0
	for i, r := range s {
		k := 0
		switch {
		case r >= '0' && r <= '9':
			k = 1
		case unicode.IsLetter(r) || unicode.IsMark(r):
			k = 2
		}
		if k != kind && start >= 0 {
			toks = append(toks, s[start:i])
			start = -1
		}
		if k != 0 && start < 0 {
			start = i
		}
		kind = k
	}
	if start >= 0 {
		toks = append(toks, s[start:])
	}
	return toks
}

// isoDate writes YYYY-MM-DD (fmt.Sprintf costs more than the rest of DateIn).
func isoDate(y, m, d int) string {
	return string([]byte{byte('0' + y/1000%10), byte('0' + y/100%10), byte('0' + y/10%10), byte('0' + y%10), '-',
		byte('0' + m/10), byte('0' + m%10), '-', byte('0' + d/10), byte('0' + d%10)})
}

func isDigitByte(c byte) bool { return c >= '0' && c <= '9' }
