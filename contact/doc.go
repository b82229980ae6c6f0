// Package contact is steward's domain model: Record (one source record as an upstream
// system sent it, plus its normalized form), Master (a golden record) and the Field value
// with its status and issue codes.
//
// It is the bottom of the dependency graph: it imports nothing of steward's.
package contact
