package company

import "testing"

func TestLEI(t *testing.T) {
	runFieldCases(t, LEI, []fieldCase{
		{"GLEIF documentation example", "5493001KJTIIGC8Y1R12", valid("5493001KJTIIGC8Y1R12")},
		{"stdnum example", "213800KUD8LAJWSQ9D15", valid("213800KUD8LAJWSQ9D15")},
		{"GLEIF's own", "506700GE1G29325QX363", valid("506700GE1G29325QX363")},
		{"lower case", "5493001kjtiigc8y1r12", corrected("5493001KJTIIGC8Y1R12")},
		{"grouped by 4", "5493 001K JTII GC8Y 1R12", corrected("5493001KJTIIGC8Y1R12")},
		{"dashes, spaces around", " 5493-001K-JTII-GC8Y-1R12 ", corrected("5493001KJTIIGC8Y1R12")},
		{"stdnum bad example", "213800KUD8LXJWSQ9D15", bad("213800KUD8LXJWSQ9D15", "lei.bad_checksum")},
		{"check digits changed", "5493001KJTIIGC8Y1R13", bad("5493001KJTIIGC8Y1R13", "lei.bad_checksum")},
		{"two characters swapped", "5493001KJTIIGC8YR112", bad("5493001KJTIIGC8YR112", "lei.bad_checksum")},
		{"letter O for zero", "5493OO1KJTIIGC8Y1R12", bad("5493OO1KJTIIGC8Y1R12", "lei.bad_checksum")},
		{"letters in check digits", "5493001KJTIIGC8Y1RAB", bad("5493001KJTIIGC8Y1RAB", "lei.bad_format")},
		{"19 characters", "5493001KJTIIGC8Y1R1", bad("5493001KJTIIGC8Y1R1", "lei.bad_length")},
		{"21 characters", "5493001KJTIIGC8Y1R120", bad("5493001KJTIIGC8Y1R120", "lei.bad_length")},
		{"accented letter", "5493001KJTIIGC8Y1RÉ2", bad("5493001KJTIIGC8Y1RÉ2", "lei.bad_format")},
		{"all zero", "00000000000000000000", bad("00000000000000000000", "lei.bad_checksum")},
		{"empty", "", missing},
	})
	mustUsable(t, LEI, publishedLEI)
}
