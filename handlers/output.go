package handlers

import (
	"fmt"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/steward-crm/steward/pipeline"
	"github.com/steward-crm/steward/pubsub/kafkago"
)

// publishOutputs makes a handler with outputs (Normalize, Identify) publish them itself,
// to topic through pub, inside the router's middleware. Watermill's router publishes a
// handler's outputs only after the middleware has returned and nacks the message when
// that fails, unseen by the poison queue: an output the topic refused for its size (a
// normalized record is larger than its raw one; a topic created with a smaller
// max.message.bytes) was refused at every delivery, and the message, delivered again
// forever, held its partition's committed offset. Published here, an output too large
// for the topic is a data problem of the message (stage "<handler>/publish"): the
// message is dead-lettered and acked. Any other publish error (a broker away) is
// infrastructure: retried, then nacked.
func publishOutputs(pub message.Publisher, topic, handler string, h message.HandlerFunc) message.NoPublishHandlerFunc {
	return func(msg *message.Message) error {
		out, err := h(msg)
		if err != nil {
			return err
		}
		err = pub.Publish(topic, out...)
		switch {
		case err == nil:
			return nil
		case kafkago.IsTooLarge(err):
			// kafka-go's own text (a paragraph on memory allocation) is no reason.
			return fail(msg, handler+"/publish", fmt.Errorf("%w: its output (%d bytes) is too large for topic %s (max.message.bytes)",
				pipeline.ErrInvalidRecord, largest(out), topic))
		default:
			return fmt.Errorf("publish to %s: %w", topic, err)
		}
	}
}

// largest is the size of the largest payload of msgs.
func largest(msgs []*message.Message) int {
	n := 0
	for _, m := range msgs {
		n = max(n, len(m.Payload))
	}
	return n
}
