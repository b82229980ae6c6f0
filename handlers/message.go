package handlers

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/steward-crm/steward/contact"
)

// Metadata keys steward sets on messages.
const (
	// KeyMetadata carries "source:source_id"; the Kafka adapter uses it as message key.
	KeyMetadata = "partition_key"
	// PositionMetadata says where the record was read (file:line, topic/partition@offset).
	PositionMetadata = "position"
	// StageMetadata names the handler and stage that rejected a message.
	StageMetadata = "stage"
)

// Handler names. They are consumer group names in the scale-out mode: renaming one makes
// it re-consume its topic from the start.
const (
	NormalizeHandler  = "normalize"
	IdentifyHandler   = "identify"
	ResolveHandler    = "resolve"
	DeadLetterHandler = "dead_letters"
	// FusedHandler runs normalize, identify and resolve on the raw topic in one handler.
	// It consumes in the normalize handler's consumer group.
	FusedHandler = "pipeline"
)

// NewRawMessage wraps raw bytes read from input (they may not even be JSON).
func NewRawMessage(payload []byte, key, position string) *message.Message {
	msg := message.NewMessage(watermill.NewUUID(), payload)
	if key != "" {
		msg.Metadata.Set(KeyMetadata, key)
	}
	msg.Metadata.Set(PositionMetadata, position)
	return msg
}

// forward encodes a processed record as the next topic's message, keeping the metadata.
func forward(in *message.Message, r *contact.Record) (*message.Message, error) {
	b, err := json.Marshal(r)
	if err != nil {
		return nil, fmt.Errorf("encode %s: %w", r.Key(), err)
	}
	out := message.NewMessage(watermill.NewUUID(), b)
	for k, v := range in.Metadata {
		out.Metadata.Set(k, v)
	}
	out.Metadata.Set(KeyMetadata, r.Key())
	return out, nil
}

// decodeInternal decodes a record produced by an upstream handler (already validated).
func decodeInternal(msg *message.Message) (*contact.Record, error) {
	var r contact.Record
	// Numbers as written (json.Number), as contact.Decode and the warehouse read them:
	// into float64, attributes lost digits (9007199254740993, 1.50) between the stages.
	dec := json.NewDecoder(bytes.NewReader(msg.Payload))
	dec.UseNumber()
	if err := dec.Decode(&r); err != nil {
		return nil, contact.Invalid("", "internal message is not a record: %v", err)
	}
	return &r, nil
}

// workCtx is the context a message's work runs in: msg's values without its
// cancellation. The subscriber cancels every message's context as soon as a stop begins
// (SIGTERM), while it gives the messages in flight drain_timeout to be acked: work cut
// short by that cancellation was nacked and redone by the next process instead of
// finished. The drain and the router's CloseTimeout bound the work instead.
func workCtx(msg *message.Message) context.Context { return context.WithoutCancel(msg.Context()) }

// fail records the stage on the message (for the dead-letter reason) and returns err.
func fail(msg *message.Message, stage string, err error) error {
	msg.Metadata.Set(StageMetadata, stage)
	return err
}
