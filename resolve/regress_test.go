package resolve

import (
	"testing"

	"github.com/steward-crm/steward/rules"
)

// TestUndatedComebackKeepsNewestTime: 264ffd6 made an update without updated_at keep
// the stored (newest) time, so that an older version delivered later is stale. A
// withdrawn record that comes back with an undated version takes resolveNew, which
// still stores the record's zero time: the withdrawal's T3 is erased, and a version of
// T1 delivered afterwards replaces the newer content instead of being stale (as it is
// when the record was not withdrawn in between: see the first half).
func TestUndatedComebackKeepsNewestTime(t *testing.T) {
	const (
		atT2    = `{"source":"crm","source_id":"91","updated_at":"2024-02-01T00:00:00Z","given_name":"Oscar","family_name":"Wildebrand","emails":["oscar.wildebrand@example.com"]}`
		delT3   = `{"source":"crm","source_id":"91","op":"delete","updated_at":"2024-03-01T00:00:00Z"}`
		undated = `{"source":"crm","source_id":"91","given_name":"Oscar","family_name":"Wildebrand","emails":["oscar.wildebrand@example.com"],"phones":["+33612345678"]}`
		atT1    = `{"source":"crm","source_id":"91","updated_at":"2024-01-01T00:00:00Z","given_name":"Oskar","family_name":"Wildebrandt","emails":["o.w@example.com"]}`
	)
	// Not withdrawn in between: the older version is stale.
	rs, r, _ := resolver(t, false)
	outs := resolveAll(t, rs, r, atT2, undated, atT1)
	if outs[2].Action != ActionStale {
		t.Fatalf("control: T1 after T2 and an undated update: %s, want stale", outs[2].Action)
	}
	// Withdrawn at T3, back undated: T1 is still older than the newest version seen.
	rs, r, _ = resolver(t, false)
	outs = resolveAll(t, rs, r, atT2, delT3, undated, atT1)
	if outs[3].Action != ActionStale {
		t.Errorf("T1 after a withdrawal at T3 and an undated comeback: %s, want stale", outs[3].Action)
	}
}

// TestUndatedDeleteIngestedTwiceSubMicrosecond: 264ffd6/4fef4b8 make an upsert of the
// withdrawal's time stale ("a file with an undated delete, ingested twice, made a
// master"), comparing the record's time with the stored one exactly. PostgreSQL stores
// microseconds (SQLite nanoseconds): with an updated_at of sub-microsecond precision
// (Java Instant, RFC3339Nano exporters) the re-ingested upsert is after the stored time,
// and comes back as a master on PostgreSQL only.
func TestUndatedDeleteIngestedTwiceSubMicrosecond(t *testing.T) {
	const (
		upsert = `{"source":"crm","source_id":"92","updated_at":"2024-01-01T00:00:00.1234567Z","given_name":"Oscar","family_name":"Wildebrand","emails":["oscar.wildebrand@example.com"]}`
		del    = `{"source":"crm","source_id":"92","op":"delete"}`
	)
	r := rules.Default()
	for name, rs := range map[string]*Resolver{
		"sqlite":     func() *Resolver { rs, _ := sqliteResolver(t, r); return rs }(),
		"postgresql": func() *Resolver { rs, _ := postgresResolver(t, r); return rs }(),
	} {
		resolveAll(t, rs, r, upsert, del)
		again := resolveAll(t, rs, r, upsert, del)
		if again[0].Action == ActionNewMaster || again[0].Action == ActionLinked {
			t.Errorf("%s: the file ingested again: %s then %s", name, again[0].Action, again[1].Action)
		}
	}
}
