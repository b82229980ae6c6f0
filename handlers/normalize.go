package handlers

import (
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/steward-crm/steward/contact"
	"github.com/steward-crm/steward/pipeline"
)

// Normalize decodes raw records strictly, validates them and runs the normalize stages.
type Normalize struct {
	Chain pipeline.Chain
}

// Handle is the Watermill handler: contacts.raw → contacts.clean.
func (h *Normalize) Handle(msg *message.Message) ([]*message.Message, error) {
	r, err := h.process(msg)
	if err != nil {
		return nil, err
	}
	out, err := forward(msg, r)
	if err != nil {
		return nil, err
	}
	return []*message.Message{out}, nil
}

// process decodes msg's raw record and normalizes it.
func (h *Normalize) process(msg *message.Message) (*contact.Record, error) {
	r, err := contact.Decode(msg.Payload)
	if err != nil {
		return nil, fail(msg, NormalizeHandler+"/decode", err)
	}
	msg.Metadata.Set(KeyMetadata, r.Key())
	if r.EffectiveOp() != contact.OpDelete {
		if err := h.Chain.Process(msg.Context(), r); err != nil {
			return nil, fail(msg, NormalizeHandler+"/"+stageName(err), err)
		}
	}
	return r, nil
}

func stageName(err error) string {
	if se, ok := err.(*pipeline.StageError); ok {
		return se.Stage
	}
	return "?"
}
