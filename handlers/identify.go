package handlers

import (
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/steward-crm/steward/contact"
	"github.com/steward-crm/steward/internal/par"
	"github.com/steward-crm/steward/pipeline"
)

// Identify attaches company identifiers and enriches records (the identify stages).
type Identify struct {
	Chain pipeline.Chain
}

// Handle is the Watermill handler: contacts.clean → contacts.enriched.
func (h *Identify) Handle(msg *message.Message) ([]*message.Message, error) {
	r, err := decodeInternal(msg)
	if err != nil {
		return nil, fail(msg, IdentifyHandler+"/decode", err)
	}
	if err := h.process(msg, r); err != nil {
		return nil, err
	}
	out, err := forward(msg, r)
	if err != nil {
		return nil, err
	}
	return []*message.Message{out}, nil
}

// process runs the identify stages on msg's record r.
func (h *Identify) process(msg *message.Message, r *contact.Record) error {
	if r.EffectiveOp() == contact.OpDelete {
		return nil
	}
	var err error
	par.Stacks.Do(func() { err = h.Chain.Process(workCtx(msg), r) })
	if err != nil {
		return fail(msg, IdentifyHandler+"/"+stageName(err), err)
	}
	return nil
}
