// Package service wires steward from a validated Config: rules, Store, stages, match
// engine, resolver, Watermill router, and the jobs the commands run (ingest, export,
// stats, normalize). cmd/steward only parses flags and calls it.
package service
