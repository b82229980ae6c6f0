package company

import "testing"

func TestDUNS(t *testing.T) {
	runFieldCases(t, DUNS, []fieldCase{
		{"canonical", "150483782", valid("150483782")},
		{"dashes", "15-048-3782", corrected("150483782")},
		{"spaces", "15 048 3782", corrected("150483782")},
		{"dots", "15.048.3782", corrected("150483782")},
		{"leading zeros kept", "00-121-4567", corrected("001214567")},
		{"spaces around", " 150483782\t", valid("150483782")},
		{"8 digits", "15048378", bad("15048378", "duns.bad_length")},
		{"10 digits", "1504837820", bad("1504837820", "duns.bad_length")},
		{"DUNS+4 suffix", "150483782-0001", bad("150483782-0001", "duns.bad_length")},
		{"letter", "15O483782", bad("15O483782", "duns.bad_format")},
		{"label", "DUNS 150483782", bad("DUNS 150483782", "duns.bad_format")},
		{"all zero", "000000000", bad("000000000", "duns.all_zero")},
		{"all zero with dashes", "00-000-0000", bad("00-000-0000", "duns.all_zero")},
		{"empty", "", missing},
	})
}
