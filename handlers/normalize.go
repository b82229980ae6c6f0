package handlers

import (
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/steward-crm/steward/contact"
	"github.com/steward-crm/steward/internal/par"
	"github.com/steward-crm/steward/pipeline"
	"github.com/steward-crm/steward/pubsub/kafkago"
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

// process decodes msg's raw record and normalizes it, on a goroutine of par.Stacks:
// Watermill handles every message on a new goroutine, whose stack grew three or four
// times under the stages (phone parsing, the registry's queries), and the pool's
// goroutines keep theirs. Identify's stages run there too, and the Batcher computes a
// record's blocking keys there; waiting for the batch stays on the message's goroutine.
func (h *Normalize) process(msg *message.Message) (r *contact.Record, err error) {
	par.Stacks.Do(func() { r, err = h.normalize(msg) })
	return r, err
}

func (h *Normalize) normalize(msg *message.Message) (*contact.Record, error) {
	setKafkaPosition(msg)
	r, err := contact.Decode(msg.Payload)
	if err != nil {
		return nil, fail(msg, NormalizeHandler+"/decode", err)
	}
	msg.Metadata.Set(KeyMetadata, r.Key())
	if r.EffectiveOp() != contact.OpDelete {
		if err := h.Chain.Process(workCtx(msg), r); err != nil {
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

// setKafkaPosition gives a message read from Kafka without a position header (an
// upstream producer's: only steward produce sets one) its position topic/partition@offset,
// for its dead letter and its audit events.
func setKafkaPosition(msg *message.Message) {
	if msg.Metadata.Get(PositionMetadata) != "" {
		return
	}
	if topic := msg.Metadata.Get(kafkago.TopicMetadata); topic != "" {
		msg.Metadata.Set(PositionMetadata, topic+"/"+msg.Metadata.Get(kafkago.PartitionMetadata)+"@"+msg.Metadata.Get(kafkago.OffsetMetadata))
	}
}
