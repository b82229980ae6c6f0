package handlers

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/pubsub/gochannel"
	"github.com/steward-crm/steward/contact"
	"github.com/steward-crm/steward/internal/syncbuf"
	"github.com/steward-crm/steward/pipeline"
)

// dlqDown publishes through pub except to the dead-letter topic, which fails (a broker
// away).
type dlqDown struct{ message.Publisher }

func (p dlqDown) Publish(topic string, msgs ...*message.Message) error {
	if topic == "contacts.dlq" {
		return errors.New("kafka: broker not reachable")
	}
	return p.Publisher.Publish(topic, msgs...)
}

// leakyStage panics with the record's e-mail address in the panic value.
type leakyStage struct{}

func (leakyStage) Name() string { return "test.leaky" }

func (leakyStage) Process(_ context.Context, r *contact.Record) error {
	panic("cannot handle " + strings.Join(r.Emails, ","))
}

// TestPIIDeadLetterNotPublishedIsNotLogged: a record refused for a data problem whose
// dead letter cannot be published (the DLQ topic's broker away) is nacked and the
// router logs the handler's error at error level. The data error's reason quotes the
// record's values (an e-mail address given as op, a stage's panic value): stored in
// dead_letters on purpose, it must not reach the log, which names the record by its
// position and key, the stage and the field instead.
func TestPIIDeadLetterNotPublishedIsNotLogged(t *testing.T) {
	for _, tc := range []struct {
		name, payload, secret, want string
	}{
		{"decode", `{"source":"crm","source_id":"7","op":"zelda.quimby@example.org","given_name":"Zelda"}`,
			"zelda.quimby@example.org", "field op"},
		{"panic", `{"source":"crm","source_id":"8","given_name":"Yorick","family_name":"Plumtree","emails":["yorick.plumtree@example.org"]}`,
			"yorick.plumtree", "normalize/test.leaky"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var logs syncbuf.Buffer
			logger := watermill.NewSlogLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
			bus := gochannel.NewGoChannel(gochannel.Config{}, nil)
			defer bus.Close()
			router, err := NewRouter(Config{
				Subscriber: bus, Publisher: dlqDown{bus},
				Normalize: &Normalize{Chain: pipeline.Chain{leakyStage{}}}, Identify: &Identify{}, Resolve: &Resolve{},
				Retry:  RetryConfig{MaxRetries: 1, InitialInterval: time.Millisecond, MaxInterval: time.Millisecond},
				Logger: logger,
			})
			if err != nil {
				t.Fatal(err)
			}
			go router.Run(context.Background())
			<-router.Running()
			defer router.Close()
			if err := bus.Publish("contacts.raw", NewRawMessage([]byte(tc.payload), "", "f.jsonl:3")); err != nil {
				t.Fatal(err)
			}
			deadline := time.Now().Add(10 * time.Second)
			for !strings.Contains(logs.String(), "Handler returned error") {
				if time.Now().After(deadline) {
					t.Fatalf("the handler's error was never logged:\n%s", logs.String())
				}
				time.Sleep(10 * time.Millisecond)
			}
			router.Close()
			out := logs.String()
			if strings.Contains(out, tc.secret) {
				t.Errorf("the log holds the record's value %q:\n%s", tc.secret, out)
			}
			for _, want := range []string{"f.jsonl:3", tc.want, "broker not reachable"} {
				if !strings.Contains(out, want) {
					t.Errorf("the log does not name %q:\n%s", want, out)
				}
			}
		})
	}
}
