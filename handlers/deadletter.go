package handlers

import (
	"context"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/message/router/middleware"
	"github.com/steward-crm/steward/pubsub/kafkago"
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
	return h.Add(workCtx(msg), deadLetterOf(msg))
}

// deadLetterOf is the dead letter a poisoned message stands for.
func deadLetterOf(msg *message.Message) warehouse.DeadLetter {
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
	return d
}

// DeadLetterMessage is the dead-letter topic's message for d, as the router's poison
// queue writes one (deadLetterOf reads it back): for a record refused before it reached
// a handler (steward produce's unreadable rows).
func DeadLetterMessage(d warehouse.DeadLetter) *message.Message {
	msg := NewRawMessage(d.Payload, d.SourceKey, d.Position)
	msg.Metadata.Set(StageMetadata, d.Stage)
	msg.Metadata.Set(middleware.ReasonForPoisonedKey, d.Reason)
	return msg
}

// tooLargeFallback publishes poisoned messages to the dead-letter topic and, when the
// topic refuses one for its size (a raw record near the broker's limit plus the poison
// headers, on a DLQ topic created without room for it), stores its dead letter directly:
// nacked, it was delivered again forever and held its key.
type tooLargeFallback struct {
	message.Publisher
	store *DeadLetters
}

// Publish implements message.Publisher.
func (p tooLargeFallback) Publish(topic string, msgs ...*message.Message) error {
	err := p.Publisher.Publish(topic, msgs...)
	if err == nil || !kafkago.IsTooLarge(err) {
		return err
	}
	for _, msg := range msgs {
		d := deadLetterOf(msg)
		d.Reason += " (stored directly: too large for " + topic + ")"
		if err := p.store.Add(workCtx(msg), d); err != nil {
			return err
		}
	}
	return nil
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
