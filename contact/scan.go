package contact

import (
	"bytes"
	"encoding/json"
	"strings"
)

// A tiny scanner over JSON already known to be valid (json.Valid): it splits objects into
// members and arrays into elements as sub-slices of the input, without the reflection
// and maps encoding/json needs to do the same. Decode validates first and falls back to
// encoding/json (and its error messages) for anything else.

// member is one key/value pair of an object; val is the raw value.
type member struct {
	key string
	val json.RawMessage
}

// members returns the members of the object v, in order; ok is false when v is not an
// object. A key repeated keeps its last value, as encoding/json does.
func members(v []byte) (out []member, ok bool) { return appendMembers(nil, v) }

// appendMembers is members appending to dst[:0]: decoding passes an array on its stack,
// so that splitting a record allocates nothing.
func appendMembers(dst []member, v []byte) (out []member, ok bool) {
	out, ok = appendAllMembers(dst, v)
	// Last value wins for repeated keys (rare: quadratic on a handful of keys is fine).
	for a := 0; a < len(out); a++ {
		for b := a + 1; b < len(out); b++ {
			if out[a].key == out[b].key {
				out = append(out[:a], out[a+1:]...)
				a--
				break
			}
		}
	}
	return out, ok
}

// appendAllMembers is appendMembers keeping a repeated key's every member, in order
// (Decode refuses a record field given twice).
func appendAllMembers(dst []member, v []byte) (out []member, ok bool) {
	i := skipSpace(v, 0)
	if i >= len(v) || v[i] != '{' {
		return nil, false
	}
	out = dst[:0]
	i = skipSpace(v, i+1)
	if i < len(v) && v[i] == '}' {
		return out, true
	}
	for i < len(v) {
		end := valueEnd(v, i) // the key: a string
		var key string
		if raw := v[i:end]; len(raw) >= 2 && bytes.IndexByte(raw, '\\') < 0 {
			key = knownKey(raw[1 : len(raw)-1])
		} else if key, ok = unmarshalString(raw); !ok {
			return nil, false
		}
		i = skipSpace(v, end)
		i = skipSpace(v, i+1) // ':'
		end = valueEnd(v, i)
		out = append(out, member{key: key, val: v[i:end]})
		i = skipSpace(v, end)
		if i >= len(v) || v[i] == '}' {
			break
		}
		i = skipSpace(v, i+1) // ','
	}
	return out, true
}

// elements returns the raw elements of the array v; ok is false when v is not an array.
func elements(v []byte) (out []json.RawMessage, ok bool) { return appendElements(nil, v) }

// appendElements is elements appending to dst[:0] (see appendMembers).
func appendElements(dst []json.RawMessage, v []byte) (out []json.RawMessage, ok bool) {
	i := skipSpace(v, 0)
	if i >= len(v) || v[i] != '[' {
		return nil, false
	}
	out = dst[:0]
	i = skipSpace(v, i+1)
	for i < len(v) && v[i] != ']' {
		end := valueEnd(v, i)
		out = append(out, v[i:end])
		i = skipSpace(v, end)
		if i < len(v) && v[i] == ',' {
			i = skipSpace(v, i+1)
		}
	}
	return out, true
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// valueEnd returns the index just after the value starting at b[i].
func valueEnd(b []byte, i int) int {
	switch b[i] {
	case '"':
		for j := i + 1; j < len(b); j++ {
			switch b[j] {
			case '\\':
				j++
			case '"':
				return j + 1
			}
		}
		return len(b)
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return j + 1
				}
			case '"':
				j = valueEnd(b, j) - 1
			}
		}
		return len(b)
	default: // number, true, false, null
		j := i
		for j < len(b) && !strings.ContainsRune(",}] \t\n\r", rune(b[j])) {
			j++
		}
		return j
	}
}

// unmarshalString decodes a JSON string with escapes through encoding/json. It is a
// function of its own so that the string escapes to the heap on this rare path only.
func unmarshalString(raw []byte) (string, bool) {
	var s string
	err := json.Unmarshal(raw, &s)
	return s, err == nil
}
