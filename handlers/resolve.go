package handlers

import (
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/steward-crm/steward/contact"
	"github.com/steward-crm/steward/resolve"
)

// Resolve resolves enriched records into the warehouse. Records handled concurrently
// (one per Kafka partition in flight) share transactions through a resolve.Batcher.
type Resolve struct {
	Resolver *resolve.Resolver
	// Batcher, when set, groups concurrent records into shared transactions (its
	// Resolver is used); nil resolves each record in its own transaction.
	Batcher *resolve.Batcher
	// Observe, when set, is told every outcome (counters, progress).
	Observe func(key string, o resolve.Outcome)
	// WriteBehind (with Batcher) acks a message once its record is queued for writing,
	// not once it is written: the caller (the embedded ingest of files, where no broker
	// redelivers anything) normalizes the next records on one core while the other
	// writes, in batches, in the order received. A record whose write fails is reported
	// to OnWriteError: a data problem (pipeline.ErrInvalidRecord) is for the dead
	// letters, anything else must stop the run. Batcher.Wait waits for the queue.
	WriteBehind bool
	// OnWriteError is told a write-behind record that could not be written, with its
	// key, position and the message's payload.
	OnWriteError func(key, position string, payload []byte, err error)
}

// Handle is the Watermill handler consuming contacts.enriched. It is idempotent: a
// redelivered message changes nothing in the warehouse.
func (h *Resolve) Handle(msg *message.Message) error {
	r, err := decodeInternal(msg)
	if err != nil {
		return fail(msg, ResolveHandler+"/decode", err)
	}
	return h.process(msg, r)
}

// process resolves msg's record r into the warehouse.
func (h *Resolve) process(msg *message.Message, r *contact.Record) error {
	var o resolve.Outcome
	var err error
	if h.WriteBehind && h.Batcher != nil {
		key, pos, payload := r.Key(), msg.Metadata.Get(PositionMetadata), msg.Payload
		h.Batcher.Submit(msg.Context(), r, pos, func(o resolve.Outcome, err error) {
			switch {
			case err != nil && h.OnWriteError != nil:
				h.OnWriteError(key, pos, payload, err)
			case err == nil && h.Observe != nil:
				h.Observe(key, o)
			}
		})
		return nil
	}
	if h.Batcher != nil {
		o, err = h.Batcher.Resolve(workCtx(msg), r, msg.Metadata.Get(PositionMetadata))
	} else {
		o, err = h.Resolver.Resolve(workCtx(msg), r, msg.Metadata.Get(PositionMetadata))
	}
	if err != nil {
		return fail(msg, ResolveHandler, err)
	}
	if h.Observe != nil {
		h.Observe(r.Key(), o)
	}
	return nil
}
