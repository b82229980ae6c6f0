package match

import (
	"strings"

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
//
// The layout is compact because scoring millions of pairs is bound by memory latency:
// the values of every field sit in one slice, field by field, and the bytes of a record's
// values in one block, so that comparing two records touches a few cache lines of each.
type Features struct {
	end [numFields]uint16
	// vals are the values of every field; field id's are vals[end[id-1]:end[id]]. They
	// point into inline when they fit: one cache miss less per record compared.
	vals   []string
	inline [inlineValues]string
}

// inlineValues is the number of values a record keeps inside its Features (records
// have 8 to 10 values in general).
const inlineValues = 10

// maxValues bounds the values of one record that Features keeps (end is a uint16): a
// record with more (tens of thousands of e-mails) keeps the first ones.
const maxValues = 1<<16 - 1

// Features extracts the values of the fields the comparisons use. A nil record gives
// empty features (every comparison missing).
func (e *Engine) Features(n *contact.Normalized) *Features {
	f := &Features{}
	if n == nil {
		return f
	}
	var buf [24]string
	vals := buf[:0]
	var ends [numFields]int
	size := 0
	for id := range numFields {
		if e.used[id] {
			vals = appendValues(vals, n, compareFields[id])
		}
		ends[id] = len(vals)
	}
	if len(vals) == 0 {
		return f
	}
	if len(vals) > maxValues {
		vals = vals[:maxValues]
	}
	for _, v := range vals {
		size += len(v)
	}
	// One block for the bytes of all values.
	var b strings.Builder
	b.Grow(size)
	for _, v := range vals {
		b.WriteString(v)
	}
	block := b.String()
	if len(vals) <= inlineValues {
		f.vals = f.inline[:len(vals):len(vals)]
	} else {
		f.vals = make([]string, len(vals))
	}
	off := 0
	for i, v := range vals {
		f.vals[i] = block[off : off+len(v)]
		off += len(v)
	}
	for id, end := range ends {
		f.end[id] = uint16(min(end, len(vals)))
	}
	return f
}

// field returns the values of field id.
func (f *Features) field(id int) []string {
	lo := uint16(0)
	if id > 0 {
		lo = f.end[id-1]
	}
	return f.vals[lo:f.end[id]]
}

// Value returns the first value of a field ("" when missing).
func (f *Features) Value(field string) string {
	id, ok := fieldIDs[field]
	vs := f.field(id)
	if !ok || len(vs) == 0 {
		return ""
	}
	return vs[0]
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
	return f.field(id)
}

// crosswise reports whether both records have a given and a family name, so that the
// crosswise reading (one record's given name against the other's family name) is tried
// too: sources swap the two, often together with a typo.
//
// As a cheap filter (most pairs are not swapped), one of the crosswise names must start
// with the same letter as the name it would be compared with.
func crosswise(a, b *Features) bool {
	ags, afs, bgs, bfs := a.field(givenID), a.field(familyID), b.field(givenID), b.field(familyID)
	if len(ags) != 1 || len(afs) != 1 || len(bgs) != 1 || len(bfs) != 1 {
		return false
	}
	ag, af, bg, bf := ags[0], afs[0], bgs[0], bfs[0]
	if ag == bg && af == bf {
		return false
	}
	return ag[0] == bf[0] || af[0] == bg[0]
}
