// Package enrich derives attributes from normalized records: the record quality score
// now; phone and email classes, geography, lifecycle and RFM scores come with the
// enrichment issue. It is pure: no I/O.
package enrich
