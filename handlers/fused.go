package handlers

import (
	"github.com/ThreeDotsLabs/watermill/message"
)

// Fused runs Normalize, Identify and Resolve on each raw message in one handler
// (contacts.raw → warehouse), without the two internal topics between them: no JSON
// encoding, produce, fetch and decoding of every record twice over. Data problems are
// dead-lettered with the same stage names as in the staged pipeline, and a message is
// acked only once its record is in the warehouse. Use it when nothing else reads
// contacts.clean or contacts.enriched.
type Fused struct {
	Normalize *Normalize
	Identify  *Identify
	Resolve   *Resolve
}

// Handle is the Watermill handler consuming contacts.raw. It is idempotent, like Resolve.
func (h *Fused) Handle(msg *message.Message) error {
	r, err := h.Normalize.process(msg)
	if err != nil {
		return err
	}
	if err := h.Identify.process(msg, r); err != nil {
		return err
	}
	return h.Resolve.process(msg, r)
}
