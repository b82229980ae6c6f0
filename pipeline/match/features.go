package match

import (
	"github.com/steward-crm/steward/contact"
	"github.com/steward-crm/steward/rules"
)

// compareFields are rules.CompareFields, read once.
var compareFields = rules.CompareFields()

// numFields is the number of compared fields: Features holds their values in an array,
// one pointer hop less per comparison than a slice (scoring millions of pairs is bound by
// memory latency). A test checks it against rules.CompareFields.
const numFields = 13

// fieldIDs numbers the compared fields of rules.CompareFields, so that a record's values
// are extracted once into an array instead of being looked up per comparison.
var fieldIDs = func() map[string]int {
	if len(compareFields) != numFields {
		panic("match: numFields is out of date with rules.CompareFields")
	}
	m := map[string]int{}
	for i, f := range compareFields {
		m[f] = i
	}
	return m
}()

var (
	givenID  = fieldIDs["given_name"]
	familyID = fieldIDs["family_name"]
)

// Features are the comparable values of one record, extracted once (folded keys, E.164
// numbers, ISO dates), so that scoring many pairs does no extraction. A Features value is
// read-only once built and safe for concurrent use.
type Features struct {
	vals [numFields][]string
	// one holds the value of each single-valued field (vals[id] points into it).
	one [numFields]string
}

// Features extracts the values of the fields the comparisons use. A nil record gives
// empty features (every comparison missing).
func (e *Engine) Features(n *contact.Normalized) *Features {
	f := &Features{}
	if n == nil {
		return f
	}
	for _, id := range e.usedFields {
		if vs := appendValues(f.one[id:id:id+1], n, compareFields[id]); len(vs) > 0 {
			f.vals[id] = vs
		}
	}
	return f
}

// Value returns the first value of a field ("" when missing).
func (f *Features) Value(field string) string {
	id, ok := fieldIDs[field]
	if !ok || len(f.vals[id]) == 0 {
		return ""
	}
	return f.vals[id][0]
}

// get returns the values of field id; side a of a swapped comparison reads given and
// family names crosswise.
func (f *Features) get(id int, swap bool) []string {
	if swap {
		switch id {
		case givenID:
			id = familyID
		case familyID:
			id = givenID
		}
	}
	return f.vals[id]
}

// crosswise reports whether both records have a given and a family name, so that the
// crosswise reading (one record's given name against the other's family name) is tried
// too: sources swap the two, often together with a typo.
//
// As a cheap filter (most pairs are not swapped), one of the crosswise names must start
// with the same letter as the name it would be compared with.
func crosswise(a, b *Features) bool {
	if len(a.vals[givenID]) != 1 || len(a.vals[familyID]) != 1 || len(b.vals[givenID]) != 1 || len(b.vals[familyID]) != 1 {
		return false
	}
	ag, af, bg, bf := a.vals[givenID][0], a.vals[familyID][0], b.vals[givenID][0], b.vals[familyID][0]
	if ag == bg && af == bf {
		return false
	}
	return ag[0] == bf[0] || af[0] == bg[0]
}
