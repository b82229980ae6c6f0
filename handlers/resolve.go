package handlers

import (
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/steward-crm/steward/resolve"
)

// Resolve resolves enriched records into the warehouse, one transaction each.
type Resolve struct {
	Resolver *resolve.Resolver
	// Observe, when set, is told every outcome (counters, progress).
	Observe func(key string, o resolve.Outcome)
}

// Handle is the Watermill handler consuming contacts.enriched. It is idempotent: a
// redelivered message changes nothing in the warehouse.
func (h *Resolve) Handle(msg *message.Message) error {
	r, err := decodeInternal(msg)
	if err != nil {
		return fail(msg, ResolveHandler+"/decode", err)
	}
	o, err := h.Resolver.Resolve(msg.Context(), r, msg.Metadata.Get(PositionMetadata))
	if err != nil {
		return fail(msg, ResolveHandler, err)
	}
	if h.Observe != nil {
		h.Observe(r.Key(), o)
	}
	return nil
}
