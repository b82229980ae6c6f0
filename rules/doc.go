// Package rules is the typed model and the loader of steward's rule files: reference
// tables (countries, civilities, nicknames, street types, e-mail domains...), blocking
// rules, comparisons with their weights, decision thresholds, survivorship and quality
// weights. Rules are data: changing a threshold or a table never needs a rebuild.
//
// rules/default holds the embedded defaults (go:embed), so that the binary works with no
// file around it. Load reads a directory with the same layout.
//
// It imports only contact-free, I/O-free packages; pipeline packages read a *Rules.
package rules
