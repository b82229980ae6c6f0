package synth

import (
	"strings"
	"testing"
)

func TestCorruptionIntensity(t *testing.T) {
	levels := []float64{None, 0.25, 0.5, 1}
	prevOps, prevDiff := -1.0, -1.0
	for _, level := range levels {
		recs, g := all(t, Config{N: 8000, Corruption: level, Seed: 11})
		s := g.Stats()
		ops := float64(s.CorruptionOps) / float64(s.DupRecords)
		// External measure: share of multi-record entities whose records do not all carry
		// the same name.
		names := map[string]map[string]int{}
		for _, r := range recs {
			id := r.Attributes["entity_id"].(string)
			if names[id] == nil {
				names[id] = map[string]int{}
			}
			names[id][r.GivenName+"|"+r.FamilyName+"|"+r.FullName]++
		}
		differ, total := 0, 0
		for _, m := range names {
			n := 0
			for _, c := range m {
				n += c
			}
			if n > 1 {
				total++
				if len(m) > 1 {
					differ++
				}
			}
		}
		diff := float64(differ) / float64(total)
		t.Logf("Corruption %5.2f: %.2f ops per duplicate, %.1f%% of duplicate entities with differing names, %d restored, hard negatives %v",
			level, ops, 100*diff, s.Restored, s.HardNegatives)
		if level == None && s.CorruptionOps != 0 {
			t.Errorf("Corruption None applied %d operations", s.CorruptionOps)
		}
		if ops <= prevOps || diff <= prevDiff {
			t.Errorf("Corruption %g: %.2f ops, %.3f name diff; not above the lower level's %.2f, %.3f",
				level, ops, diff, prevOps, prevDiff)
		}
		prevOps, prevDiff = ops, diff
	}
	if prevOps < 3 || prevDiff < 0.8 {
		t.Errorf("Corruption 1 is not hard: %.2f ops per duplicate, %.2f names differ", prevOps, prevDiff)
	}
}

// TestDuplicatesKeepEvidence checks that every corrupted duplicate shares a strong fact
// with its entity's first record, and that the facts bookkeeping tells the truth.
func TestDuplicatesKeepEvidence(t *testing.T) {
	r := newRand(5, streamMain, 0)
	stats := Stats{Corruptions: map[string]int{}}
	c := &corrupter{r: r, level: 1, stats: &stats}
	srcs := newSources(DefaultSources)
	cache := companyCache{seed: 5}
	for i := range 20000 {
		cc := allCountries[i%4]
		var co *Company
		if i%2 == 0 {
			co = cache.get(cc, r.IntN(50))
		}
		e := newEntity(r, i, cc, co)
		base := render(r, e, srcs[r.IntN(4)])
		checkFacts(t, base)
		if base.facts&strongFacts == 0 {
			t.Fatalf("base record without strong fact: %+v", base.rec)
		}
		x := render(r, e, srcs[r.IntN(4)])
		c.corrupt(x, base)
		checkFacts(t, x)
		if x.facts&base.facts&strongFacts == 0 {
			t.Fatalf("duplicate shares no strong fact with its base:\n%+v\n%+v", base.rec, x.rec)
		}
		if x.rec.GivenName+x.rec.FamilyName+x.rec.FullName == "" {
			t.Fatalf("duplicate lost its name: %+v", x.rec)
		}
	}
	if stats.CorruptionOps < 20000*3 {
		t.Errorf("only %d corruption operations on 20000 duplicates at level 1", stats.CorruptionOps)
	}
	for _, op := range model {
		if stats.Corruptions[op.name] == 0 {
			t.Errorf("operation %s never applied", op.name)
		}
	}
}

// checkFacts verifies that each fact a rendering claims is really in its record.
func checkFacts(t *testing.T, x *rendering) {
	t.Helper()
	rec, e := x.rec, x.e
	hasEmail := func(m string) bool {
		for _, got := range rec.Emails {
			if emailKey(got) == emailKey(m) {
				return true
			}
		}
		return false
	}
	hasPhone := func(p *phone) bool {
		for _, got := range rec.Phones {
			if strings.HasSuffix(digitsOnly(got), p.nsn()) || strings.Contains(digitsOnly(got), p.nsn()) {
				return true
			}
		}
		return false
	}
	check := func(f uint32, ok bool, what string) {
		if x.facts&f != 0 && !ok {
			t.Fatalf("record claims %s but lacks it: %+v (entity %+v)", what, rec, e)
		}
	}
	check(factPersonal, hasEmail(e.personal), "personal e-mail")
	check(factCorporate, hasEmail(e.corporate), "corporate e-mail")
	check(factOld, hasEmail(e.old), "old e-mail")
	check(factMobile, e.mobile != nil && hasPhone(e.mobile), "mobile")
	check(factHome, e.home != nil && hasPhone(e.home), "home phone")
	check(factDirect, e.direct != nil && hasPhone(e.direct), "direct line")
	check(factBirth, rec.BirthDate != "", "birth date")
	check(factHomeAddr, rec.Address != nil, "home address")
}

func digitsOnly(s string) string {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			b = append(b, s[i])
		}
	}
	return string(b)
}

func TestHardNegatives(t *testing.T) {
	recs, g := all(t, Config{N: 20000, Corruption: 1, Seed: 2})
	s := g.Stats()
	for _, name := range relationNames {
		if s.HardNegatives[name] == 0 {
			t.Errorf("no %s hard negative in 20000 records", name)
		}
	}
	// Observable in the output: different entities with the same full name, and different
	// entities at the same street address.
	byName, byAddr := map[string]string{}, map[string]string{}
	sameName, sameAddr := 0, 0
	for _, r := range recs {
		id := r.Attributes["entity_id"].(string)
		if r.GivenName != "" && r.FamilyName != "" {
			k := r.GivenName + " " + r.FamilyName
			if other, ok := byName[k]; ok && other != id {
				sameName++
			}
			byName[k] = id
		}
		if r.Address != nil && len(r.Address.Lines) > 0 && r.Address.Postcode != "" {
			k := r.Address.Lines[0] + "|" + r.Address.Postcode
			if other, ok := byAddr[k]; ok && other != id {
				sameAddr++
			}
			byAddr[k] = id
		}
	}
	t.Logf("%d same-name and %d same-address record pairs across entities", sameName, sameAddr)
	if sameName < 100 || sameAddr < 100 {
		t.Errorf("too few hard negatives visible: %d same name, %d same address", sameName, sameAddr)
	}
}
