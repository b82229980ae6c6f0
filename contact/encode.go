package contact

import "encoding/json"

// Encode is the JSON of r as the warehouse stores and hashes it. It is encoding/json's,
// not the faster encoder the resolver uses for golden records and events:
// segmentio/encoding/json ignores omitzero, and a record without updated_at would
// encode it as year 1, changing its stored hash (every such record would look changed
// once after an upgrade).
func Encode(r *Record) ([]byte, error) { return json.Marshal(r) }
