// Package recleanse is steward's batch engine: it reads whole files (later: the whole
// warehouse), normalizes every record, blocks them into candidate pairs, trains or applies
// the match model, scores the pairs, clusters the records and measures the result against
// a ground truth when there is one. It backs `steward dedupe`, `steward link` and
// `steward train`.
//
// It works in memory on compact per-record features (not whole records), in parallel on
// every core, and its output depends only on the input records and the rules, not on the
// order the records come in. It must not import handlers or web.
package recleanse
