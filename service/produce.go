package service

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/steward-crm/steward/contact"
	"github.com/steward-crm/steward/handlers"
	"github.com/steward-crm/steward/input"
	"github.com/steward-crm/steward/warehouse"
)

// readDeadLetter is the dead letter of an input item that could not be read (it.Err): a
// CSV row that cannot be parsed or mapped, an over-long line. Ingest stores it, produce
// sends it to the dead-letter topic.
func readDeadLetter(it input.Item) warehouse.DeadLetter {
	return warehouse.DeadLetter{Position: it.Position, Stage: "read", Reason: it.Err.Error(), SourceKey: it.Key, Payload: it.Payload}
}

// maxDeadLetterPayload bounds the payload of a dead letter produce sends: an over-long
// line (input.MaxLineBytes, 4 MiB) was larger than a message the dead-letter topic
// takes (2 MiB), and produce stopped at it.
const maxDeadLetterPayload = 1 << 20

// cutPayload cuts d's payload to maxDeadLetterPayload, saying so in its reason (the
// whole row is in the input, at its position).
func cutPayload(d warehouse.DeadLetter) warehouse.DeadLetter {
	if n := len(d.Payload); n > maxDeadLetterPayload {
		d.Payload = d.Payload[:maxDeadLetterPayload]
		d.Reason += fmt.Sprintf(" (the payload is cut to its first %d of %d bytes: the whole row is at %s)", maxDeadLetterPayload, n, d.Position)
	}
	return d
}

// rejectedField names the field of a row's read error, for a log line: "" when the
// error names none (a CSV row that does not parse, an over-long line).
func rejectedField(err error) string {
	var fe *contact.FieldError
	if errors.As(err, &fe) {
		return fe.Field
	}
	return ""
}

// ProduceSummary counts what produce did.
type ProduceSummary struct {
	Read      int64 `json:"read"`
	Published int64 `json:"published"`
	// Rejected are the rows that could not be read (a CSV row that cannot be mapped, a
	// line over the length limit): published to the dead-letter topic (stage "read",
	// their position and reason), which `steward run` stores in dead_letters, as ingest
	// stores them. They were only logged until 2026-12-06.
	Rejected int64 `json:"rejected"`
}

// Produce publishes the records of the inputs to the raw topic, keyed by
// "source:source_id" so that all versions of a source record land on one partition in
// order. JSONL lines are published as they are (even broken ones: the pipeline
// dead-letters them with the reason); CSV rows are mapped first.
func (s *Service) Produce(ctx context.Context, files []string, opts input.Options, batch int) (ProduceSummary, error) {
	var sum ProduceSummary
	pub, err := s.publisher(s.watermillLogger(), false)
	if err != nil {
		return sum, err
	}
	defer pub.Close()
	if err := s.EnsureTopics(ctx); err != nil {
		return sum, err
	}
	if batch <= 0 {
		batch = 500
	}
	topic := s.Config.Kafka.Topics.Raw
	var pending []*message.Message
	flush := func() error {
		if len(pending) == 0 {
			return nil
		}
		if err := pub.Publish(topic, pending...); err != nil {
			return fmt.Errorf("produce: %w", err)
		}
		sum.Published += int64(len(pending))
		pending = pending[:0]
		return nil
	}
	for _, name := range files {
		rd, closeFn, err := input.OpenContext(ctx, name, opts)
		if err != nil {
			return sum, err
		}
		for {
			if err := ctx.Err(); err != nil {
				closeFn()
				return sum, err
			}
			it, err := rd.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				closeFn()
				if cause := context.Cause(ctx); cause != nil {
					return sum, cause
				}
				return sum, err
			}
			sum.Read++
			if it.Err != nil {
				msg := handlers.DeadLetterMessage(cutPayload(readDeadLetter(it)))
				if err := pub.Publish(s.Config.Kafka.Topics.DLQ, msg); err != nil {
					closeFn()
					return sum, fmt.Errorf("produce: dead letter of %s: %w", it.Position, err)
				}
				sum.Rejected++
				// Its reason may quote the row's values: it goes with the dead letter, and
				// the log names the row and the field.
				s.Config.Logger.Warn("produce: row dead-lettered (the reason is in its dead letter)", "position", it.Position, "field", rejectedField(it.Err))
				continue
			}
			key := it.Key
			if key == "" {
				key = peekKey(it.Payload)
			}
			pending = append(pending, handlers.NewRawMessage(it.Payload, key, it.Position))
			if len(pending) >= batch {
				if err := flush(); err != nil {
					closeFn()
					return sum, err
				}
			}
		}
		closeFn()
	}
	return sum, flush()
}

// peekKey reads source and source_id of a JSON record without validating it; "" when it
// cannot (the message then lands on any partition and is dead-lettered downstream). A
// number is kept as written, as the record's key has it ("erp:12345678901": read as a
// float it was "erp:1.2345678901e+10", another partition than the same id as a string).
func peekKey(payload []byte) string {
	var id struct {
		Source   any `json:"source"`
		SourceID any `json:"source_id"`
	}
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.UseNumber()
	if dec.Decode(&id) != nil || id.Source == nil || id.SourceID == nil {
		return ""
	}
	return fmt.Sprint(id.Source) + ":" + fmt.Sprint(id.SourceID)
}
