package handlers

import (
	"errors"
	"strings"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/segmentio/kafka-go"
	"github.com/steward-crm/steward/pipeline"
)

// refusing is a publisher failing every publish with err.
type refusing struct{ err error }

func (p refusing) Publish(string, ...*message.Message) error { return p.err }
func (p refusing) Close() error                              { return nil }

// TestPublishOutputs: an output the topic refuses for its size is a data problem of the
// message (dead-lettered and acked, stage "<handler>/publish"); any other publish
// error is infrastructure (retried, then nacked).
func TestPublishOutputs(t *testing.T) {
	for _, c := range []struct {
		name        string
		err         error
		wantInvalid bool
	}{
		{"refused by the broker", kafka.WriteErrors{kafka.MessageSizeTooLarge}, true},
		{"over the publisher's BatchBytes", kafka.MessageTooLargeError{}, true},
		{"broker away", errors.New("dial tcp 10.0.0.1:9092: connection refused"), false},
	} {
		t.Run(c.name, func(t *testing.T) {
			out := message.NewMessage("out", []byte(strings.Repeat("x", 1234)))
			h := publishOutputs(refusing{c.err}, "contacts.clean", NormalizeHandler, func(*message.Message) ([]*message.Message, error) {
				return []*message.Message{out}, nil
			})
			msg := message.NewMessage("in", []byte("{}"))
			err := h(msg)
			if err == nil || pipeline.IsInvalid(err) != c.wantInvalid {
				t.Fatalf("error %v, data problem %v; want %v", err, pipeline.IsInvalid(err), c.wantInvalid)
			}
			if !c.wantInvalid {
				return
			}
			if stage := msg.Metadata.Get(StageMetadata); stage != "normalize/publish" {
				t.Errorf("stage %q, want normalize/publish", stage)
			}
			if !strings.Contains(err.Error(), "(1234 bytes)") || !strings.Contains(err.Error(), "contacts.clean") {
				t.Errorf("reason %q: want the output's size and the topic", err)
			}
		})
	}
}
