package handlers

import (
	"context"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/message/router/middleware"
	"github.com/steward-crm/steward/warehouse"
)

// DeadLetters stores messages of the dead-letter topic in the warehouse's dead_letters
// table, with their position, stage and reason (embedded mode).
type DeadLetters struct {
	Store warehouse.Store
	// Observe, when set, is told every dead letter.
	Observe func(d warehouse.DeadLetter)
}

// Handle is the Watermill handler consuming contacts.dlq.
func (h *DeadLetters) Handle(msg *message.Message) error {
	d := warehouse.DeadLetter{
		Position:  msg.Metadata.Get(PositionMetadata),
		Stage:     msg.Metadata.Get(StageMetadata),
		Reason:    msg.Metadata.Get(middleware.ReasonForPoisonedKey),
		SourceKey: msg.Metadata.Get(KeyMetadata),
		Payload:   msg.Payload,
	}
	if d.Stage == "" {
		d.Stage = msg.Metadata.Get(middleware.PoisonedHandlerKey)
	}
	return h.Add(workCtx(msg), d)
}

// Add stores a dead letter and tells Observe: for records rejected outside the dead
// letter topic (unreadable input, a write-behind record the writer refused).
func (h *DeadLetters) Add(ctx context.Context, d warehouse.DeadLetter) error {
	if err := h.Store.AddDeadLetter(ctx, d); err != nil {
		return err
	}
	if h.Observe != nil {
		h.Observe(d)
	}
	return nil
}
