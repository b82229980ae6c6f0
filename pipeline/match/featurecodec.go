package match

import (
	"strconv"
	"strings"

	"github.com/steward-crm/steward/contact"
)

// Encoded features: the warehouse stores each source record's comparable values with it,
// so that streaming resolution scores candidates without decoding their record JSON
// (decoding was half the cost of a resolution).
//
// The encoding is FeaturesVersion, then the values of every compared field (not only those
// the current rules use, so that a rules change needs no rewrite) in rules.CompareFields
// order: fields separated by 0x1E, values of one field by 0x1F.

// featuresCodec is bumped whenever the extraction of values (fields.go) changes meaning:
// stored features of another version are ignored and the record is decoded instead.
const featuresCodec = 1

// FeaturesVersion prefixes encoded features.
var FeaturesVersion = "f" + strconv.Itoa(featuresCodec) + "." + strconv.Itoa(numFields) + "|"

const (
	fieldSep = '\x1e'
	valueSep = '\x1f'
)

// EncodeFeatures encodes the comparable values of a normalized record for storage. It
// returns "" when a value holds a separator byte (the record is then decoded instead).
func EncodeFeatures(n *contact.Normalized) string {
	var b strings.Builder
	b.Grow(256)
	b.WriteString(FeaturesVersion)
	var vals []string
	for id, field := range compareFields {
		if id > 0 {
			b.WriteByte(fieldSep)
		}
		vals = appendValues(vals[:0], n, field)
		for i, v := range vals {
			if strings.ContainsAny(v, "\x1e\x1f") {
				return ""
			}
			if i > 0 {
				b.WriteByte(valueSep)
			}
			b.WriteString(v)
		}
	}
	return b.String()
}

// DecodeFeatures decodes EncodeFeatures' output; ok is false for another version or a
// malformed string. The values share the string's memory.
func DecodeFeatures(s string) (f *Features, ok bool) {
	f = &Features{}
	if !DecodeFeaturesInto(s, f) {
		return nil, false
	}
	return f, true
}

// DecodeFeaturesInto is DecodeFeatures into f, whose previous values it replaces (a
// resolver decodes each candidate into the same scratch Features and keeps only the
// best ones). On false f is left unusable.
func DecodeFeaturesInto(s string, f *Features) bool {
	rest, found := strings.CutPrefix(s, FeaturesVersion)
	if !found {
		return false
	}
	f.vals = f.inline[:0]
	for id := range numFields {
		part := rest
		if i := strings.IndexByte(rest, fieldSep); i >= 0 {
			part, rest = rest[:i], rest[i+1:]
		} else if id != numFields-1 {
			return false
		} else {
			rest = ""
		}
		if part != "" {
			for v := range strings.SplitSeq(part, string(valueSep)) {
				if len(f.vals) < maxValues {
					f.vals = append(f.vals, v)
				}
			}
		}
		f.end[id] = uint16(len(f.vals))
	}
	return true
}
