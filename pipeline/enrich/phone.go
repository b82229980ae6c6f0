package enrich

import (
	"strings"

	"context"

	"github.com/nyaruka/phonenumbers"
	"github.com/steward-crm/steward/contact"
	"github.com/steward-crm/steward/pipeline"
	"github.com/steward-crm/steward/rules"
)

// Phone is the "enrich.phone" stage: type, region and IANA time zones of the record's
// first usable phone (the normalizer already stored type and region; the time zones
// come from phonenumbers' prefix data). Numbers whose zone is unknown get none.
type Phone struct{}

// NewPhone builds the "enrich.phone" stage.
func NewPhone(*rules.Rules) (pipeline.Stage, error) { return Phone{}, nil }

// Name returns "enrich.phone".
func (Phone) Name() string { return "enrich.phone" }

// Process sets Enrichment.PhoneType, PhoneRegion and PhoneTimezones.
func (Phone) Process(_ context.Context, r *contact.Record) error {
	n := pipeline.EnsureNorm(r)
	for _, p := range n.Phones {
		if !p.Usable() {
			continue
		}
		e := enrichment(r)
		e.PhoneType, e.PhoneRegion = p.Type, p.Region
		e.PhoneTimezones = Timezones(p.Value)
		return nil
	}
	return nil
}

// Timezones returns the IANA time zones of an E.164 number, nil when unknown.
// The lookup goes by the number's digits (phonenumbers.GetTimezonesForNumber formats the
// parsed number to E.164 and does the same), so the number is not parsed again.
func Timezones(e164 string) []string {
	if len(e164) < 3 || e164[0] != '+' || strings.Trim(e164[1:], "0123456789") != "" {
		return nil
	}
	if tz, ok := countryZones[e164[1:min(4, len(e164))]]; ok {
		return []string{tz}
	}
	tz, err := phonenumbers.GetTimezonesForPrefix(e164)
	if err != nil || len(tz) == 0 || len(tz) == 1 && tz[0] == phonenumbers.UNKNOWN_TIMEZONE {
		return nil
	}
	return tz
}

// countryZones are the one-zone countries whose zone phonenumbers' data (v1.8.1) gets
// wrong, by calling code: Ireland's is Europe/London there (an upstream regression,
// fixed in libphonenumber 9.0.22), the Baltic states' Europe/Bucharest and Belarus's
// Europe/Moscow (CLDR's metazone fallback: the same offset, another country's zone).
var countryZones = map[string]string{
	"353": "Europe/Dublin", "370": "Europe/Vilnius", "371": "Europe/Riga", "372": "Europe/Tallinn",
	"375": "Europe/Minsk",
}
