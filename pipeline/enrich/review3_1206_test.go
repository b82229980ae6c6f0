package enrich

import (
	"slices"
	"testing"
)

// TestReview3TimezonesOfTheCountry: the time zones come from phonenumbers' prefix data
// (v1.8.1, the latest), which maps Ireland's +353 to Europe/Guernsey, Europe/Isle_of_Man
// and Europe/London (an upstream regression, fixed in libphonenumber 9.0.22) and the
// Baltic states and Belarus to the zone of a neighbour keeping the same offset (CLDR's
// metazone fallback: Lithuania, Latvia and Estonia to Europe/Bucharest, Belarus to
// Europe/Moscow). enrich.phone wrote those as the phone's time zones.
func TestReview3TimezonesOfTheCountry(t *testing.T) {
	for _, tc := range []struct{ number, want string }{
		{"+353861234567", "Europe/Dublin"}, // Irish mobile
		{"+35312345678", "Europe/Dublin"},  // Dublin fixed line
		{"+37060012345", "Europe/Vilnius"}, // Lithuania
		{"+37121234567", "Europe/Riga"},    // Latvia
		{"+3725123456", "Europe/Tallinn"},  // Estonia
		{"+375171234567", "Europe/Minsk"},  // Belarus
		{"+447700900123", "Europe/London"}, // unchanged
		{"+33612345678", "Europe/Paris"},   // unchanged
	} {
		if got := Timezones(tc.number); !slices.Equal(got, []string{tc.want}) && !(tc.want == "Europe/London" && slices.Contains(got, tc.want)) {
			t.Errorf("Timezones(%s) = %v, want [%s]", tc.number, got, tc.want)
		}
	}
}

// TestReview3TimezonesShortInput: a too short number has no zone (and no panic).
func TestReview3TimezonesShortInput(t *testing.T) {
	for _, s := range []string{"+3", "+35", "+353"} {
		_ = Timezones(s)
	}
	if got := Timezones("+353"); !slices.Equal(got, []string{"Europe/Dublin"}) {
		t.Errorf("Timezones(+353) = %v", got)
	}
}

// TestReview3DepartementNot970: 970xx is no département (the overseas ones are 971–974
// and 976); Departement gave "970", written as the record's département.
func TestReview3DepartementNot970(t *testing.T) {
	for _, pc := range []string{"97000", "97099"} {
		if got := Departement(pc); got != "" {
			t.Errorf("Departement(%q) = %q, want \"\"", pc, got)
		}
	}
}
