// Package match is steward's resolution engine: blocking keys, field comparators (on
// github.com/xrash/smetrics), Fellegi–Sunter scoring with a per-field explanation, the
// link/review/new decision, and survivorship of golden records.
//
// It is pure: no I/O, no SQL, no Kafka. It must not import warehouse, handlers or web.
// An Engine is built once from the rules and is safe for concurrent use.
package match
