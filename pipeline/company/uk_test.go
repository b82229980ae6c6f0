package company

import "testing"

func TestCompaniesHouse(t *testing.T) {
	runFieldCases(t, CompaniesHouse, []fieldCase{
		{"England and Wales (Tesco PLC)", "00445790", valid("00445790")},
		{"leading zeros dropped", "445790", corrected("00445790")},
		{"spaces", "0044 5790", corrected("00445790")},
		{"Scotland", "SC123456", valid("SC123456")},
		{"Scotland lower case, short", "sc 12345", corrected("SC012345")},
		{"Northern Ireland", "NI012345", valid("NI012345")},
		{"LLP", "OC301540", valid("OC301540")},
		{"Scottish LLP", "SO300001", valid("SO300001")},
		{"Northern Irish LLP", "NC000123", valid("NC000123")},
		{"pre-partition Northern Ireland", "R0000123", valid("R0000123")},
		{"pre-partition, short", "R123", corrected("R0000123")},
		{"pre-partition, 7 digits not starting 0", "R1234567", bad("R1234567", "companies_house.bad_format")},
		{"unknown prefix", "XX123456", bad("XX123456", "companies_house.unknown_prefix")},
		{"9 digits", "004457901", bad("004457901", "companies_house.bad_length")},
		{"prefix and 7 digits", "SC1234567", bad("SC1234567", "companies_house.bad_length")},
		{"letters after the digits", "SC12345A", bad("SC12345A", "companies_house.bad_format")},
		{"three letters", "SCO12345", bad("SCO12345", "companies_house.bad_format")},
		{"prefix only", "SC", bad("SC", "companies_house.bad_format")},
		{"all zero", "00000000", bad("00000000", "companies_house.all_zero")},
		{"prefix and zeros", "SC000000", bad("SC000000", "companies_house.all_zero")},
		{"empty", "", missing},
	})
}
