// Package resolve applies the match engine to one normalized record inside one warehouse
// transaction: idempotent upsert of the source record, blocking, locking, scoring against
// candidate masters, the link / review / new-master decision, survivorship, block keys,
// audit event and outbox event. handlers.Resolve (streaming) and recleanse (batch) both
// stand on it.
//
// It imports pipeline/match and warehouse; it must not import handlers, web or Watermill.
package resolve
